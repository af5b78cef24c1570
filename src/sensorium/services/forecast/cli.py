"""``sensorium forecast FILE.csv --horizon H [--frequency F] [--plot out.png]``.

The CSV holds ``timestamp,value`` rows (one series) or ``timestamp,value,item_id`` rows (as
a CUSTOM-domain dataset), with or without a header. The same import, backtest and
AutoPredictor choice as the server run in-process; the forecast is printed as CSV
(item_id,date,p10,p50,p90) and, with --plot, drawn with the history and the p10-p90 band.
"""

from __future__ import annotations

import argparse
import collections
import importlib
import itertools
import sys
from pathlib import Path
from typing import Any

from sensorium.config import Settings
from sensorium.models.forecasting import calibration, evaluation
from sensorium.models.forecasting.algorithms import ALGORITHMS, forecast_plan, make, training_device
from sensorium.models.forecasting.frequency import FREQUENCIES, frequency
from sensorium.models.forecasting.prediction import Prediction
from sensorium.services.forecast import importing
from sensorium.services.forecast.panel import Panel

_SCHEMAS = {
    2: ["timestamp", "target_value"],
    3: ["timestamp", "target_value", "item_id"],
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV of timestamp,value[,item_id] rows")
    parser.add_argument("--horizon", type=int, required=True, help="steps to forecast")
    parser.add_argument(
        "--frequency", choices=list(FREQUENCIES), help="data frequency (default: inferred)"
    )
    parser.add_argument(
        "--algorithm",
        choices=["auto", *ALGORITHMS],
        default="auto",
        help="an algorithm, or auto to pick by backtest (default)",
    )
    parser.add_argument("--timestamp-format", help="Java-style, e.g. yyyy-MM-dd HH:mm:ss")
    parser.add_argument("--plot", type=Path, help="draw history and p10-p90 bands to this PNG")


def forecast_command(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_bytes()
    except OSError as error:
        return _fail(f"{args.file}: {error.strerror or error}")
    try:
        panel = _read(text, args.frequency, args.timestamp_format)
    except (importing.ImportFailed, ValueError) as error:
        return _fail(f"{args.file}: {error}")
    horizon: int = args.horizon
    histories = panel.filled()
    if horizon < 1 or horizon > max(len(s) for s in histories) // 3:
        return _fail("--horizon must be between 1 and a third of the longest series")
    season = frequency(panel.frequency).season
    names = list(ALGORITHMS) if args.algorithm == "auto" else [args.algorithm]
    configured = Settings().forecast
    device, steps = training_device(configured.device), configured.deepar_steps
    plan: list[tuple[str, ...]] = [(names[0],)] * len(histories)
    results = {
        name: evaluation.backtest(make(name, device, steps), histories, horizon, season)
        for name in names
    }
    older = {
        name: evaluation.older_backtest(make(name, device, steps), histories, horizon, season, 1)
        for name in names
    }
    calibrations = {names[0]: calibration.fit([*results[names[0]], *older[names[0]]])}
    if len(names) > 1:
        choice = evaluation.choose(
            results,
            "AverageWeightedQuantileLoss",
            [0.1, 0.5, 0.9],
            ["0.1", "0.5", "0.9"],
            len(histories),
            calibrate=True,
            extra=older,
        )
        print(choice.reason, file=sys.stderr)
        plan, calibrations = choice.plan, choice.calibrations
    predictions = forecast_plan(
        plan, histories, horizon, season, lambda name: make(name, device, steps)
    )
    predictions = calibration.apply_plan(plan, predictions, calibrations, histories)
    _print(panel, predictions, horizon)
    if args.plot:
        return _plot(args.plot, panel, predictions, horizon)
    return 0


def _read(data: bytes, frequency_name: str | None, timestamp_format: str | None) -> Panel:
    first = data.decode("utf-8", errors="replace").splitlines()[:1]
    width = len(first[0].split(",")) if first else 0
    if width not in _SCHEMAS:
        raise ValueError("expected rows of timestamp,value or timestamp,value,item_id")
    names = _SCHEMAS[width]
    schema = [
        {"AttributeName": name, "AttributeType": "float" if name == "target_value" else kind}
        for name, kind in zip(names, ["timestamp", "float", "string"], strict=False)
    ]
    if width == 2:
        lines = [line + ",series" for line in data.decode("utf-8-sig").splitlines() if line]
        data = "\n".join(lines).encode()
        schema.append({"AttributeName": "item_id", "AttributeType": "string"})
    rows = data.decode("utf-8-sig").splitlines()
    if rows and not any(ch.isdigit() for ch in rows[0].split(",")[0]):
        data = "\n".join(rows[1:]).encode()  # a header row
    if frequency_name is None:
        frequency_name = _infer(data, timestamp_format)
    panel, _ = importing.parse_target_csv(data, "CUSTOM", schema, frequency_name, timestamp_format)
    return panel


def _infer(data: bytes, timestamp_format: str | None) -> str:
    """The frequency whose step is the most common gap between consecutive timestamps."""
    from sensorium.services.forecast import timestamps

    moments = []
    for fmt in (
        [timestamp_format] if timestamp_format else [timestamps.DATE_TIME, timestamps.DATE_ONLY]
    ):
        strptime = timestamps.strptime_format(fmt)
        try:
            moments = [
                timestamps.parse(line.split(",")[0], strptime)
                for line in data.decode().splitlines()[:200]
                if line
            ]
            break
        except ValueError:
            continue
    gaps = collections.Counter(b - a for a, b in itertools.pairwise(moments) if b > a)
    if not gaps:
        raise ValueError("cannot infer the frequency; pass --frequency")
    gap = gaps.most_common(1)[0][0]
    for name, candidate in FREQUENCIES.items():
        if candidate.months == 0 and candidate.step == gap:
            return name
    days = gap.days
    if 28 <= days <= 31:
        return "M"
    if 365 <= days <= 366:
        return "Y"
    raise ValueError(f"no forecast frequency has a step of {gap}; pass --frequency")


def _print(panel: Panel, predictions: list[Prediction], horizon: int) -> None:
    grid = frequency(panel.frequency)
    print("item_id,date,p10,p50,p90")
    for index, item in enumerate(panel.items):
        prediction = predictions[index]
        for step, moment in enumerate(grid.timestamps(panel.end(index), horizon)):
            values = (prediction.quantile(q)[step] for q in (0.1, 0.5, 0.9))
            print(f"{item},{moment.isoformat()}," + ",".join(f"{v:.6g}" for v in values))


def _plot(path: Path, panel: Panel, predictions: list[Prediction], horizon: int) -> int:
    try:
        matplotlib: Any = importlib.import_module("matplotlib")
    except ImportError:
        return _fail("--plot needs matplotlib: pip install matplotlib")
    matplotlib.use("Agg")
    pyplot: Any = importlib.import_module("matplotlib.pyplot")
    grid = frequency(panel.frequency)
    shown = panel.items[:6]
    figure, axes = pyplot.subplots(len(shown), 1, figsize=(10, 2.6 * len(shown)), squeeze=False)
    for row, item in enumerate(shown):
        axis = axes[row][0]
        history = panel.values[row][-max(4 * horizon, 50) :]
        past = grid.timestamps(grid.advance(panel.end(row), -len(history)), len(history))
        future = grid.timestamps(panel.end(row), horizon)
        prediction = predictions[row]
        axis.plot(past, history, color="black", linewidth=1, label="history")
        axis.fill_between(
            future,
            prediction.quantile(0.1),
            prediction.quantile(0.9),
            alpha=0.3,
            label="p10-p90",
        )
        axis.plot(future, prediction.quantile(0.5), label="p50")
        axis.set_title(item)
        axis.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return 0


def _fail(message: str) -> int:
    print(f"sensorium: {message}", file=sys.stderr)
    return 1
