"""Bad data and bad requests: failed imports with a message, refused creates, nothing half-made."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer
from tests.services.forecast.conftest import (
    ROLE,
    SCHEMA,
    dataset_with_import,
    long_csv,
    unique,
    wait,
)

GOOD = long_csv([[1.0, 2.0, 3.0, 4.0] * 10], dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-01 00:00:00,1.0,a\n2020-01-01 01:00:00,2.0\n", "expected 3 columns"),
        ("2020-01-01 00:00:00,lots,a\n", "is not a number"),
        ("2020-01-01 00:00:00,1,a\n2020-01-01 00:00:00,2,a\n", "duplicate timestamp"),
        ("01/02/2020,1,a\n", "does not match the format"),
        ("2020-01-01 00:00:00,1,a\n2020-01-01 00:30:00,2,a\n", "not on the H grid"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (f"2020-01-01 00:00:00,1,{'x' * 300}\n", "longer than 256 characters"),
        ("1900-01-01 00:00:00,1,a\n2100-01-01 00:00:00,2,a\n", "at most 1000000 are allowed"),
        ("", "no data rows"),
    ],
)
def test_bad_rows_fail_the_import_with_a_message(
    server: LiveServer, forecast: Any, text: str | bytes, expected: str
) -> None:
    _, _, job = dataset_with_import(forecast, server, text)
    assert job["Status"] == "CREATE_FAILED"
    assert expected in job["Message"]


def test_values_near_the_largest_double_import(server: LiveServer, forecast: Any) -> None:
    text = "2020-01-01 00:00:00,1e308,a\n2020-01-01 01:00:00,1.7e308,a\n"
    _, _, job = dataset_with_import(forecast, server, text)
    assert job["Status"] == "ACTIVE", job.get("Message")
    stats = job["FieldStatistics"]["target_value"]
    assert stats["Count"] == 2 and "Max" in stats
    assert "Avg" not in stats  # their sum overflows a double: no average rather than infinity


def test_missing_object_fails_the_import(forecast: Any) -> None:
    dataset = forecast.create_dataset(
        DatasetName=unique("ds"),
        Domain="CUSTOM",
        DatasetType="TARGET_TIME_SERIES",
        DataFrequency="H",
        Schema=SCHEMA,
    )["DatasetArn"]
    job_arn = forecast.create_dataset_import_job(
        DatasetImportJobName=unique("imp"),
        DatasetArn=dataset,
        DataSource={"S3Config": {"Path": "s3://nowhere-bucket/none.csv", "RoleArn": ROLE}},
    )["DatasetImportJobArn"]
    job = wait(forecast.describe_dataset_import_job, DatasetImportJobArn=job_arn)
    assert job["Status"] == "CREATE_FAILED"
    assert "does not point to an object" in job["Message"]


def test_timestamp_format_is_honoured(server: LiveServer, forecast: Any) -> None:
    text = long_csv([[1.0, 2.0, 3.0]], dt.timedelta(hours=1), fmt="%Y-%m-%dT%H:%M:%S")
    _, _, job = dataset_with_import(forecast, server, text, TimestampFormat="yyyy-MM-dd'T'HH:mm:ss")
    assert job["Status"] == "ACTIVE", job.get("Message")


def test_unknown_frequency_and_bad_schema_are_refused(forecast: Any) -> None:
    for frequency in ("2H", "7D"):
        with pytest.raises(ClientError) as raised:
            forecast.create_dataset(
                DatasetName=unique("ds"),
                Domain="CUSTOM",
                DatasetType="TARGET_TIME_SERIES",
                DataFrequency=frequency,
                Schema=SCHEMA,
            )
        # The protocol layer refuses what breaks the model's pattern before the handler runs,
        # under its own validation code; the handler refuses the rest as Forecast does.
        code = raised.value.response["Error"]["Code"]
        assert code in ("InvalidInputException", "ValidationException")
    with pytest.raises(ClientError) as raised:
        forecast.create_dataset(
            DatasetName=unique("ds"),
            Domain="RETAIL",  # RETAIL's target is "demand", not "target_value"
            DatasetType="TARGET_TIME_SERIES",
            DataFrequency="H",
            Schema=SCHEMA,
        )
    assert "demand" in raised.value.response["Error"]["Message"]


def test_too_long_horizon_creates_nothing(server: LiveServer, forecast: Any) -> None:
    group, _, job = dataset_with_import(forecast, server, GOOD)
    assert job["Status"] == "ACTIVE"
    name = unique("ap")
    with pytest.raises(ClientError) as raised:
        forecast.create_auto_predictor(
            PredictorName=name,
            ForecastHorizon=20,  # 40 points: the limit is a third, 13
            ForecastFrequency="H",
            DataConfig={"DatasetGroupArn": group},
        )
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"
    assert "too long" in raised.value.response["Error"]["Message"]
    names = [p["PredictorName"] for p in forecast.list_predictors()["Predictors"]]
    assert name not in names


def test_missing_resources_and_duplicates(forecast: Any) -> None:
    missing = "arn:aws:forecast:us-east-1:000000000000:dataset-group/none_here"
    with pytest.raises(ClientError) as raised:
        forecast.describe_dataset_group(DatasetGroupArn=missing)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    name = unique("dg")
    forecast.create_dataset_group(DatasetGroupName=name, Domain="CUSTOM")
    with pytest.raises(ClientError) as raised:
        forecast.create_dataset_group(DatasetGroupName=name, Domain="CUSTOM")
    assert raised.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"


def test_an_export_to_a_bucket_s3_could_not_have_is_refused(forecast: Any) -> None:
    with pytest.raises(ClientError) as raised:
        forecast.create_forecast_export_job(
            ForecastExportJobName=unique("exp"),
            ForecastArn="arn:aws:forecast:us-east-1:000000000000:forecast/none_here",
            Destination={"S3Config": {"Path": f"s3://{'b' * 300}/out", "RoleArn": ROLE}},
        )
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"
    assert "Invalid bucket name" in raised.value.response["Error"]["Message"]
