"""What the Describe and List operations say of a resource: for each kind, its Describe
output and its List entry, from its row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sensorium.operations import Params
from sensorium.services.forecast.jobs import AUTO_PLAN, DEFAULT_METRIC, DEFAULT_TYPES
from sensorium.services.forecast.resources import KINDS
from sensorium.services.forecast.service import algorithm_arn
from sensorium.services.forecast.tables import ForecastResource
from sensorium.storage.owned import aware


def dataset_group(row: ForecastResource) -> Params:
    return {
        **_named(row),
        "DatasetArns": row.details.get("DatasetArns", []),
        "Domain": row.request["Domain"],
        **_status(row),
    }


def dataset_group_summary(row: ForecastResource) -> Params:
    return {**_named(row), **_times(row)}


def dataset(row: ForecastResource) -> Params:
    return {**_named(row), **row.request, **_status(row)}


def dataset_summary(row: ForecastResource) -> Params:
    return {
        **_named(row),
        "DatasetType": row.request["DatasetType"],
        "Domain": row.request["Domain"],
        **_times(row),
    }


def import_job(row: ForecastResource) -> Params:
    result = {
        **import_job_summary(row),
        "DatasetArn": row.details["links"]["DatasetArn"],
        "Format": row.request.get("Format", "CSV"),
        **_present(row.details, "FieldStatistics", "DataSize"),
    }
    if row.request.get("TimestampFormat"):
        result["TimestampFormat"] = row.request["TimestampFormat"]
    return result


def import_job_summary(row: ForecastResource) -> Params:
    return {
        **_named(row),
        "DataSource": row.request["DataSource"],
        "ImportMode": row.request.get("ImportMode", "FULL"),
        **_status(row),
    }


def predictor(row: ForecastResource) -> Params:
    """DescribePredictor's output."""
    request = row.request
    result = {
        **_predictor(row),
        "PerformAutoML": bool(request.get("PerformAutoML")),
        "PerformHPO": False,
        "InputDataConfig": request["InputDataConfig"],
        "FeaturizationConfig": request["FeaturizationConfig"],
        "EvaluationParameters": {
            "NumberOfBacktestWindows": row.details["windows"],
            "BackTestWindowOffset": row.details["offset"],
        },
        "IsAutoPredictor": False,
        **_present(request, "AlgorithmArn", "TrainingParameters", "AutoMLOverrideStrategy"),
    }
    if request.get("PerformAutoML"):
        chosen = row.details.get("chosen") or row.details["algorithms"]
        result["AutoMLAlgorithmArns"] = [algorithm_arn(name) for name in chosen]
    return result


def auto_predictor(row: ForecastResource) -> Params:
    """DescribeAutoPredictor's output."""
    request = row.request
    dimensions = request.get("ForecastDimensions")
    return {
        **_predictor(row),
        "ForecastFrequency": request["ForecastFrequency"],
        **({"ForecastDimensions": dimensions} if dimensions else {}),
        "DataConfig": request["DataConfig"],
    }


def predictor_summary(row: ForecastResource) -> Params:
    return {
        **_named(row),
        "DatasetGroupArn": row.details["links"]["DatasetGroupArn"],
        "IsAutoPredictor": bool(row.details.get("auto")),
        **_status(row),
    }


def accuracy_metrics(row: ForecastResource) -> Params:
    """GetAccuracyMetrics' output for an ACTIVE predictor."""
    evaluations: dict[str, Any] = row.details["evaluations"]
    # The predictor's own backtest first (for a per-item plan it has no single algorithm),
    # then every algorithm it evaluated.
    ordered = sorted(evaluations.items(), key=lambda kv: kv[0] != AUTO_PLAN)
    return {
        "PredictorEvaluationResults": [_evaluation(name, found) for name, found in ordered],
        "IsAutoPredictor": bool(row.details.get("auto")),
        "OptimizationMetric": row.details["metric"],
    }


def forecast(row: ForecastResource) -> Params:
    types = row.details.get("types") or row.request.get("ForecastTypes") or DEFAULT_TYPES
    return {**forecast_summary(row), "ForecastTypes": types}


def forecast_summary(row: ForecastResource) -> Params:
    return {
        **_named(row),
        "PredictorArn": row.request["PredictorArn"],
        "DatasetGroupArn": row.details["links"]["DatasetGroupArn"],
        **_status(row),
    }


def export_job(row: ForecastResource) -> Params:
    return {
        **export_job_summary(row),
        "ForecastArn": row.request["ForecastArn"],
        "Format": row.request.get("Format", "CSV"),
    }


def export_job_summary(row: ForecastResource) -> Params:
    return {**_named(row), "Destination": row.request["Destination"], **_status(row)}


def _named(row: ForecastResource) -> Params:
    kind = KINDS[row.kind]
    return {kind.arn_member: row.arn, kind.name_member: row.name}


def _predictor(row: ForecastResource) -> Params:
    """What DescribePredictor and DescribeAutoPredictor both say."""
    return {
        **_named(row),
        "ForecastHorizon": row.request["ForecastHorizon"],
        "ForecastTypes": row.request.get("ForecastTypes") or DEFAULT_TYPES,
        "DatasetImportJobArns": [row.details["import_arn"]],
        "OptimizationMetric": row.request.get("OptimizationMetric", DEFAULT_METRIC),
        **_status(row, explain=True),
    }


def _evaluation(name: str, evaluated: dict[str, Any]) -> Params:
    windows = [{**window, **_window_times(window)} for window in evaluated["TestWindows"]]
    result: Params = {"TestWindows": windows}
    if name != AUTO_PLAN:
        result["AlgorithmArn"] = algorithm_arn(name)
    return result


def _window_times(window: dict[str, Any]) -> Params:
    return {
        key: dt.datetime.fromisoformat(window[key]).replace(tzinfo=dt.UTC)
        for key in ("TestWindowStart", "TestWindowEnd")
        if key in window
    }


def _status(row: ForecastResource, explain: bool = False) -> Params:
    """Status and times, and the Message of a failure (``explain``: or of the choice made)."""
    result: Params = {"Status": row.status, **_times(row)}
    if row.message:
        result["Message"] = row.message
    elif explain and row.details.get("reason"):
        result["Message"] = row.details["reason"]
    return result


def _times(row: ForecastResource) -> Params:
    return {
        "CreationTime": aware(row.created_at),
        "LastModificationTime": aware(row.updated_at),
    }


def _present(source: dict[str, Any], *keys: str) -> Params:
    return {key: source[key] for key in keys if key in source}
