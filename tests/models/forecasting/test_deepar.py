"""The recurrent network reads related series: known future promotions move its forecast."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sensorium.models.forecasting import metrics
from sensorium.models.forecasting.deepar import DeepAR, DeepARConfig, _lags
from sensorium.models.forecasting.prediction import Prediction

HORIZON, LENGTH, ITEMS = 24, 24 * 20, 8


def promoted_series(seed: int = 3) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """(histories, promotion flags over history + horizon, actual horizon values): a daily
    cycle plus an 80 % lift in the hours on promotion (about one in eight)."""
    rng = np.random.default_rng(seed)
    hours = np.arange(LENGTH + HORIZON)
    histories, flags, actual = [], [], []
    for item in range(ITEMS):
        level = 20.0 + 10 * item
        promo = (rng.random(len(hours)) < 0.125).astype(np.float64)
        values = level * (1 + 0.3 * np.sin(2 * np.pi * hours / 24) + 0.8 * promo)
        values += rng.normal(0, 0.02 * level, len(hours))
        histories.append(values[:LENGTH])
        flags.append(promo[:, None])
        actual.append(values[LENGTH:])
    return histories, flags, np.array(actual)


@pytest.fixture(autouse=True)
def one_thread() -> None:
    torch.set_num_threads(1)


def test_known_promotions_improve_the_forecast() -> None:
    histories, flags, actual = promoted_series()
    model = DeepAR(DeepARConfig(steps=300))
    blind = model.forecast(histories, HORIZON, 24)
    informed = model.forecast(histories, HORIZON, 24, covariates=flags)

    def wape(predictions: list[Prediction]) -> float:
        return metrics.wape(actual, np.array([p.quantile(0.5) for p in predictions]))

    assert wape(informed) < 0.6 * wape(blind), (wape(informed), wape(blind))
    # And the lift is where the flags are: promoted hours forecast higher than the same
    # items' other hours of the same day-part.
    p50 = np.array([p.quantile(0.5) for p in informed])
    future = np.array([f[LENGTH:, 0] for f in flags]).astype(bool)
    assert future.any()
    assert np.mean(p50[future] / actual[future]) == pytest.approx(1.0, abs=0.15)


def test_a_backtest_fit_reads_the_same_seasonal_lags_as_the_final_fit() -> None:
    # One short series must not take the seasonal lag away from the shorter backtest fits
    # while the final fit keeps it: the backtests would not test the final model.
    final = [np.ones(n) for n in (40, 200, 300)]
    backtest = [series[:-12] for series in final]
    assert _lags(final, 12) == _lags(backtest, 12)
    assert 12 in _lags(final, 12)
    assert 12 not in _lags([np.ones(30)] * 3, 12)  # too short for three seasons: no lag
