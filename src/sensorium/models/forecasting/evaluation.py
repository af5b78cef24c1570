"""Backtesting: forecast held-out windows at the end of each series, score them, and pick
(or ensemble) the best algorithm, as AutoPredictor does."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sensorium.models.forecasting import calibration, metrics
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
    histories: list[Array],
    horizon: int,
    season: int,
    count: int,
    offset: int,
    min_training: int = MIN_TRAINING_POINTS,
) -> list[Window]:
    """The backtest windows (without predictions); the latest ends ``offset - horizon``
    points before each series' end, earlier ones one horizon apart. An item is tested in a
    window when at least ``min_training`` points precede it."""
    result = []
    for index in range(count):
        end_offset = offset - horizon + index * horizon
        items, actual, scales = [], [], []
        for item, series in enumerate(histories):
            end = len(series) - end_offset
            if end - horizon < min_training:
                continue
            items.append(item)
            actual.append(series[end - horizon : end])
            scales.append(metrics.seasonal_scale(series[: end - horizon], season))
        result.append(Window(index, end_offset, items, np.array(actual), np.array(scales)))
    return result


def older_backtest(
    forecaster: Forecaster,
    histories: list[Array],
    horizon: int,
    season: int,
    requested: int,
    offset: int | None = None,
    seed: int = 0,
    covariates: list[Array] | None = None,
) -> list[Window]:
    """The backtest windows before the ``requested`` ones, up to
    ``calibration.CALIBRATION_WINDOWS`` in all, for calibrating band widths only. Only items
    with two seasons of training before a window are tested in it: a model fitted on less is
    weaker than the final one, and its errors would widen the final bands too much."""
    count = calibration.CALIBRATION_WINDOWS - requested
    if count <= 0:
        return []
    start = (offset or horizon) + requested * horizon
    least = max(MIN_TRAINING_POINTS, 2 * season)
    return backtest(forecaster, histories, horizon, season, count, start, seed, covariates, least)


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
    covariates: list[Array] | None = None,
    min_training: int = MIN_TRAINING_POINTS,
) -> list[Window]:
    """``covariates`` as for ``Forecaster.forecast``: they cover each whole series and the
    horizon; each window sees them up to its own end."""
    evaluated = windows(histories, horizon, season, count, offset or horizon, min_training)
    for window in evaluated:
        if window.items:
            train = training_part(histories, window, horizon)
            related = (
                None
                if covariates is None
                else [
                    covariates[item][: len(part) + horizon]
                    for item, part in zip(window.items, train, strict=True)
                ]
            )
            window.predictions = forecaster.forecast(
                train, horizon, season, seed, covariates=related
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


# Per-item choices are made only among candidates whose pooled backtest value is within this
# factor of the best: an item's own backtest is short, and picking among globally poor
# candidates on it mostly fits noise (M4 Weekly: per-item choice over every candidate did
# worse than the best global candidate; see docs/forecast.md).
CANDIDATE_TOLERANCE = 1.3
# Within the pool, a candidate that trails the best over all items must beat it on an item by
# that share (times this factor) of the item's typical loss to be chosen for it: the item's
# own backtest is one short window, and a ranking over every item is the steadier evidence.
# Measured in docs/benchmarks.md (issue 23, third run): better than the item's window alone on
# five of six samples, worse on one.
POOLED_WEIGHT = 1.0


@dataclass(frozen=True)
class Choice:
    plan: list[tuple[str, ...]]  # per item: one algorithm, or two whose forecasts are averaged
    metric: str
    values: dict[str, float]  # candidate label -> its pooled backtest value of ``metric``
    windows: list[Window]  # the plan's own backtest (each item forecast by its candidate)
    reason: str
    # candidate label -> its width calibration (identity for every label unless calibrated)
    calibrations: dict[str, calibration.Calibration] = field(default_factory=dict)

    @property
    def algorithms(self) -> tuple[str, ...]:
        """Every algorithm the plan uses, most-used first."""
        counts: dict[str, int] = {}
        for names in self.plan:
            for name in names:
                counts[name] = counts.get(name, 0) + 1
        return tuple(sorted(counts, key=lambda name: -counts[name]))


def choose(
    results: dict[str, list[Window]],
    metric: str,
    quantiles: list[float],
    forecast_types: list[str],
    count: int,
    tolerance: float = CANDIDATE_TOLERANCE,
    pairs: bool = True,
    calibrate: bool = False,
    extra: dict[str, list[Window]] | None = None,
    pooled_weight: float = POOLED_WEIGHT,
) -> Choice:
    """Per item (``count`` of them), the candidate with the lowest backtest ``metric`` on
    that item.

    Candidates are the algorithms and (with ``pairs``) the quantile averages of every pair of
    them. Only those whose pooled backtest value (over all items) is within ``tolerance`` of
    the best compete for an item, and one that trails the best over all items must beat it
    on the item by more than that (``pooled_weight``); items missing from every backtest
    window take the best pooled candidate. ``tolerance=1.0, pairs=False`` is the legacy
    AutoML choice: one algorithm for every item.

    With ``calibrate`` (as the service and the CLI ask), every candidate is judged on its
    calibrated quantiles (``calibration.cross_fitted``) and the choice carries each
    candidate's calibration, fitted on its windows and the older ``extra`` windows (by
    algorithm, as ``results``; only for calibrating, never scored)."""
    candidates = _candidates(results) if pairs else dict(results)
    calibrations: dict[str, calibration.Calibration] = {}
    if calibrate:
        older = (_candidates(extra) if pairs else dict(extra)) if extra else {}
        calibrations = {
            label: calibration.fit([*w, *older.get(label, [])]) for label, w in candidates.items()
        }
        candidates = {
            label: calibration.cross_fitted(w, older.get(label, []))
            for label, w in candidates.items()
        }
    values = {
        label: _value(windows_, metric, quantiles, forecast_types)
        for label, windows_ in candidates.items()
    }
    ranked = sorted((v, label) for label, v in values.items() if math.isfinite(v))
    if not ranked:
        raise ValueError("no algorithm produced a finite backtest score")
    best_value, best = ranked[0]
    pool = [label for value, label in ranked if value <= _limit(best_value, tolerance)]
    item_values = {
        label: _item_values(candidates[label], count, metric, quantiles, forecast_types)
        for label in pool
    }
    plan_labels = []
    for item in range(count):
        scored = [(item_values[label][item], rank, label) for rank, label in enumerate(pool)]
        finite = [entry for entry in scored if math.isfinite(entry[0])]
        plan_labels.append(
            _item_choice(finite, values, best_value, pooled_weight) if finite else best
        )
    plan = [tuple(label.split("+")) for label in plan_labels]
    windows_ = _plan_windows(candidates, plan_labels)
    values["per-item plan"] = _value(windows_, metric, quantiles, forecast_types)
    reason = _reason(metric, values, pool, plan_labels)
    return Choice(plan, metric, values, windows_, reason, calibrations)


def _item_choice(
    scored: list[tuple[float, int, str]], pooled: dict[str, float], best: float, weight: float
) -> str:
    """The candidate with the lowest item value after each pays for how far its pooled
    value trails the best (times ``weight``), in units of the item's mean value."""
    level = float(np.mean([value for value, _, _ in scored]))
    penalised = [
        (value + weight * level * _shortfall(pooled[label], best), rank, label)
        for value, rank, label in scored
    ]
    return min(penalised)[2]


