"""A probabilistic forecast for one series: its mean and a grid of quantiles per step."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

# Amazon Forecast accepts quantiles 0.01 to 0.99 in steps of 0.01 (and "mean").
LEVELS: Array = np.round(np.arange(1, 100) / 100.0, 2)


@dataclass(frozen=True)
class Prediction:
    mean: Array  # (horizon,)
    quantiles: Array  # (len(LEVELS), horizon), non-decreasing down the first axis

    def quantile(self, tau: float) -> Array:
        index = round(tau * 100) - 1
        if not 0 <= index < len(LEVELS) or abs(LEVELS[index] - tau) > 1e-9:
            raise ValueError(f"quantile {tau} is not on the 0.01 grid")
        row: Array = self.quantiles[index]
        return row


def from_gaussian(mean: Array, std: Array) -> Prediction:
    std = np.maximum(np.nan_to_num(std, nan=0.0), 0.0)
    z = np.array([NormalDist().inv_cdf(level) for level in LEVELS])[:, None]
    return Prediction(mean.astype(np.float64), mean[None, :] + z * std[None, :])


def from_samples(samples: Array) -> Prediction:
    """``samples`` is (paths, horizon)."""
    quantiles = np.quantile(samples, LEVELS, axis=0)
    return Prediction(samples.mean(axis=0), np.sort(quantiles, axis=0))


def average(predictions: list[Prediction]) -> Prediction:
    """Quantile averaging (Vincentization): the ensemble of several forecasts of one series."""
    mean = np.mean([p.mean for p in predictions], axis=0)
    quantiles = np.mean([p.quantiles for p in predictions], axis=0)
    return Prediction(mean, np.sort(quantiles, axis=0))


def clip_nonnegative(prediction: Prediction) -> Prediction:
    return Prediction(np.maximum(prediction.mean, 0.0), np.maximum(prediction.quantiles, 0.0))
