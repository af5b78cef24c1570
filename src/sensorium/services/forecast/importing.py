"""Dataset import: CSV rows in the dataset's schema order -> a validated Panel.

Every problem in the data is an ``ImportFailed`` whose message becomes the import job's
Message (status CREATE_FAILED); nothing here raises anything else for bad data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sensorium.models.forecasting.frequency import frequency
from sensorium.services.forecast import timestamps
from sensorium.services.forecast.panel import MAX_SERIES_STEPS, Panel

MAX_REPORTED_ERRORS = 5
MAX_KEY_CHARS = 256  # item identifiers and dimension values (a limit of this server)

# Each domain's target field and item identifier (Amazon Forecast's predefined domains).
DOMAIN_FIELDS: dict[str, tuple[str, str]] = {
    "RETAIL": ("item_id", "demand"),
    "CUSTOM": ("item_id", "target_value"),
    "INVENTORY_PLANNING": ("item_id", "demand"),
    "EC2_CAPACITY": ("workload_id", "number_of_instances"),
    "WORK_FORCE": ("workforce_type", "workforce_demand"),
    "WEB_TRAFFIC": ("item_id", "value"),
    "METRICS": ("metric_name", "metric_value"),
}


class ImportFailed(Exception):
    """The data cannot be imported; the message says what and where."""


@dataclass(frozen=True)
class Columns:
    identifier: int
    timestamp: int
    values: dict[str, int]  # the numeric attributes read as series (the target, or features)
    dimensions: dict[str, int]  # further string attributes: possible forecast dimensions


def schema_problem(domain: str, dataset_type: str, attributes: list[dict[str, str]]) -> str | None:
    """Why a schema is unusable for its domain and type (None when it is fine)."""
    names = [attribute.get("AttributeName", "") for attribute in attributes]
    if len(set(names)) != len(names):
        return "The schema names an attribute more than once."
    if dataset_type == "ITEM_METADATA":
        return None
    identifier, target = DOMAIN_FIELDS[domain]
    required = {"timestamp": "timestamp", identifier: "string"}
    if dataset_type == "TARGET_TIME_SERIES":
        required[target] = "float|integer"
    types = {a.get("AttributeName"): a.get("AttributeType") for a in attributes}
    for name, expected in required.items():
        if name not in types:
            return f"The {domain} domain's {dataset_type} schema must include {name!r}."
        if types[name] not in expected.split("|"):
            return f"The attribute {name!r} must be of type {expected.replace('|', ' or ')}."
    return None


def columns(domain: str, attributes: list[dict[str, str]], dataset_type: str) -> Columns:
    """Where things are in a TARGET_TIME_SERIES row (values: the target) or a
    RELATED_TIME_SERIES row (values: every numeric attribute)."""
    identifier, target = DOMAIN_FIELDS[domain]
    names = [attribute["AttributeName"] for attribute in attributes]
    dimensions = {
        attribute["AttributeName"]: position
        for position, attribute in enumerate(attributes)
        if attribute["AttributeType"] == "string" and attribute["AttributeName"] != identifier
    }
    if dataset_type == "TARGET_TIME_SERIES":
        values = {target: names.index(target)}
    else:
        values = {
            attribute["AttributeName"]: position
            for position, attribute in enumerate(attributes)
            if attribute["AttributeType"] in ("float", "integer")
        }
    return Columns(names.index(identifier), names.index("timestamp"), values, dimensions)


def parse_target_csv(
    data: bytes,
    domain: str,
    attributes: list[dict[str, str]],
    data_frequency: str,
    timestamp_format: str | None,
) -> tuple[Panel, dict[str, dict[str, Any]]]:
    """The panel and FieldStatistics of a TARGET_TIME_SERIES CSV."""
    panels, statistics = parse_series_csv(
        data, domain, "TARGET_TIME_SERIES", attributes, data_frequency, timestamp_format
    )
    (panel,) = panels.values()
    return panel, statistics


def parse_series_csv(
    data: bytes,
    domain: str,
    dataset_type: str,
    attributes: list[dict[str, str]],
    data_frequency: str,
    timestamp_format: str | None,
) -> tuple[dict[str, Panel], dict[str, dict[str, Any]]]:
    """A TARGET_TIME_SERIES or RELATED_TIME_SERIES CSV as one panel per numeric attribute
    (the target; or each related feature), with the FieldStatistics."""
    rows = _rows(data, attributes)
    where = columns(domain, attributes, dataset_type)
    if not where.values:
        raise ImportFailed("A related time series needs at least one float or integer attribute.")
    fmt = timestamp_format or timestamps.default_format(data_frequency)
    strptime = timestamps.strptime_format(fmt)
    kinds = {name: attributes[position]["AttributeType"] for name, position in where.values.items()}
    errors: list[str] = []
    observations: dict[tuple[str, ...], dict[dt.datetime, tuple[list[float], int]]] = {}
    for line, row in rows:
        try:
            moment = timestamps.parse(row[where.timestamp], strptime)
        except ValueError:
            errors.append(
                f"line {line}: timestamp {row[where.timestamp]!r} does not match the format {fmt!r}"
            )
            continue
        values = [_number(row[position], kinds[name]) for name, position in where.values.items()]
        bad = [name for name, value in zip(where.values, values, strict=True) if value is None]
        if bad:
            label = "target value" if dataset_type == "TARGET_TIME_SERIES" else bad[0]
            errors.append(f"line {line}: {label} {row[where.values[bad[0]]]!r} is not a number")
            continue
        item = row[where.identifier]
        if not item:
            errors.append(f"line {line}: the item identifier is empty")
            continue
        key = (item, *(row[position] for position in where.dimensions.values()))
        if any(len(part) > MAX_KEY_CHARS for part in key):
            errors.append(
                f"line {line}: an item identifier or dimension value is longer than "
                f"{MAX_KEY_CHARS} characters"
            )
            continue
        series = observations.setdefault(key, {})
        if moment in series:
            errors.append(
                f"line {line}: duplicate timestamp {row[where.timestamp]} for "
                f"{_describe(key, list(where.dimensions))} "
                f"(first seen on line {series[moment][1]})"
            )
            continue
        series[moment] = ([float(v) for v in values if v is not None], line)
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
    _raise(errors)
    panels = {
        name: _panel(
            {
                key: {moment: (entry[0][column], entry[1]) for moment, entry in series.items()}
                for key, series in observations.items()
            },
            list(where.dimensions),
            data_frequency,
        )
        for column, name in enumerate(where.values)
    }
    return panels, _statistics(rows, attributes)


def validate_csv(data: bytes, attributes: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """Item metadata: the rows must fit the schema."""
    rows = _rows(data, attributes)
    errors = []
    for line, row in rows:
        for position, attribute in enumerate(attributes):
            kind = attribute["AttributeType"]
            if kind in ("float", "integer") and _number(row[position], kind) is None:
                errors.append(
                    f"line {line}: {attribute['AttributeName']} {row[position]!r} is not {kind}"
                )
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
    _raise(errors)
    return _statistics(rows, attributes)


def _rows(data: bytes, attributes: list[dict[str, str]]) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(f"The file is not UTF-8 text (byte {error.start}).") from None
    names = [attribute["AttributeName"].lower() for attribute in attributes]
    rows: list[tuple[int, list[str]]] = []
    errors: list[str] = []
    try:
        for line, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if line == 1 and [cell.strip().lower() for cell in row] == names:
                continue  # a header row naming the schema's attributes
            if len(row) != len(attributes):
                errors.append(
                    f"line {line}: expected {len(attributes)} columns (the schema's attributes), "
                    f"found {len(row)}"
                )
                if len(errors) >= MAX_REPORTED_ERRORS:
                    break
                continue
            rows.append((line, [cell.strip() for cell in row]))
    except csv.Error as error:
        errors.append(f"malformed CSV: {error}")
    _raise(errors)
    if not rows:
        raise ImportFailed("The file contains no data rows.")
    return rows


def _number(text: str, kind: str) -> float | None:
    """The value; NaN for an empty (missing) field; None when it is not a number."""
    if text == "":
        return math.nan
    try:
        value = float(text)
    except ValueError:
        return None
    if kind == "integer" and value.is_integer() is False:
        return None
    return value if math.isfinite(value) or math.isnan(value) else None


def _panel(
    observations: dict[tuple[str, ...], dict[dt.datetime, tuple[float, int]]],
    dimensions: list[str],
    name: str,
) -> Panel:
    grid = frequency(name)
    starts, values = [], []
    for key, series in observations.items():
        moments = sorted(series)
        start = moments[0]
        positions = []
        for moment in moments:
            steps = grid.steps_between(start, moment)
            if steps is None:
                raise ImportFailed(
                    f"{_sentence(_describe(key, dimensions))}: the timestamp {moment} is not "
                    f"on the {name} grid that starts at {start}; check DataFrequency and the "
                    "timestamps."
                )
            positions.append(steps)
        if positions[-1] >= MAX_SERIES_STEPS:
            raise ImportFailed(
                f"{_sentence(_describe(key, dimensions))} spans {positions[-1] + 1} steps of "
                f"{name} (from {start}); at most {MAX_SERIES_STEPS} are allowed."
            )
        array = np.full(positions[-1] + 1, np.nan)
        array[positions] = [series[moment][0] for moment in moments]
        starts.append(start)
        values.append(array)
    keys = list(observations)
    return Panel(
        name,
        [key[0] for key in keys],
        starts,
        values,
        {dimension: [key[1 + n] for key in keys] for n, dimension in enumerate(dimensions)},
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _describe(key: tuple[str, ...], dimensions: list[str]) -> str:
    """``item 'a'``, or ``item 'a' (store 's1')`` with dimensions."""
    if not dimensions:
        return f"item {key[0]!r}"
    pairs = ", ".join(f"{name} {value!r}" for name, value in zip(dimensions, key[1:], strict=True))
    return f"item {key[0]!r} ({pairs})"


def _statistics(
    rows: list[tuple[int, list[str]]], attributes: list[dict[str, str]]
) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for position, attribute in enumerate(attributes):
        cells = [row[position] for _, row in rows]
        present = [cell for cell in cells if cell != ""]
        stats: dict[str, Any] = {
            "Count": len(cells),
            "CountDistinct": len(set(present)),
            "CountNull": len(cells) - len(present),
            "CountLong": len(cells),
            "CountDistinctLong": len(set(present)),
            "CountNullLong": len(cells) - len(present),
        }
        if attribute["AttributeType"] in ("float", "integer"):
            numbers = np.array([float(cell) for cell in present], dtype=np.float64)
            nan = int(np.isnan(numbers).sum())
            numbers = numbers[~np.isnan(numbers)]
            stats.update(CountNan=nan, CountNanLong=nan)
            if len(numbers):
                stats.update(
                    Min=_number_text(float(numbers.min())),
                    Max=_number_text(float(numbers.max())),
                )
                with np.errstate(over="ignore", invalid="ignore"):
                    moments = {"Avg": float(numbers.mean()), "Stddev": float(numbers.std())}
                # Values near the largest double overflow their sum; JSON has no infinity.
                stats.update({k: v for k, v in moments.items() if math.isfinite(v)})
        elif attribute["AttributeType"] == "timestamp" and present:
            stats.update(Min=min(present), Max=max(present))
        result[attribute["AttributeName"]] = stats
    return result


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _raise(errors: list[str]) -> None:
    if errors:
        shown = "; ".join(errors[:MAX_REPORTED_ERRORS])
        raise ImportFailed(f"The data could not be imported: {shown}.")
