"""The Python side of the alert-quality harness against the real one: tiny simulated histories replayed
through the edge's own engine by `simulators/src/cli.ts alert-thresholds`, one process per history."""

import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from tillgate_models.alert_threshold import harness_table
from tillgate_models.feature_spec import REPO_ROOT

DAY_MS = 86_400_000
BUNDLED_MODEL = REPO_ROOT / "edge" / "models" / "default"
ANY_PINNED_KEY = next((REPO_ROOT / "edge" / "keys").glob("*.pub.pem"))


def simulated(out: Path, seed: int) -> Path:
    subprocess.run(
        [
            *("npx", "tsx", "simulators/src/cli.ts", "history", "--seed", str(seed), "--stores", "1", "--skus", "20"),
            *("--days", "33", "--phantom-per-day", "3", "--out", str(out)),
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def histories(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return [simulated(tmp_path_factory.mktemp(f"h{seed}"), seed) for seed in (3, 4)]


def scored_days(history: Path) -> tuple[int, int]:
    """Days 29-30 of the history: after the harness's 28-day warm-up, with the 48 h horizon still inside it."""
    start = json.loads((history / "manifest.json").read_text())["start"]
    start_ms = int(datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp() * 1000)
    return start_ms + 29 * DAY_MS, start_ms + 31 * DAY_MS


def test_levels_and_hidden_empty_pairs_come_back_per_history_with_the_rules(histories: list[Path]):
    table = harness_table(BUNDLED_MODEL, ANY_PINNED_KEY, histories, *scored_days(histories[0]), (0.9, "0.9:0.5"))
    levels = [(t["raiseAbove"], t["raiseHiddenEmptyAbove"], t["clearBelow"]) for t in table["thresholds"]]
    assert levels == [(0.9, 0.9, pytest.approx(0.54)), (0.9, 0.5, pytest.approx(0.3))]
    assert all(len(t["histories"]) == 2 for t in table["thresholds"])
    assert [Path(r["history"]).name for r in table["rules"]] == [h.name for h in histories]
    # The same events at both levels: a lower hidden_empty level can only add hidden_empty raises.
    at_one, at_two = (t["histories"][0]["detection"]["alerts"] for t in table["thresholds"])
    assert at_two >= at_one


def test_a_malformed_level_stops_the_harness_with_the_reason(histories: list[Path]):
    with pytest.raises(RuntimeError, match=r"--thresholds.*each a or a:b"):
        harness_table(BUNDLED_MODEL, ANY_PINNED_KEY, histories[:1], *scored_days(histories[0]), ("0.9:high",))
