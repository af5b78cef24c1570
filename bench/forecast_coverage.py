"""Do the forecast bands mean what they say? Coverage and sMAPE before and after calibration.

    nice .venv/bin/python -m bench.forecast_coverage --series 60 [--sets Hourly,Weekly,Monthly]

Sets: M4 Hourly (horizon 48) and Weekly (13), and monthly series built from the M4 Weekly
series (training and test parts joined, each week's value spread evenly over its 7 days from
a nominal start on Monday 2000-01-03, summed per calendar month, partial months dropped;
horizon 12; series with at least 48 months). ``--series`` are taken evenly spaced through
each file; the last horizon of each series is held out and never seen by a model, a backtest
or a calibration.

Both columns come from the same run and the same final forecasts of the held-out horizon:

* before: main without calibration: every algorithm's own bands, and the AutoPredictor's
  per-item choice made on one backtest window (the default NumberOfBacktestWindows) with
  the raw quantiles, each item's candidate picked on that item's window alone;
* after: the width calibration (``sensorium.models.forecasting.calibration``), fitted on that
  window plus older ones (``CALIBRATION_WINDOWS`` in all), and the AutoPredictor's choice made
  on the calibrated quantiles, weighing the ranking over all items (``POOLED_WEIGHT``), as the
  service does.

Reported: p10-p90 coverage (share of actuals inside, nominal 0.80), share at or below the
p50 (0.50), at or below p05 / p95 (0.05 / 0.95), sMAPE of the p50 (M4's) and the mean
weighted quantile loss over p10, p50, p90.

``--cache DIR`` keeps each algorithm's forecasts (final, backtest and older windows) per set,
series count and steps, so that a change to the calibration or the choice is measured again
on the same forecasts without training the models again.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import pickle
import time
from pathlib import Path

import numpy as np
import torch

from sensorium.models.forecasting import calibration, metrics
from sensorium.models.forecasting.algorithms import ALGORITHMS, Forecaster, make
from sensorium.models.forecasting.evaluation import (
    POOLED_WEIGHT,
    Window,
    backtest,
    choose,
    older_backtest,
)
from sensorium.models.forecasting.prediction import Array, Prediction, average

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DATA = Path(os.environ.get("SENSORIUM_BENCH_DATA", SHARED)) / "forecasting" / "m4"
SETS = {"Hourly": (48, 24), "Weekly": (13, 52), "Monthly": (12, 12)}  # horizon, season
MIN_MONTHS = 48
METRIC = "AverageWeightedQuantileLoss"
QUANTILES = [0.1, 0.5, 0.9]


def read_m4(name: str) -> tuple[list[Array], list[Array]]:
    def read(path: Path) -> list[Array]:
        with path.open() as handle:
            rows = list(csv.reader(handle))[1:]
        return [np.array([float(c) for c in row[1:] if c]) for row in rows]

    return read(DATA / f"{name}-train.csv"), read(DATA / f"{name}-test.csv")


def monthly(weekly: Array) -> Array:
    """Weekly values as calendar-month sums (each week's value spread over its 7 days)."""
    start = dt.date(2000, 1, 3)
    daily = np.repeat(weekly / 7.0, 7)
    days = [start + dt.timedelta(days=offset) for offset in range(len(daily))]
    keys = np.array([day.year * 12 + day.month - 1 for day in days])
    first, last = keys[0], keys[-1]
    complete = (keys > first) & (keys < last)  # the first and last months are partial
    sums = np.bincount(keys[complete] - first - 1, weights=daily[complete])
    return np.asarray(sums, dtype=np.float64)


def load(name: str, count: int) -> tuple[list[Array], Array]:
    horizon = SETS[name][0]
    if name in ("Hourly", "Weekly"):
        train, test = read_m4(name)
        pairs = list(zip(train, test, strict=True))
    else:
        train, test = read_m4("Weekly")
        full = [monthly(np.concatenate([a, b])) for a, b in zip(train, test, strict=True)]
        pairs = [(s[:-horizon], s[-horizon:]) for s in full if len(s) >= MIN_MONTHS]
    picked = np.unique(np.linspace(0, len(pairs) - 1, min(count, len(pairs))).astype(int))
    return [pairs[i][0] for i in picked], np.array([pairs[i][1] for i in picked])


def row(name: str, label: str, test: Array, predictions: list[Prediction]) -> str:
    def bound(tau: float) -> Array:
        return np.array([p.quantile(tau) for p in predictions])

    inside = float(np.mean((test >= bound(0.1)) & (test <= bound(0.9))))
    below = [calibration.coverage(test, predictions, tau) for tau in (0.5, 0.05, 0.95)]
    smape = metrics.smape(test, bound(0.5))
    wql = np.mean([metrics.weighted_quantile_loss(test, bound(t), t) for t in QUANTILES])
    return (
        f"| {name} | {label} | {inside:.3f} | {below[0]:.3f} | {below[1]:.3f} | {below[2]:.3f} "
        f"| {smape:.2f} | {wql:.4f} |"
    )


Forecasts = tuple[list[Prediction], list[Window], list[Window]]


def forecast(
    algorithm: str, steps: int | None, train: list[Array], horizon: int, season: int
) -> Forecasts:
    """The final forecast of the held-out horizon, the latest backtest window and the older
    calibration windows: everything the calibration and the choice start from."""

    def model() -> Forecaster:
        return make(algorithm, training_steps=steps)

    return (
        model().forecast(train, horizon, season),
        backtest(model(), train, horizon, season),
        older_backtest(model(), train, horizon, season, 1),
    )


def run(name: str, count: int, steps: int | None, cache: Path | None) -> None:
    horizon, season = SETS[name]
    train, test = load(name, count)
    nonnegative = [bool(np.all(series >= 0)) for series in train]
    final: dict[str, list[Prediction]] = {}
    latest: dict[str, list[Window]] = {}
    older: dict[str, list[Window]] = {}
    started = time.perf_counter()
    cached = []
    for algorithm in ALGORITHMS:
        stored = cache / f"{name}-{len(train)}-{steps}-{algorithm}.pickle" if cache else None
        if stored and stored.exists():
            cached.append(algorithm)
            final[algorithm], latest[algorithm], older[algorithm] = pickle.loads(
                stored.read_bytes()
            )
        else:
            forecasts = forecast(algorithm, steps, train, horizon, season)
            final[algorithm], latest[algorithm], older[algorithm] = forecasts
            if stored:
                stored.write_bytes(pickle.dumps(forecasts))
        fitted = calibration.fit([*latest[algorithm], *older[algorithm]])
        after = [fitted.apply(p, n) for p, n in zip(final[algorithm], nonnegative, strict=True)]
        print(row(name, f"{algorithm} before", test, final[algorithm]), flush=True)
        print(row(name, f"{algorithm} after", test, after), flush=True)
    quantiles, types = QUANTILES, [str(q) for q in QUANTILES]
    for calibrate in (False, True):
        weight = POOLED_WEIGHT if calibrate else 0.0
        choice = choose(
            latest,
            METRIC,
            quantiles,
            types,
            len(train),
            calibrate=calibrate,
            extra=older,
            pooled_weight=weight,
        )
        chosen = [average([final[a][i] for a in names]) for i, names in enumerate(choice.plan)]
        if calibrate:
            chosen = calibration.apply_plan(choice.plan, chosen, choice.calibrations, train)
        label = "**AutoPredictor after**" if calibrate else "**AutoPredictor before**"
        print(row(name, label, test, chosen))
        print(f"<!-- {name} {label.strip('*')}: {choice.reason} -->", flush=True)
    used = sorted({len(w.items) for windows in older.values() for w in windows})
    elapsed = time.perf_counter() - started
    note = f" (forecasts of {', '.join(cached)} from the cache)" if cached else ""
    print(
        f"<!-- {name}: {len(train)} series; items in older windows {used}; "
        f"{elapsed:.0f} s{note} -->"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=60)
    parser.add_argument("--deepar-steps", type=int, default=None, help="default: the model's")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated")
    parser.add_argument(
        "--cache", type=Path, default=None, help="folder keeping the trained models' forecasts"
    )
    args = parser.parse_args()
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    print("| set | forecaster | p10-p90 inside | <= p50 | <= p05 | <= p95 | sMAPE | wQL |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.sets.split(","):
        run(name, args.series, args.deepar_steps, args.cache)


if __name__ == "__main__":
    main()
