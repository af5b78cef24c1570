"""M4 Hourly (h=48) and Weekly (h=13): sMAPE, MASE and time for every algorithm and the
AutoPredictor choice, in one run on the same series.

    nice .venv/bin/python bench/forecast_m4.py --series 40 [--sets Hourly] [--deepar-steps N]

The AutoPredictor chooses per item by the backtest on the last horizon of the training data
(never seeing the test set), among the candidates whose pooled backtest loss is within the
tolerance of the best, then forecasts the test horizon with its plan. Rows for other
tolerances show how much the choice depends on it (1.0: the single best candidate for every
item; inf: every candidate competes for every item).
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import numpy as np
import torch

from sensorium.models.forecasting import metrics
from sensorium.models.forecasting.algorithms import ALGORITHMS, make
from sensorium.models.forecasting.evaluation import CANDIDATE_TOLERANCE, backtest, choose
from sensorium.models.forecasting.prediction import Prediction, average

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DATA = Path(os.environ.get("SENSORIUM_BENCH_DATA", SHARED)) / "forecasting" / "m4"
SETS = {"Hourly": (48, 24, 24), "Weekly": (13, 52, 1)}  # horizon, model season, MASE m
TOLERANCES = (CANDIDATE_TOLERANCE, 1.0, 1.1, 1.5, float("inf"))  # the last: every candidate


def load(name: str, count: int) -> tuple[list[np.ndarray], np.ndarray]:
    def read(path: Path) -> list[np.ndarray]:
        with path.open() as handle:
            rows = list(csv.reader(handle))[1 : count + 1]
        return [np.array([float(c) for c in row[1:] if c]) for row in rows]

    return read(DATA / f"{name}-train.csv"), np.array(read(DATA / f"{name}-test.csv"))


def scores(
    train: list[np.ndarray], test: np.ndarray, predictions: list[Prediction], m: int
) -> tuple[float, float, float]:
    point = np.array([p.quantile(0.5) for p in predictions])
    scales = np.array([metrics.seasonal_scale(series, m) for series in train])
    low = np.array([p.quantile(0.1) for p in predictions])
    high = np.array([p.quantile(0.9) for p in predictions])
    coverage = float(np.mean((test >= low) & (test <= high)))
    return metrics.smape(test, point), metrics.mase(test, point, scales), coverage


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=40)
    parser.add_argument("--deepar-steps", type=int, default=None, help="default: the model's")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated")
    parser.add_argument("--windows", type=int, default=1, help="backtest windows for the choice")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print("| set | algorithm | sMAPE | MASE | p10-p90 coverage | train+forecast s |")
    print("|---|---|---|---|---|---|")
    for name in args.sets.split(","):
        horizon, season, m = SETS[name]
        train, test = load(name, args.series)
        final: dict[str, list[Prediction]] = {}
        backtests = {}
        for algorithm in ALGORITHMS:
            model = make(algorithm, training_steps=args.deepar_steps)
            started = time.perf_counter()
            final[algorithm] = model.forecast(train, horizon, season)
            elapsed = time.perf_counter() - started
            smape, mase, coverage = scores(train, test, final[algorithm], m)
            print(
                f"| {name} | {algorithm} | {smape:.2f} | {mase:.3f} | {coverage:.2f} "
                f"| {elapsed:.1f} |"
            )
            backtests[algorithm] = backtest(
                make(algorithm, training_steps=args.deepar_steps),
                train,
                horizon,
                season,
                args.windows,
            )
        for tolerance in TOLERANCES:
            choice = choose(
                backtests,
                "AverageWeightedQuantileLoss",
                [0.1, 0.5, 0.9],
                ["0.1", "0.5", "0.9"],
                len(train),
                tolerance,
            )
            chosen = [
                average([final[a][item] for a in names]) for item, names in enumerate(choice.plan)
            ]
            smape, mase, coverage = scores(train, test, chosen, m)
            label = (
                "AutoPredictor" if tolerance == CANDIDATE_TOLERANCE else f"(tolerance {tolerance})"
            )
            print(f"| {name} | {label} | {smape:.2f} | {mase:.3f} | {coverage:.2f} | - |")
            if tolerance == CANDIDATE_TOLERANCE:
                print(f"<!-- {name}: {choice.reason} -->")


if __name__ == "__main__":
    main()
