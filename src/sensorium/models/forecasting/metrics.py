"""Accuracy metrics as Amazon Forecast defines them, plus M4's sMAPE.

Arrays are (items, horizon); ``scales`` are each item's MASE denominators (the in-sample
mean absolute seasonal difference of its history).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def wape(actual: Array, forecast: Array) -> float:
    """sum |y - yhat| / sum |y|."""
    return float(np.abs(actual - forecast).sum() / max(np.abs(actual).sum(), 1e-12))


def rmse(actual: Array, forecast: Array) -> float:
    return float(np.sqrt(np.mean((actual - forecast) ** 2)))


def mape(actual: Array, forecast: Array) -> float:
    """mean |(y - yhat) / y| over points whose actual value is not zero."""
    nonzero = actual != 0
    if not nonzero.any():
        return float("nan")
    return float(np.mean(np.abs((actual[nonzero] - forecast[nonzero]) / actual[nonzero])))


def mase(actual: Array, forecast: Array, scales: Array) -> float:
    """Each item's mean absolute error over its seasonal-naive scale, averaged over items."""
    usable = scales > 0
    if not usable.any():
        return float("nan")
    errors = np.abs(actual - forecast).mean(axis=1)
    return float(np.mean(errors[usable] / scales[usable]))


def weighted_quantile_loss(actual: Array, quantile: Array, tau: float) -> float:
    """2 * sum(tau * max(y - q, 0) + (1 - tau) * max(q - y, 0)) / sum |y|."""
    over = np.maximum(actual - quantile, 0.0)
    under = np.maximum(quantile - actual, 0.0)
    loss = 2.0 * (tau * over + (1.0 - tau) * under).sum()
    return float(loss / max(np.abs(actual).sum(), 1e-12))


def smape(actual: Array, forecast: Array) -> float:
    """M4's sMAPE in percent: mean of 200 |y - yhat| / (|y| + |yhat|)."""
    denominator = np.abs(actual) + np.abs(forecast)
    ratio = np.where(denominator > 0, np.abs(actual - forecast) / np.maximum(denominator, 1e-12), 0)
    return float(200.0 * np.mean(ratio))


def seasonal_scale(history: Array, season: int) -> float:
    """MASE's denominator; falls back to lag 1 when the history is shorter than two seasons."""
    lag = season if len(history) > season else 1
    if len(history) <= lag:
        return 0.0
    return float(np.mean(np.abs(history[lag:] - history[:-lag])))
