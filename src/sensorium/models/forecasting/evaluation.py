"""Backtesting: forecast held-out windows at the end of each series, score them, and pick
(or ensemble) the best algorithm, as AutoPredictor does."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sensorium.models.forecasting import metrics
from sensorium.models.forecasting.algorithms import Forecaster
from sensorium.models.forecasting.prediction import Array, Prediction, average

MIN_TRAINING_POINTS = 3
OPTIMIZATION_METRICS = ("AverageWeightedQuantileLoss", "WAPE", "RMSE", "MASE", "MAPE")


@dataclass
class Window:
    """One backtest window: the last ``horizon`` points before ``offset`` from each end."""

    index: int  # 0 = the latest window
    end_offset: int  # points between the window's end and the series' end
    items: list[int]  # items long enough to be tested in this window
    actual: Array  # (items, horizon)
    scales: Array  # MASE denominators from each item's training part
    predictions: list[Prediction] = field(default_factory=list)


@dataclass(frozen=True)
class Scores:
    rmse: float
    weighted_quantile_losses: dict[float, float]
    error_metrics: dict[str, dict[str, float]]  # forecast type -> WAPE/RMSE/MASE/MAPE

    @property
    def average_weighted_quantile_loss(self) -> float:
        losses = list(self.weighted_quantile_losses.values())
        return float(np.mean(losses)) if losses else math.nan

    def value(self, metric: str) -> float:
        if metric == "AverageWeightedQuantileLoss":
            return self.average_weighted_quantile_loss
        if metric == "RMSE":
            return self.rmse
        return self.error_metrics["mean"][metric]


def windows(
    histories: list[Array], horizon: int, season: int, count: int, offset: int
) -> list[Window]:
    """The backtest windows (without predictions); the latest ends ``offset - horizon``
    points before each series' end, earlier ones one horizon apart."""
    result = []
    for index in range(count):
        end_offset = offset - horizon + index * horizon
        items, actual, scales = [], [], []
        for item, series in enumerate(histories):
            end = len(series) - end_offset
            if end - horizon < MIN_TRAINING_POINTS:
                continue
            items.append(item)
            actual.append(series[end - horizon : end])
            scales.append(metrics.seasonal_scale(series[: end - horizon], season))
        result.append(Window(index, end_offset, items, np.array(actual), np.array(scales)))
    return result


def training_part(histories: list[Array], window: Window, horizon: int) -> list[Array]:
    return [
        histories[item][: len(histories[item]) - window.end_offset - horizon]
        for item in window.items
    ]


def backtest(
    forecaster: Forecaster,
    histories: list[Array],
    horizon: int,
    season: int,
    count: int = 1,
    offset: int | None = None,
    seed: int = 0,
) -> list[Window]:
    evaluated = windows(histories, horizon, season, count, offset or horizon)
    for window in evaluated:
        if window.items:
            window.predictions = forecaster.forecast(
                training_part(histories, window, horizon), horizon, season, seed
            )
    return evaluated


def score(window: Window, quantiles: list[float], forecast_types: list[str]) -> Scores:
    actual = window.actual
    mean = np.array([p.mean for p in window.predictions])
    losses = {
        tau: metrics.weighted_quantile_loss(
            actual, np.array([p.quantile(tau) for p in window.predictions]), tau
        )
        for tau in quantiles
    }
    errors: dict[str, dict[str, float]] = {}
    for kind in dict.fromkeys([*forecast_types, "mean"]):
        point = (
            mean
            if kind == "mean"
            else np.array([p.quantile(float(kind)) for p in window.predictions])
        )
        errors[kind] = {
            "WAPE": metrics.wape(actual, point),
            "RMSE": metrics.rmse(actual, point),
            "MASE": metrics.mase(actual, point, window.scales),
            "MAPE": metrics.mape(actual, point),
        }
    return Scores(metrics.rmse(actual, mean), losses, errors)


def summary(scores: list[Scores]) -> Scores:
    """The average over windows (AWS's SUMMARY evaluation)."""
    first = scores[0]
    return Scores(
        float(np.mean([s.rmse for s in scores])),
        {
            tau: float(np.mean([s.weighted_quantile_losses[tau] for s in scores]))
            for tau in first.weighted_quantile_losses
        },
        {
            kind: {
                name: float(np.mean([s.error_metrics[kind][name] for s in scores]))
                for name in first.error_metrics[kind]
            }
            for kind in first.error_metrics
        },
    )


@dataclass(frozen=True)
class Choice:
    algorithms: tuple[str, ...]  # one name, or two for an ensemble
    metric: str
    values: dict[str, float]  # candidate label -> its backtest value of ``metric``
    reason: str


def choose(
    results: dict[str, list[Window]],
    metric: str,
    quantiles: list[float],
    forecast_types: list[str],
) -> Choice:
    """The candidate with the lowest backtest ``metric``; the quantile average of the best two
    also competes (an ensemble wins only when it scores better than either alone)."""
    values = {
        name: summary([score(w, quantiles, forecast_types) for w in windows_ if w.items]).value(
            metric
        )
        for name, windows_ in results.items()
    }
    ranked = sorted((v, name) for name, v in values.items() if math.isfinite(v))
    if not ranked:
        raise ValueError("no algorithm produced a finite backtest score")
    best = ranked[0][1]
    label = best
    chosen: tuple[str, ...] = (best,)
    if len(ranked) > 1:
        second = ranked[1][1]
        ensemble = [
            Window(
                w.index,
                w.end_offset,
                w.items,
                w.actual,
                w.scales,
                [average([a, b]) for a, b in zip(w.predictions, v.predictions, strict=True)],
            )
            for w, v in zip(results[best], results[second], strict=True)
            if w.items
        ]
        label_ensemble = f"{best}+{second}"
        values[label_ensemble] = summary(
            [score(w, quantiles, forecast_types) for w in ensemble]
        ).value(metric)
        if values[label_ensemble] < values[best]:
            chosen, label = (best, second), label_ensemble
    listing = ", ".join(
        f"{name} {value:.4g}" for name, value in sorted(values.items(), key=lambda kv: kv[1])
    )
    reason = f"Chose {label}: lowest {metric} on the backtest ({listing})."
    return Choice(chosen, metric, values, reason)
