"""Calibrated quantiles: every forecaster's band widths corrected on its own backtests.

The forecasters' bands come from their own assumptions (Gaussian errors, a sampled
likelihood, past values at the same phase) and can be far from honest: on monthly series the
AutoPredictor's p10-p90 band held 53 % of held-out points. The correction here never moves
the median (the point forecast) or the mean; it only stretches or shrinks each quantile's
distance from the p50, by one factor per quantile level, learnt from backtest windows:

* above the median, a backtest point's *ratio* at level tau is ``(y - p50) / (q_tau - p50)``
  (0 for points at or below the p50, which any non-negative factor covers); the factor is the
  tau-quantile of those ratios, so that a share tau of the backtest points fall at or below
  ``p50 + factor * (q_tau - p50)``. Below the median the same with the distances mirrored
  and the (1 - tau)-quantile. Lower and upper sides are fitted separately (skewed errors).
* the factors are pooled over every item and window of one candidate's backtest: one
  predictor is one dataset group at one frequency, so that is per frequency and group. The
  model's own widening with the steps ahead and per-item scale are kept.
* each factor is shrunk toward 1 in log space by ``pairs / (pairs + SHRINK_PAIRS)``, where
  ``pairs`` counts the (item, window) pairs it saw: a handful of short series barely move
  their bands, a backtest with nothing to check leaves them as they are.

``fit`` takes as many windows as it is given; the service gives it the requested backtest
windows plus older ones (``CALIBRATION_WINDOWS`` in all), so that one unusual period does not
set the width (see docs/forecast.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from sensorium.models.forecasting.prediction import LEVELS, Array, Prediction

if TYPE_CHECKING:  # evaluation uses this module: only the type is needed here
    from sensorium.models.forecasting.evaluation import Window

CALIBRATION_WINDOWS = 3  # backtest windows (at least) the width factors are fitted on
SHRINK_PAIRS = 10.0  # (item, window) pairs at which a factor moves halfway to its estimate
MIN_FACTOR, MAX_FACTOR = 0.2, 8.0  # a band is never squeezed or stretched past these
FOLDS = 5  # cross-fitting folds over items, for honest backtest scores of calibrated bands
_MEDIAN = 49  # row of 0.5 in LEVELS
_LOWER = LEVELS < 0.5


@dataclass(frozen=True)
class Calibration:
    """Per level of ``LEVELS``, the factor on its distance from the p50 (1 at the p50)."""

    factors: Array  # (len(LEVELS),)
    pairs: int  # (item, window) pairs it was fitted on (0: nothing to check, no change)

    def apply(self, prediction: Prediction, nonnegative: bool = False) -> Prediction:
        """The prediction with each quantile's distance from the p50 scaled; the p50 and the
        mean are the model's own. ``nonnegative`` (the history never went below zero) cuts
        the band at zero, which loses no coverage."""
        if self.pairs == 0:
            return prediction
        median = prediction.quantiles[_MEDIAN]
        distance = prediction.quantiles - median[None, :]
        quantiles = np.sort(median[None, :] + self.factors[:, None] * distance, axis=0)
        if nonnegative:  # never above the p50: a negative p50 stays as it is
            quantiles = np.maximum(quantiles, np.minimum(median, 0.0)[None, :])
        return Prediction(prediction.mean, quantiles.astype(np.float64))


IDENTITY = Calibration(np.ones(len(LEVELS)), 0)


def fit(windows: Sequence[Window], shrink: float = SHRINK_PAIRS) -> Calibration:
    """The width factors learnt from backtest windows (with their predictions)."""
    ratios, pairs = _ratios(windows)
    if pairs == 0 or ratios.shape[1] == 0:
        return IDENTITY
    # a share tau of the points at or below the level above the median, 1 - tau beyond it below
    targets = np.where(LEVELS > 0.5, LEVELS, 1.0 - LEVELS)
    estimate = np.array([np.quantile(row, tau) for row, tau in zip(ratios, targets, strict=True)])
    estimate = np.clip(estimate, MIN_FACTOR, MAX_FACTOR)
    weight = pairs / (pairs + shrink)
    factors = np.exp(weight * np.log(estimate))
    factors[_MEDIAN] = 1.0
    return Calibration(factors.astype(np.float64), pairs)


def cross_fitted(
    windows: list[Window], extra: Sequence[Window] = (), folds: int = FOLDS
) -> list[Window]:
    """The windows with calibrated predictions, each item's corrected by factors fitted on
    the other items only (in ``windows`` and the older ``extra`` windows): scoring a band on
    the points that set it would flatter it. A single item is calibrated on itself."""
    pooled = [*windows, *extra]
    items = sorted({item for window in pooled for item in window.items})
    if len(items) < 2:
        calibration = fit(pooled)
        return [_with(w, [calibration.apply(p) for p in w.predictions]) for w in windows]
    fold_of = {item: rank % min(folds, len(items)) for rank, item in enumerate(items)}
    calibrations = {
        fold: fit([_subset(w, {i for i, f in fold_of.items() if f != fold}) for w in pooled])
        for fold in set(fold_of.values())
    }
    return [
        _with(
            w,
            [
                calibrations[fold_of[item]].apply(p)
                for item, p in zip(w.items, w.predictions, strict=True)
            ],
        )
        for w in windows
    ]


def apply_plan(
    plan: Sequence[tuple[str, ...]],
    predictions: list[Prediction],
    calibrations: dict[str, Calibration],
    histories: list[Array],
) -> list[Prediction]:
    """Each item's forecast corrected by the calibration of its plan's candidate ("A" or
    "A+B"); non-negative histories keep non-negative quantiles."""
    return [
        calibrations.get("+".join(names), IDENTITY).apply(p, bool(np.all(history >= 0)))
        for names, p, history in zip(plan, predictions, histories, strict=True)
    ]


def coverage(actual: Array, predictions: list[Prediction], tau: float) -> float:
    """The share of actual values at or below each prediction's ``tau`` quantile."""
    bound = np.array([p.quantile(tau) for p in predictions])
    return float(np.mean(actual <= bound))


def _ratios(windows: Sequence[Window]) -> tuple[Array, int]:
    """(len(LEVELS), points): how far each backtest point lies from the p50, in units of each
    level's distance from it (0 on the side the level does not bound); and the number of
    (item, window) pairs with at least one point."""
    columns = []
    pairs = 0
    for window in windows:
        for row, prediction in enumerate(window.predictions):
            actual = window.actual[row]
            finite = np.isfinite(actual)
            if not finite.any():
                continue
            pairs += 1
            median = prediction.quantiles[_MEDIAN]
            above = (actual - median)[None, :]
            distance = prediction.quantiles - median[None, :]
            distance[_LOWER] *= -1
            above = np.where(_LOWER[:, None], -above, above)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(
                    above <= 0, 0.0, np.where(distance > 0, above / distance, MAX_FACTOR)
                )
            # clipping first changes no quantile that the factor's own clip would keep
            columns.append(np.minimum(ratio[:, finite], MAX_FACTOR))
    if not columns:
        return np.zeros((len(LEVELS), 0)), 0
    return np.concatenate(columns, axis=1), pairs


def _subset(window: Window, keep: set[int]) -> Window:
    rows = [row for row, item in enumerate(window.items) if item in keep]
    return replace(
        window,
        items=[window.items[row] for row in rows],
        actual=window.actual[rows] if rows else window.actual[:0],
        scales=window.scales[rows] if rows else window.scales[:0],
        predictions=[window.predictions[row] for row in rows] if window.predictions else [],
    )


def _with(window: Window, predictions: list[Prediction]) -> Window:
    return replace(window, predictions=predictions)
