"""A domain's own identifier names the series in queries and exports."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.conftest import LiveServer
from tests.services.forecast.conftest import ROLE, dataset_with_import, unique, wait

EC2_SCHEMA = {
    "Attributes": [
        {"AttributeName": "timestamp", "AttributeType": "timestamp"},
        {"AttributeName": "number_of_instances", "AttributeType": "integer"},
        {"AttributeName": "workload_id", "AttributeType": "string"},
    ]
}


def test_ec2_capacity_series_are_named_by_workload(
    server: LiveServer, forecast: Any, forecastquery: Any
) -> None:
    rows = [
        f"2023-01-{day:02d},{10 + day % 7},web" for day in range(1, 29)
    ]  # a weekly cycle of instance counts
    group, _, job = dataset_with_import(
        forecast,
        server,
        "\n".join(rows) + "\n",
        frequency="D",
        schema=EC2_SCHEMA,
        domain="EC2_CAPACITY",
    )
    assert job["Status"] == "ACTIVE", job.get("Message")
    predictor = forecast.create_predictor(
        PredictorName=unique("sn"),
        AlgorithmArn="arn:aws:forecast:::algorithm/Seasonal_Naive",
        ForecastHorizon=7,
        InputDataConfig={"DatasetGroupArn": group},
        FeaturizationConfig={"ForecastFrequency": "D"},
    )["PredictorArn"]
    assert wait(forecast.describe_predictor, PredictorArn=predictor)["Status"] == "ACTIVE"
    forecast_arn = forecast.create_forecast(ForecastName=unique("fc"), PredictorArn=predictor)[
        "ForecastArn"
    ]
    assert wait(forecast.describe_forecast, ForecastArn=forecast_arn)["Status"] == "ACTIVE"
    p50 = forecastquery.query_forecast(ForecastArn=forecast_arn, Filters={"workload_id": "web"})[
        "Forecast"
    ]["Predictions"]["p50"]
    np.testing.assert_allclose([p["Value"] for p in p50], [10 + day % 7 for day in range(29, 36)])

    folder = unique("ec2")
    export = forecast.create_forecast_export_job(
        ForecastExportJobName=unique("ex"),
        ForecastArn=forecast_arn,
        Destination={"S3Config": {"Path": f"s3://forecast-out/{folder}/", "RoleArn": ROLE}},
    )["ForecastExportJobArn"]
    assert (
        wait(forecast.describe_forecast_export_job, ForecastExportJobArn=export)["Status"]
        == "ACTIVE"
    )
    (written,) = (server.data_dir / "s3" / "forecast-out" / folder).glob("*.csv")
    assert written.read_text().splitlines()[0] == "workload_id,date,p10,p50,p90"
