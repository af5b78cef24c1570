"""Seasonal naive and an NPTS-like non-parametric forecaster (local, per series)."""

from __future__ import annotations

import numpy as np

from sensorium.models.forecasting.local import LocalForecaster
from sensorium.models.forecasting.prediction import (
    LEVELS,
    Array,
    Prediction,
    from_gaussian,
)
from sensorium.models.forecasting.statistical import is_seasonal


class SeasonalNaive(LocalForecaster):
    """Repeat the last season; Gaussian bands from the in-sample seasonal-naive residuals,
    widening with the number of seasons ahead (Hyndman & Athanasopoulos, section 5.5)."""

    name = "Seasonal_Naive"

    def _one(self, history: Array, horizon: int, season: int) -> Prediction:
        lag = season if len(history) >= 2 * season else 1
        steps = np.arange(horizon)
        last = history[-lag:]
        mean = last[steps % lag]
        residuals = history[lag:] - history[:-lag]
        sigma = float(np.std(residuals)) if len(residuals) > 1 else 0.0
        seasons_ahead = steps // lag + 1
        return from_gaussian(mean.astype(np.float64), sigma * np.sqrt(seasons_ahead))


class NPTS(LocalForecaster):
    """Non-parametric time series forecaster in the spirit of Amazon's NPTS.

    Each future step's distribution is the empirical distribution of past observations at
    the same seasonal phase (all past observations when there is no season), weighted by an
    exponential kernel on their age, so recent seasons count most. Quantiles are read off the
    weighted empirical CDF; nothing is fitted.
    """

    name = "NPTS"

    def __init__(self, decay: float = 0.2, context_seasons: int = 30) -> None:
        self.decay = decay
        self.context_seasons = context_seasons

    def _one(self, history: Array, horizon: int, season: int) -> Prediction:
        period = season if is_seasonal(history, season) else 1
        # Without a season the kernel runs over single steps: decay faster in step units.
        decay = self.decay if period > 1 else self.decay / 2
        length = len(history)
        means = np.empty(horizon)
        quantiles = np.empty((len(LEVELS), horizon))
        for step in range(horizon):
            target = length + step
            phase_start = (target - length) % period if period > 1 else 0
            candidates = np.arange(length - period + phase_start, -1, -period)[
                : self.context_seasons * (1 if period > 1 else 4)
            ]
            ages = (target - candidates) / period
            weights = np.exp(-decay * ages)
            values = history[candidates]
            means[step] = np.average(values, weights=weights)
            quantiles[:, step] = _weighted_quantiles(values, weights)
        return Prediction(means, quantiles)


def _weighted_quantiles(values: Array, weights: Array) -> Array:
    order = np.argsort(values)
    sorted_values = values[order]
    cumulative = np.cumsum(weights[order])
    cumulative = (cumulative - 0.5 * weights[order]) / cumulative[-1]
    return np.interp(LEVELS, cumulative, sorted_values)
