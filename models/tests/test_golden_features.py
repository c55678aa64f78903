"""The Python feature code against the golden vectors the TypeScript edge also passes
(shared/src/features/golden.test.ts): same events in, the same float32 values out, bit for bit."""

import json
from pathlib import Path

import numpy as np
import pytest

from tillgate_models.feature_spec import FEATURE_SPEC_HASH, GOLDEN_DIR, SPEC_PATH, STOCKOUT_FEATURE_NAMES
from tillgate_models.feature_state import SkuFeatureState, StoreFeatureState, apply_event, apply_store_event
from tillgate_models.stockout_features import stockout_features
from tillgate_models.utc_time import instant_ms

GOLDEN_FILES = sorted(GOLDEN_DIR.glob("*.json"))


def test_there_are_golden_files():
    assert len(GOLDEN_FILES) >= 5


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda path: path.stem)
def test_golden_vector(path: Path):
    golden = json.loads(path.read_text())
    state = SkuFeatureState()
    store = StoreFeatureState()
    for index, step in enumerate(golden["steps"]):
        if "event" in step:
            store = apply_store_event(store, step["event"])
            state = apply_event(state, step["event"], golden["sku"], store.sold_units)
            continue
        check = step["check"]
        if "state" in check:
            assert state.as_json() == check["state"], f"state at step {index}"
        if "store" in check:
            assert store.as_json() == check["store"], f"store state at step {index}"
        assert list(check["features"]) == list(STOCKOUT_FEATURE_NAMES)
        row = stockout_features(state, store, instant_ms(check["at"]))
        expected = np.asarray([check["features"][name] for name in STOCKOUT_FEATURE_NAMES], dtype=np.float32)
        assert row.dtype == np.float32
        assert row.tolist() == expected.tolist(), f"features at {check['at']} (step {index})"


def test_spec_hash_is_the_sha256_of_the_file_bytes():
    import hashlib

    assert hashlib.sha256(SPEC_PATH.read_bytes()).hexdigest() == FEATURE_SPEC_HASH


def test_instants_truncate_beyond_milliseconds_and_apply_offsets():
    assert instant_ms("2026-01-29T10:00:00.123456Z") == instant_ms("2026-01-29T10:00:00.123Z")
    assert instant_ms("2026-03-02T23:30:00-02:00") == instant_ms("2026-03-03T01:30:00Z")
    with pytest.raises(ValueError, match="not an ISO 8601 timestamp"):
        instant_ms("2026-03-02 23:30:00")
