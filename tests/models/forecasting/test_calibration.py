"""Calibrated band widths: held-out coverage near the nominal levels on real and on known
noise, the p50 and mean never moved, short histories left (almost) alone."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from sensorium.models.forecasting import calibration
from sensorium.models.forecasting.algorithms import make
from sensorium.models.forecasting.evaluation import Window, backtest, choose, older_backtest
from sensorium.models.forecasting.frequency import FREQUENCIES
from sensorium.models.forecasting.prediction import Array, Prediction, from_gaussian
from tests.conftest import shared_data

HORIZON = 12
ITEMS = 60  # series per frequency in the end-to-end check


def m4(name: str, count: int) -> tuple[list[Array], Array]:
    """``count`` M4 series evenly spread through the file: training parts, test parts."""
    folder = shared_data("forecasting", "m4")

    def read(kind: str) -> list[Array]:
        with (folder / f"{name}-{kind}.csv").open() as handle:
            rows = list(csv.reader(handle))[1:]
        return [np.array([float(cell) for cell in row[1:] if cell]) for row in rows]

    train, test = read("train"), read("test")
    picked = np.linspace(0, len(train) - 1, count).astype(int)
    return [train[i] for i in picked], np.array([test[i] for i in picked])


def inside(actual: Array, predictions: list[Prediction]) -> float:
    return calibration.coverage(actual, predictions, 0.9) - calibration.coverage(
        actual, predictions, 0.1
    )


def test_real_hourly_bands_reach_their_nominal_coverage_and_keep_the_median() -> None:
    """NPTS's own p10-p90 band holds about half of M4 Hourly's held-out points; calibrated
    on backtests of the training part only, it holds about 80 %."""
    train, test = m4("Hourly", 40)
    horizon, season = test.shape[1], 24
    windows = [
        *backtest(make("NPTS"), train, horizon, season),
        *older_backtest(make("NPTS"), train, horizon, season, 1),
    ]
    assert len(windows) == calibration.CALIBRATION_WINDOWS
    fitted = calibration.fit(windows)
    raw = make("NPTS").forecast(train, horizon, season)
    calibrated = [fitted.apply(p) for p in raw]
    before, after = inside(test, raw), inside(test, calibrated)
    assert abs(after - 0.8) < abs(before - 0.8) and 0.72 <= after <= 0.88, (before, after)
    for old, new in zip(raw, calibrated, strict=True):
        assert np.array_equal(old.quantile(0.5), new.quantile(0.5))
        assert np.array_equal(old.mean, new.mean)
        assert np.all(np.diff(new.quantiles, axis=0) >= 0)


def noisy(
    rng: np.random.Generator, items: int, model_std: float, bias: float = 0.0
) -> tuple[Array, list[Prediction]]:
    """Actuals = level + N(0, 1 + step / horizon); the model knows the level but claims a
    noise of ``model_std`` (same growth) and is off by ``bias``."""
    growth = 1.0 + np.arange(HORIZON) / HORIZON
    levels = rng.uniform(50, 150, items)
    actual = levels[:, None] + rng.normal(0.0, 1.0, (items, HORIZON)) * growth
    predictions = [from_gaussian(np.full(HORIZON, lv + bias), model_std * growth) for lv in levels]
    return actual, predictions


def window(actual: Array, predictions: list[Prediction]) -> Window:
    items = len(predictions)
    return Window(0, HORIZON, list(range(items)), actual, np.ones(items), predictions)


@pytest.mark.parametrize(("model_std", "bias"), [(0.4, 0.0), (3.0, 0.0), (1.0, 0.5)])
def test_held_out_coverage_matches_the_nominal_levels(model_std: float, bias: float) -> None:
    rng = np.random.default_rng(7)
    fitted = calibration.fit([window(*noisy(rng, 300, model_std, bias))])
    actual, predictions = noisy(rng, 400, model_std, bias)
    calibrated = [fitted.apply(p) for p in predictions]
    for tau in (0.05, 0.1, 0.9, 0.95):
        raw = calibration.coverage(actual, predictions, tau)
        after = calibration.coverage(actual, calibrated, tau)
        assert abs(after - tau) < 0.03, (tau, raw, after)
    # The model's own bands were off by far more than that; its median stays where it was.
    assert abs(calibration.coverage(actual, predictions, 0.9) - 0.9) > 0.05
    median = calibration.coverage(actual, calibrated, 0.5)
    assert median == calibration.coverage(actual, predictions, 0.5)


def test_few_backtest_pairs_barely_move_a_band() -> None:
    rng = np.random.default_rng(3)
    actual, predictions = noisy(rng, 1, model_std=3.0)  # one item, bands far too wide
    fitted = calibration.fit([window(actual, predictions)])
    plenty = calibration.fit([window(*noisy(rng, 200, model_std=3.0))])
    assert fitted.pairs == 1
    # one pair: a tenth of the way (in log) to its estimate; 200 pairs: nearly all of it
    assert np.all(np.abs(np.log(fitted.factors)) < 0.2)
    assert np.log(plenty.factors[89]) < 5 * np.log(fitted.factors[89]) < 0


def test_short_histories_fall_back_to_the_models_own_bands() -> None:
    """Series too short for any older window (two seasons of training before it) get no
    older windows; with no backtest point at all nothing changes."""
    rng = np.random.default_rng(1)
    histories = [20 + rng.normal(0, 1, 30) for _ in range(3)]
    older = older_backtest(make("Seasonal_Naive"), histories, 6, 12, 1)
    assert [w.items for w in older] == [[], []]
    fitted = calibration.fit(older)
    prediction = from_gaussian(np.ones(HORIZON), np.ones(HORIZON))
    assert fitted is calibration.IDENTITY
    assert fitted.apply(prediction) is prediction


def test_cross_fitted_scores_each_item_without_its_own_points() -> None:
    rng = np.random.default_rng(5)
    actual, predictions = noisy(rng, 100, model_std=0.4)
    (only,) = calibration.cross_fitted([window(actual, predictions)])
    assert only.items == list(range(100))
    assert 0.7 <= inside(actual, only.predictions) <= 0.9
    assert inside(actual, predictions) < 0.45


def seasonal(rng: np.random.Generator, items: int, length: int, season: int) -> list[Array]:
    phase = 2 * np.pi * np.arange(length) / season
    return [
        20.0 + 5.0 * np.sin(phase + rng.uniform(0, 6)) + rng.normal(0.0, 1.0, length)
        for _ in range(items)
    ]


@pytest.mark.parametrize("name", list(FREQUENCIES))
def test_every_frequency_with_a_few_seasons_of_history(name: str) -> None:
    """A real forecaster on short histories (four seasons) at each frequency's season: the
    AutoPredictor choice calibrates, its p10-p90 band holds about 80 % of the held-out
    points, and its p50 is the forecaster's own."""
    season = max(FREQUENCIES[name].season, 4)
    horizon = max(season // 2, 4)
    rng = np.random.default_rng(11)
    series = seasonal(rng, ITEMS, 4 * season + horizon, season)
    histories = [s[:-horizon] for s in series]
    actual = np.array([s[-horizon:] for s in series])
    results = {
        name: backtest(make(name), histories, horizon, season)
        for name in ("Seasonal_Naive", "NPTS")
    }
    older = {
        name: older_backtest(make(name), histories, horizon, season, 1)
        for name in ("Seasonal_Naive", "NPTS")
    }
    types = ["0.1", "0.5", "0.9"]
    choice = choose(
        results, "AverageWeightedQuantileLoss", [0.1, 0.5, 0.9], types, ITEMS, 1.0, False, True
    )
    with_older = choose(
        results,
        "AverageWeightedQuantileLoss",
        [0.1, 0.5, 0.9],
        types,
        ITEMS,
        1.0,
        False,
        True,
        older,
    )
    assert set(choice.calibrations) == {"Seasonal_Naive", "NPTS"}
    assert (
        with_older.calibrations["Seasonal_Naive"].pairs
        > choice.calibrations["Seasonal_Naive"].pairs
    )
    raw = make(with_older.plan[0][0]).forecast(histories, horizon, season)
    calibrated = calibration.apply_plan(with_older.plan, raw, with_older.calibrations, histories)
    assert 0.7 <= inside(actual, calibrated) <= 0.9, (name, inside(actual, raw))
    assert all(
        np.array_equal(a.quantile(0.5), b.quantile(0.5))
        for a, b in zip(raw, calibrated, strict=True)
    )
