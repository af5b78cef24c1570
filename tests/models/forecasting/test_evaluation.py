"""The AutoPredictor's per-item choice, on backtests whose answers are known."""

from __future__ import annotations

import numpy as np

from sensorium.models.forecasting.evaluation import Window, choose
from sensorium.models.forecasting.prediction import Prediction, from_gaussian

HORIZON = 4
ACTUAL = np.array([[10.0, 11, 12, 13], [50, 40, 30, 20], [5, 5, 5, 5]])


def point(values: np.ndarray) -> Prediction:
    return from_gaussian(values.astype(np.float64), np.full(len(values), 0.5))


def backtests(errors: dict[str, list[float]]) -> dict[str, list[Window]]:
    """One window over items 0-2; each algorithm is off by a fixed amount per item."""
    return {
        name: [
            Window(
                0,
                0,
                [0, 1, 2],
                ACTUAL,
                np.ones(3),
                [point(ACTUAL[item] + error) for item, error in enumerate(offsets)],
            )
        ]
        for name, offsets in errors.items()
    }


def test_each_item_gets_its_own_best_candidate() -> None:
    results = backtests({"A": [0.0, 6.0, 1.0], "B": [6.0, 0.0, 1.0]})
    choice = choose(results, "WAPE", [0.5], ["0.5"], 3)
    assert choice.plan[0] == ("A",)
    assert choice.plan[1] == ("B",)
    assert choice.plan[2] in {("A",), ("B",)}
    assert choice.values["per-item plan"] < min(choice.values["A"], choice.values["B"])
    assert set(choice.algorithms) == {"A", "B"}
    assert "per item" in choice.reason


def test_the_average_of_two_competes() -> None:
    # A is 4 too high and B 4 too low everywhere: their average is exact.
    results = backtests({"A": [4.0, 4.0, 4.0], "B": [-4.0, -4.0, -4.0]})
    choice = choose(results, "RMSE", [0.5], ["0.5"], 3)
    assert choice.plan == [("A", "B")] * 3
    assert choice.reason.startswith("Chose A+B")


def test_globally_poor_candidates_do_not_compete_per_item() -> None:
    # C is exact on item 2 but far off elsewhere: outside the tolerance, it is never picked.
    results = backtests({"A": [1.0, 1.0, 1.0], "C": [30.0, 30.0, 0.0]})
    choice = choose(results, "WAPE", [0.5], ["0.5"], 3, tolerance=1.3)
    assert all("C" not in names for names in choice.plan)
    everyone = choose(results, "WAPE", [0.5], ["0.5"], 3, tolerance=float("inf"), pooled_weight=0.0)
    assert everyone.plan[2] == ("C",)


def test_items_missing_from_the_backtest_take_the_best_candidate() -> None:
    results = backtests({"A": [1.0, 1.0, 1.0], "B": [2.0, 2.0, 0.5]})
    choice = choose(results, "WAPE", [0.5], ["0.5"], 5)
    assert len(choice.plan) == 5
    best = min((v, k) for k, v in choice.values.items() if k != "per-item plan")[1]
    assert choice.plan[3] == choice.plan[4] == tuple(best.split("+"))


def test_legacy_automl_picks_one_algorithm_for_every_item() -> None:
    results = backtests({"A": [0.0, 6.0, 1.0], "B": [6.0, 0.0, 1.5]})
    choice = choose(results, "WAPE", [0.5], ["0.5"], 3, tolerance=1.0, pairs=False)
    assert set(choice.values) == {"A", "B", "per-item plan"}  # no pair averages
    assert len(set(choice.plan)) == 1
    assert choice.reason.startswith("Chose ")


def test_a_candidate_worse_over_all_items_must_win_an_item_clearly() -> None:
    # B is 18 % worse than A over all items and 5 % better on item 0 alone: one short window
    # of one item is weak evidence, so A keeps it unless the pooled ranking is ignored.
    results = backtests({"A": [1.0, 1.0, 1.0], "B": [0.95, 1.3, 1.3]})
    weighed = choose(results, "WAPE", [0.5], ["0.5"], 3, pairs=False)
    assert weighed.plan == [("A",)] * 3
    alone = choose(results, "WAPE", [0.5], ["0.5"], 3, pairs=False, pooled_weight=0.0)
    assert alone.plan[0] == ("B",)
    # A clear win on the item still counts.
    clear = choose(
        backtests({"A": [1.0, 1.0, 1.0], "B": [0.5, 1.3, 1.3]}),
        "WAPE",
        [0.5],
        ["0.5"],
        3,
        pairs=False,
    )
    assert clear.plan[0] == ("B",)
