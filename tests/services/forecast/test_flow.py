"""The whole Forecast flow through boto3 on a few M4 Hourly series."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from tests.conftest import LiveServer
from tests.services.forecast.conftest import (
    ROLE,
    dataset_with_import,
    long_csv,
    m4_series,
    unique,
    wait,
)

HORIZON = 48


def test_flow_import_predict_forecast_query_export(
    server: LiveServer, forecast: Any, forecastquery: Any
) -> None:
    train, test = m4_series("Hourly", 6)
    group, dataset, job = dataset_with_import(
        forecast, server, long_csv(train, dt.timedelta(hours=1))
    )
    assert job["Status"] == "ACTIVE", job.get("Message")
    stats = job["FieldStatistics"]
    assert stats["item_id"]["CountDistinct"] == 6
    assert stats["target_value"]["Count"] == sum(len(s) for s in train)
    assert forecast.describe_dataset_group(DatasetGroupArn=group)["DatasetArns"] == [dataset]

    name = unique("ets")
    predictor_arn = forecast.create_predictor(
        PredictorName=name,
        AlgorithmArn="arn:aws:forecast:::algorithm/ETS",
        ForecastHorizon=HORIZON,
        InputDataConfig={"DatasetGroupArn": group},
        FeaturizationConfig={"ForecastFrequency": "H"},
    )["PredictorArn"]
    first = forecast.describe_predictor(PredictorArn=predictor_arn)["Status"]
    assert first in ("CREATE_PENDING", "CREATE_IN_PROGRESS", "ACTIVE")
    predictor = wait(forecast.describe_predictor, PredictorArn=predictor_arn)
    assert predictor["Status"] == "ACTIVE", predictor.get("Message")
    assert predictor["AlgorithmArn"].endswith("/ETS")

    metrics = forecast.get_accuracy_metrics(PredictorArn=predictor_arn)
    (result,) = metrics["PredictorEvaluationResults"]
    summary = result["TestWindows"][0]
    assert summary["EvaluationType"] == "SUMMARY" and summary["ItemCount"] == 6
    losses = {w["Quantile"]: w["LossValue"] for w in summary["Metrics"]["WeightedQuantileLosses"]}
    assert set(losses) == {0.1, 0.5, 0.9}
    errors = {e["ForecastType"]: e for e in summary["Metrics"]["ErrorMetrics"]}
    assert 0 < errors["mean"]["WAPE"] < 0.5 and errors["mean"]["MASE"] > 0

    forecast_arn = forecast.create_forecast(ForecastName=unique("fc"), PredictorArn=predictor_arn)[
        "ForecastArn"
    ]
    described = wait(forecast.describe_forecast, ForecastArn=forecast_arn)
    assert described["Status"] == "ACTIVE", described.get("Message")
    assert described["DatasetGroupArn"] == group

    predictions = forecastquery.query_forecast(
        ForecastArn=forecast_arn, Filters={"item_id": "item_0"}
    )["Forecast"]["Predictions"]
    assert set(predictions) == {"p10", "p50", "p90"}
    p10, p50, p90 = (np.array([p["Value"] for p in predictions[k]]) for k in ("p10", "p50", "p90"))
    assert len(p50) == HORIZON
    assert np.all(p10 <= p50) and np.all(p50 <= p90)
    first_time = dt.datetime(2020, 1, 1) + len(train[0]) * dt.timedelta(hours=1)
    assert predictions["p50"][0]["Timestamp"] == first_time.strftime("%Y-%m-%dT%H:%M:%S")
    actual = np.array(test[0])
    assert np.mean(np.abs(p50 - actual)) / np.mean(np.abs(actual)) < 0.3

    window = forecastquery.query_forecast(
        ForecastArn=forecast_arn,
        Filters={"item_id": "item_1"},
        StartDate=(first_time + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"),
        EndDate=(first_time + dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S"),
    )["Forecast"]["Predictions"]
    assert len(window["p50"]) == 4

    export_arn = forecast.create_forecast_export_job(
        ForecastExportJobName=unique("ex"),
        ForecastArn=forecast_arn,
        Destination={"S3Config": {"Path": "s3://forecast-out/exports/", "RoleArn": ROLE}},
    )["ForecastExportJobArn"]
    export = wait(forecast.describe_forecast_export_job, ForecastExportJobArn=export_arn)
    assert export["Status"] == "ACTIVE", export.get("Message")
    (written,) = (server.data_dir / "s3" / "forecast-out" / "exports").glob("*.csv")
    lines = written.read_text().splitlines()
    assert lines[0] == "item_id,date,p10,p50,p90"
    assert len(lines) == 1 + 6 * HORIZON

    listed = forecast.list_forecasts(
        Filters=[{"Key": "PredictorArn", "Value": predictor_arn, "Condition": "IS"}]
    )["Forecasts"]
    assert [f["ForecastArn"] for f in listed] == [forecast_arn]
    exports = forecast.list_forecast_export_jobs(
        Filters=[{"Key": "ForecastArn", "Value": forecast_arn, "Condition": "IS"}]
    )["ForecastExportJobs"]
    assert [(e["ForecastExportJobArn"], e["Status"]) for e in exports] == [(export_arn, "ACTIVE")]
    pages = forecast.get_paginator("list_datasets").paginate()
    assert dataset in {d["DatasetArn"] for page in pages for d in page["Datasets"]}
    forecast.update_dataset_group(DatasetGroupArn=group, DatasetArns=[dataset])
    assert forecast.describe_dataset_group(DatasetGroupArn=group)["DatasetArns"] == [dataset]

    # Deletion follows dependencies: export, forecast, predictor, then the group.
    error = _error(forecast.delete_predictor, PredictorArn=predictor_arn)
    assert error == "ResourceInUseException"
    forecast.delete_forecast_export_job(ForecastExportJobArn=export_arn)
    forecast.delete_forecast(ForecastArn=forecast_arn)
    forecast.delete_predictor(PredictorArn=predictor_arn)
    forecast.delete_dataset_group(DatasetGroupArn=group)
    assert _error(forecast.describe_dataset_group, DatasetGroupArn=group) == (
        "ResourceNotFoundException"
    )


def _error(call: Any, **kwargs: Any) -> str:
    try:
        call(**kwargs)
    except Exception as error:  # botocore's ClientError
        return str(error.response["Error"]["Code"])  # type: ignore[attr-defined]
    raise AssertionError("the call succeeded")
