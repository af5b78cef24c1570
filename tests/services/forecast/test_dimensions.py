"""ForecastDimensions: one series per item and store, or summed over stores without them."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer
from tests.services.forecast.conftest import ROLE, dataset_with_import, unique, wait

HORIZON, DAYS = 24, 10
STORE_SCHEMA = {
    "Attributes": [
        {"AttributeName": "timestamp", "AttributeType": "timestamp"},
        {"AttributeName": "target_value", "AttributeType": "float"},
        {"AttributeName": "item_id", "AttributeType": "string"},
        {"AttributeName": "store", "AttributeType": "string"},
    ]
}
LEVELS = {("a", "north"): 100.0, ("a", "south"): 40.0, ("b", "north"): 7.0, ("b", "south"): 9.0}


def daily(level: float, hour: int) -> float:
    """An exactly daily pattern: seasonal naive continues it without error."""
    return level + 0.2 * level * math.sin(2 * math.pi * hour / 24)


def store_csv() -> str:
    start = dt.datetime(2021, 3, 1)
    lines = []
    for (item, store), level in LEVELS.items():
        for hour in range(24 * DAYS):
            moment = (start + dt.timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M:%S")
            lines.append(f"{moment},{daily(level, hour)},{item},{store}")
    return "\n".join(lines) + "\n"


def naive_predictor(forecast: Any, group: str, dimensions: list[str] | None) -> str:
    featurization: dict[str, Any] = {"ForecastFrequency": "H"}
    if dimensions is not None:
        featurization["ForecastDimensions"] = dimensions
    arn: str = forecast.create_predictor(
        PredictorName=unique("sn"),
        AlgorithmArn="arn:aws:forecast:::algorithm/Seasonal_Naive",
        ForecastHorizon=HORIZON,
        InputDataConfig={"DatasetGroupArn": group},
        FeaturizationConfig=featurization,
    )["PredictorArn"]
    assert wait(forecast.describe_predictor, PredictorArn=arn)["Status"] == "ACTIVE"
    forecast_arn: str = forecast.create_forecast(ForecastName=unique("fc"), PredictorArn=arn)[
        "ForecastArn"
    ]
    assert wait(forecast.describe_forecast, ForecastArn=forecast_arn)["Status"] == "ACTIVE"
    return forecast_arn


def p50(forecastquery: Any, forecast_arn: str, filters: dict[str, str]) -> np.ndarray:
    predictions = forecastquery.query_forecast(ForecastArn=forecast_arn, Filters=filters)
    return np.array([point["Value"] for point in predictions["Forecast"]["Predictions"]["p50"]])


@pytest.fixture(scope="module")
def stores(database: str, server: LiveServer) -> tuple[str, str, str]:
    """(group, forecast by item and store, forecast by item)."""
    forecast = server.client("forecast")
    group, _, job = dataset_with_import(forecast, server, store_csv(), schema=STORE_SCHEMA)
    assert job["Status"] == "ACTIVE", job.get("Message")
    return (
        group,
        naive_predictor(forecast, group, ["store"]),
        naive_predictor(forecast, group, None),
    )


def test_each_item_and_store_is_its_own_series(
    stores: tuple[str, str, str], forecastquery: Any
) -> None:
    _, by_store, _ = stores
    future = 24 * DAYS + np.arange(HORIZON)
    for (item, store), level in LEVELS.items():
        got = p50(forecastquery, by_store, {"item_id": item, "store": store})
        np.testing.assert_allclose(got, [daily(level, int(h)) for h in future], rtol=1e-9)


def test_without_dimensions_stores_are_summed(
    stores: tuple[str, str, str], forecastquery: Any
) -> None:
    _, _, by_item = stores
    future = 24 * DAYS + np.arange(HORIZON)
    expected = [daily(100.0, int(h)) + daily(40.0, int(h)) for h in future]
    np.testing.assert_allclose(p50(forecastquery, by_item, {"item_id": "a"}), expected, rtol=1e-9)


def test_filters_must_pick_one_series(stores: tuple[str, str, str], forecastquery: Any) -> None:
    _, by_store, by_item = stores
    for filters, code, words in [
        ({"item_id": "a"}, "InvalidInputException", "match 2 series"),
        ({"item_id": "a", "colour": "red"}, "InvalidInputException", "colour"),
        ({"item_id": "a", "store": "east"}, "ResourceNotFoundException", "east"),
    ]:
        with pytest.raises(ClientError) as raised:
            forecastquery.query_forecast(ForecastArn=by_store, Filters=filters)
        assert raised.value.response["Error"]["Code"] == code
        assert words in raised.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as raised:
        forecastquery.query_forecast(ForecastArn=by_item, Filters={"item_id": "a", "store": "x"})
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"


def test_unknown_dimension_is_refused(stores: tuple[str, str, str], forecast: Any) -> None:
    group, _, _ = stores
    with pytest.raises(ClientError) as raised:
        forecast.create_auto_predictor(
            PredictorName=unique("auto"),
            ForecastHorizon=HORIZON,
            ForecastFrequency="H",
            ForecastDimensions=["colour"],
            DataConfig={"DatasetGroupArn": group},
        )
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"
    assert "colour" in raised.value.response["Error"]["Message"]
    assert "store" in raised.value.response["Error"]["Message"]  # what is available


def test_export_has_a_column_per_dimension(
    server: LiveServer, stores: tuple[str, str, str], forecast: Any
) -> None:
    _, by_store, _ = stores
    folder = unique("dims")
    export_arn = forecast.create_forecast_export_job(
        ForecastExportJobName=unique("ex"),
        ForecastArn=by_store,
        Destination={"S3Config": {"Path": f"s3://forecast-out/{folder}/", "RoleArn": ROLE}},
    )["ForecastExportJobArn"]
    export = wait(forecast.describe_forecast_export_job, ForecastExportJobArn=export_arn)
    assert export["Status"] == "ACTIVE", export.get("Message")
    (written,) = (server.data_dir / "s3" / "forecast-out" / folder).glob("*.csv")
    lines = written.read_text().splitlines()
    assert lines[0] == "item_id,store,date,p10,p50,p90"
    assert len(lines) == 1 + len(LEVELS) * HORIZON
    assert {tuple(line.split(",")[:2]) for line in lines[1:]} == set(LEVELS)


def test_a_duplicate_within_one_store_fails_the_import(server: LiveServer, forecast: Any) -> None:
    rows = store_csv().splitlines()
    _, _, job = dataset_with_import(
        forecast, server, "\n".join([*rows, rows[5]]) + "\n", schema=STORE_SCHEMA
    )
    assert job["Status"] == "CREATE_FAILED"
    assert "duplicate timestamp" in job["Message"] and "store 'north'" in job["Message"]