def _shortfall(value: float, best: float) -> float:
    return (value - best) / best if best > 0 else 0.0


def _candidates(results: dict[str, list[Window]]) -> dict[str, list[Window]]:
    names = list(results)
    candidates = dict(results)
    for first_index, first in enumerate(names):
        for second in names[first_index + 1 :]:
            if len(results[first]) != len(results[second]):
                continue  # older windows that one of the two could not be backtested on
            candidates[f"{first}+{second}"] = [
                _replace(
                    a, [average([p, q]) for p, q in zip(a.predictions, b.predictions, strict=True)]
                )
                for a, b in zip(results[first], results[second], strict=True)
            ]
    return candidates


def _replace(window: Window, predictions: list[Prediction]) -> Window:
    return Window(
        window.index, window.end_offset, window.items, window.actual, window.scales, predictions
    )


def _value(
    windows_: list[Window], metric: str, quantiles: list[float], forecast_types: list[str]
) -> float:
    scored = [score(w, quantiles, forecast_types) for w in windows_ if w.items]
    return summary(scored).value(metric) if scored else math.nan


def _limit(best: float, tolerance: float) -> float:
    return best * tolerance if best >= 0 else best / tolerance


def _item_values(
    windows_: list[Window],
    count: int,
    metric: str,
    quantiles: list[float],
    forecast_types: list[str],
) -> list[float]:
    """Each item's ``metric`` on its own, averaged over the windows that test it."""
    totals = np.zeros(count)
    seen = np.zeros(count)
    for window in windows_:
        for row, item in enumerate(window.items):
            single = Window(
                window.index,
                window.end_offset,
                [item],
                window.actual[row : row + 1],
                window.scales[row : row + 1],
                [window.predictions[row]],
            )
            value = score(single, quantiles, forecast_types).value(metric)
            if math.isfinite(value):
                totals[item] += value
                seen[item] += 1
    return [float(t / n) if n else math.nan for t, n in zip(totals, seen, strict=True)]


def _plan_windows(candidates: dict[str, list[Window]], plan_labels: list[str]) -> list[Window]:
    first = next(iter(candidates.values()))
    windows_ = []
    for index, window in enumerate(first):
        predictions = [
            candidates[plan_labels[item]][index].predictions[row]
            for row, item in enumerate(window.items)
        ]
        windows_.append(_replace(window, predictions))
    return windows_


def _reason(metric: str, values: dict[str, float], pool: list[str], plan: list[str]) -> str:
    counts: dict[str, int] = {}
    for label in plan:
        counts[label] = counts.get(label, 0) + 1
    used = ", ".join(
        f"{label} for {n} item{'s' if n != 1 else ''}"
        for label, n in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    listing = ", ".join(
        f"{label} {value:.4g}"
        for label, value in sorted(values.items(), key=lambda kv: kv[1])
        if math.isfinite(value)
    )
    if len(counts) == 1:
        head = f"Chose {plan[0]}: lowest {metric} on the backtest"
    else:
        head = (
            f"Chose per item by the lowest {metric} on its backtest, among "
            f"{', '.join(pool)}: {used}"
        )
    return f"{head} (pooled backtest {metric}: {listing})."
