"""A related time series (known promotions) reaches the recurrent network through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from tests.conftest import LiveServer
from tests.models.forecasting.test_deepar import HORIZON, LENGTH, promoted_series
from tests.services.forecast.conftest import ROLE, SCHEMA, put, unique, wait

START = dt.datetime(2022, 5, 2)
RELATED_SCHEMA = {
    "Attributes": [
        {"AttributeName": "timestamp", "AttributeType": "timestamp"},
        {"AttributeName": "item_id", "AttributeType": "string"},
        {"AttributeName": "promo", "AttributeType": "float"},
    ]
}


def stamp(hour: int) -> str:
    return (START + dt.timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M:%S")


def imported(forecast: Any, server: LiveServer, kind: str, schema: Any, text: str) -> str:
    dataset: str = forecast.create_dataset(
        DatasetName=unique("ds"),
        Domain="CUSTOM",
        DatasetType=kind,
        DataFrequency="H",
        Schema=schema,
    )["DatasetArn"]
    job = forecast.create_dataset_import_job(
        DatasetImportJobName=unique("imp"),
        DatasetArn=dataset,
        DataSource={"S3Config": {"Path": put(server, text), "RoleArn": ROLE}},
    )["DatasetImportJobArn"]
    described = wait(forecast.describe_dataset_import_job, DatasetImportJobArn=job)
    assert described["Status"] == "ACTIVE", described.get("Message")
    return dataset


def group_with_promotions(forecast: Any, server: LiveServer, related_hours: int) -> str:
    histories, flags, _ = promoted_series()
    target = "".join(
        f"{stamp(h)},{value},item_{i}\n"
        for i, series in enumerate(histories)
        for h, value in enumerate(series)
    )
    related = "".join(
        f"{stamp(h)},item_{i},{flag[h, 0]}\n"
        for i, flag in enumerate(flags)
        for h in range(related_hours)
    )
    datasets = [
        imported(forecast, server, "TARGET_TIME_SERIES", SCHEMA, target),
        imported(forecast, server, "RELATED_TIME_SERIES", RELATED_SCHEMA, related),
    ]
    group: str = forecast.create_dataset_group(
        DatasetGroupName=unique("dg"), Domain="CUSTOM", DatasetArns=datasets
    )["DatasetGroupArn"]
    return group


def deepar(forecast: Any, group: str) -> dict[str, Any]:
    arn = forecast.create_predictor(
        PredictorName=unique("dar"),
        AlgorithmArn="arn:aws:forecast:::algorithm/Deep_AR_Plus",
        ForecastHorizon=HORIZON,
        InputDataConfig={"DatasetGroupArn": group},
        FeaturizationConfig={"ForecastFrequency": "H"},
        TrainingParameters={"epochs": "15"},
    )["PredictorArn"]
    predictor: dict[str, Any] = wait(forecast.describe_predictor, PredictorArn=arn, limit=1200)
    return predictor


def test_the_forecast_follows_known_promotions(
    server: LiveServer, forecast: Any, forecastquery: Any
) -> None:
    group = group_with_promotions(forecast, server, LENGTH + HORIZON)
    predictor = deepar(forecast, group)
    assert predictor["Status"] == "ACTIVE", predictor.get("Message")
    forecast_arn = forecast.create_forecast(
        ForecastName=unique("fc"), PredictorArn=predictor["PredictorArn"]
    )["ForecastArn"]
    assert wait(forecast.describe_forecast, ForecastArn=forecast_arn)["Status"] == "ACTIVE"
    _, _, actual = promoted_series()
    for item in (0, 5):
        predictions = forecastquery.query_forecast(
            ForecastArn=forecast_arn, Filters={"item_id": f"item_{item}"}
        )["Forecast"]["Predictions"]
        p50 = np.array([point["Value"] for point in predictions["p50"]])
        wape = np.abs(p50 - actual[item]).sum() / np.abs(actual[item]).sum()
        assert wape < 0.08, wape  # without the promotions it is about 0.13 (test_deepar)


def test_related_data_must_cover_the_horizon(server: LiveServer, forecast: Any) -> None:
    # The promotions end where the target ends: nothing is known of the horizon.
    predictor = deepar(forecast, group_with_promotions(forecast, server, LENGTH))
    assert predictor["Status"] == "CREATE_FAILED"
    assert "does not cover the forecast horizon" in predictor["Message"]
    assert "item_0" in predictor["Message"]
