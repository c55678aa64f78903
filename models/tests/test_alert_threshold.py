"""The alert threshold choice on the harness's table (alerts as received), pooled over histories."""

from tillgate_models.alert_threshold import (
    HarnessChoice,
    choose_hidden_empty_level,
    choose_threshold,
    merged_tables,
    pooled,
)


def quality(alerts: int, precision: float, injected: int, caught: int) -> dict:
    return {
        "alerts": alerts,
        "precision": precision,
        "alerts_per_store_day": alerts / 10,
        "injected": {"stockouts": injected, "caught": caught},
        "detection": {"stockouts": injected, "caught": caught},
    }


def test_picks_the_level_that_catches_most_among_those_right_often_enough_pooled_over_histories():
    table = {
        "thresholds": [
            # Pooled precision (30 + 12) / 80 = 0.525: below the floor although one history is 0.6.
            {"raiseAbove": 0.2, "histories": [quality(50, 0.6, 10, 9), quality(30, 0.4, 10, 9)]},
            {"raiseAbove": 0.35, "histories": [quality(30, 0.7, 10, 7), quality(20, 0.6, 10, 6)]},
            {"raiseAbove": 0.5, "histories": [quality(10, 0.9, 10, 4), quality(10, 0.8, 10, 3)]},
        ]
    }
    choice = choose_threshold(table)
    assert (choice.threshold, choice.rule) == (0.35, "alert precision>=0.600 (max of 0.6 and the book-stock rule's)")
    assert choice.recall == 13 / 20
    assert abs(choice.precision - 33 / 50) < 1e-12


def test_falls_back_to_the_best_f1_when_no_level_is_precise_enough():
    table = {
        "thresholds": [
            {"raiseAbove": 0.2, "histories": [quality(100, 0.2, 10, 9)]},
            {"raiseAbove": 0.5, "histories": [quality(20, 0.5, 10, 6)]},
        ]
    }
    assert choose_threshold(table).threshold == 0.5
    assert choose_threshold(table).rule == "max alert F1"


def test_holds_the_levels_to_the_book_stock_rules_precision_on_the_same_run():
    # The rule is 0.9 precise here: 0.35 (0.8) clears the 0.6 floor but not the rule; 0.5 does.
    table = {
        "thresholds": [
            {"raiseAbove": 0.35, "histories": [quality(50, 0.8, 10, 9)]},
            {"raiseAbove": 0.5, "histories": [quality(20, 0.95, 10, 7)]},
        ],
        "rules": [
            {
                "book_stock": quality(10, 0.9, 10, 5),
                "days_of_cover": quality(1, 0, 10, 0),
                "gap_rule": quality(1, 0, 10, 0),
            }
        ],
    }
    choice = choose_threshold(table)
    assert choice.threshold == 0.5
    assert choice.rule.startswith("alert precision>=0.900")


def test_when_no_level_reaches_the_rule_takes_the_most_precise_that_keeps_the_recall_bar():
    # The rule is 1.0 precise and finds 5 of 10: 0.95 is the most precise level but finds only 4.
    table = {
        "thresholds": [
            {"raiseAbove": 0.8, "histories": [quality(50, 0.8, 10, 9)]},
            {"raiseAbove": 0.9, "histories": [quality(30, 0.9, 10, 7)]},
            {"raiseAbove": 0.95, "histories": [quality(10, 0.97, 10, 4)]},
        ],
        "rules": [
            {
                "book_stock": quality(10, 1.0, 10, 5),
                "days_of_cover": quality(1, 0, 10, 0),
                "gap_rule": quality(1, 0, 10, 0),
            }
        ],
    }
    choice = choose_threshold(table)
    assert choice.threshold == 0.9
    assert choice.rule.startswith("no level reaches the book-stock rule's precision 1.000")


def detecting(alerts: int, precision: float, caught: int, hidden_caught: int) -> dict:
    """20 injected stock-outs, 10 of them hidden (phantom inventory / shrink)."""
    return {**quality(alerts, precision, 20, caught), "detection": {"stockouts": 10, "caught": hidden_caught}}


def raised_at(level: float, detection_recall: float) -> HarnessChoice:
    return HarnessChoice(
        threshold=level,
        rule="r",
        precision=0.95,
        recall=0.7,
        detection_recall=detection_recall,
        alerts_per_store_day=4.0,
        table=[],
    )


def pairs(*rows: tuple[float, dict]) -> dict:
    return {"thresholds": [{"raiseAbove": 0.95, "raiseHiddenEmptyAbove": h, "histories": [q]} for h, q in rows]}


def test_lowers_the_hidden_empty_level_to_the_most_precise_that_finds_enough_hidden_shelves():
    table = pairs(
        (0.65, detecting(80, 0.7, 16, 8)),  # finds 8 of 10 hidden, but 0.7 precise
        (0.8, detecting(60, 0.88, 15, 7)),  # 7 of 10 at 0.88: the choice
        (0.9, detecting(50, 0.93, 14, 5)),  # 5 of 10: below the floor
    )
    choice = choose_hidden_empty_level(table, raised_at(0.95, 0.5))
    assert (choice.threshold, choice.hidden_empty_threshold, choice.levels) == (0.95, 0.8, "0.95:0.8")
    assert (choice.precision, choice.detection_recall) == (0.88, 0.7)
    assert choice.rule == "r; hidden_empty: the most precise level with detection recall>=0.6"


def test_keeps_one_level_when_it_already_finds_enough_or_no_lower_level_finds_more():
    table = pairs((0.8, detecting(60, 0.88, 15, 7)))
    assert choose_hidden_empty_level(table, raised_at(0.95, 0.6)).hidden_empty_threshold == 0.95
    worse = pairs((0.8, detecting(60, 0.5, 15, 7)), (0.9, detecting(50, 0.9, 14, 5)))  # 0.5 precise; 5 = as now
    kept = choose_hidden_empty_level(worse, raised_at(0.95, 0.5))
    assert (kept.hidden_empty_threshold, kept.precision) == (0.95, 0.95)
    assert kept.rule.endswith("no lower level finds more")


def test_when_no_level_finds_enough_hidden_shelves_takes_the_one_finding_most_within_the_precision_floor():
    table = pairs((0.8, detecting(60, 0.8, 15, 5)), (0.9, detecting(50, 0.9, 14, 4)))
    choice = choose_hidden_empty_level(table, raised_at(0.95, 0.3))
    assert (choice.hidden_empty_threshold, choice.detection_recall) == (0.8, 0.5)


def test_single_history_harness_runs_merge_into_one_table_that_pools_the_same():
    def run(history: str, counts: list[tuple[int, float]]) -> dict:
        return {
            "horizon_ms": 1,
            "from": 2,
            "until": 3,
            "thresholds": [
                {"raiseAbove": 0.9, "raiseHiddenEmptyAbove": h, "clearBelow": 0.3, "histories": [quality(n, p, 10, 5)]}
                for h, (n, p) in zip((0.9, 0.5), counts, strict=True)
            ],
            "rules": [{"history": history, "book_stock": quality(4, 1.0, 10, 3)}],
        }

    merged = merged_tables([run("h2", [(10, 0.9), (20, 0.5)]), run("h3", [(30, 0.7), (40, 0.25)])])
    assert [(t["raiseHiddenEmptyAbove"], len(t["histories"])) for t in merged["thresholds"]] == [(0.9, 2), (0.5, 2)]
    assert [r["history"] for r in merged["rules"]] == ["h2", "h3"]
    assert pooled(merged["thresholds"][0]["histories"])["precision"] == (9 + 21) / 40
