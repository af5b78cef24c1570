"""Amazon Forecast's accuracy metrics against a hand-computed example."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sensorium.models.forecasting import metrics

ACTUAL = np.array([[10.0, 20.0], [0.0, 4.0]])
MEAN = np.array([[12.0, 18.0], [1.0, 4.0]])


def test_point_metrics_by_hand() -> None:
    # |errors| = 2, 2, 1, 0 -> sum 5; sum |actual| = 34
    assert metrics.wape(ACTUAL, MEAN) == pytest.approx(5 / 34)
    # squared errors 4, 4, 1, 0 -> mean 2.25 -> 1.5
    assert metrics.rmse(ACTUAL, MEAN) == pytest.approx(1.5)
    # zero actuals are skipped: (0.2 + 0.1 + 0) / 3
    assert metrics.mape(ACTUAL, MEAN) == pytest.approx(0.1)
    # item errors 2 and 0.5 over scales 4 and 1 -> (0.5 + 0.5) / 2
    assert metrics.mase(ACTUAL, MEAN, np.array([4.0, 1.0])) == pytest.approx(0.5)


def test_weighted_quantile_loss_by_hand() -> None:
    q = np.array([[8.0, 25.0], [0.0, 3.0]])
    # tau = 0.9: under-forecasts 2 (x0.9), 1 (x0.9); over-forecast 5 (x0.1)
    expected = 2 * (0.9 * 2 + 0.1 * 5 + 0.9 * 1) / 34
    assert metrics.weighted_quantile_loss(ACTUAL, q, 0.9) == pytest.approx(expected)


def test_seasonal_scale_and_smape() -> None:
    history = np.array([1.0, 2.0, 3.0, 2.0, 3.0, 4.0])
    assert metrics.seasonal_scale(history, 3) == pytest.approx(1.0)
    assert metrics.seasonal_scale(np.array([1.0, 3.0]), 3) == pytest.approx(2.0)
    assert metrics.smape(np.array([[100.0]]), np.array([[50.0]])) == pytest.approx(200 * 50 / 150)
    assert math.isnan(metrics.mape(np.zeros((1, 2)), np.ones((1, 2))))
