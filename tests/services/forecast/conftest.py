"""Helpers for Forecast tests: M4 series as long CSV in the live server's buckets, polling."""

from __future__ import annotations

import csv
import datetime as dt
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer, shared_data

# The model's Arn pattern wants ":forecast:" (AWS itself accepts IAM role ARNs here).
ROLE = "arn:aws:forecast::000000000000:role/forecast"
TERMINAL = ("ACTIVE", "CREATE_FAILED")
SCHEMA = {
    "Attributes": [
        {"AttributeName": "timestamp", "AttributeType": "timestamp"},
        {"AttributeName": "target_value", "AttributeType": "float"},
        {"AttributeName": "item_id", "AttributeType": "string"},
    ]
}


def unique(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def m4_series(frequency: str, count: int) -> tuple[list[list[float]], list[list[float]]]:
    """The first ``count`` M4 series of a frequency: (train, test) value lists."""
    folder = shared_data("forecasting", "m4")

    def read(path: Path) -> list[list[float]]:
        with path.open() as handle:
            rows = list(csv.reader(handle))[1 : count + 1]
        return [[float(cell) for cell in row[1:] if cell] for row in rows]

    return read(folder / f"{frequency}-train.csv"), read(folder / f"{frequency}-test.csv")


def long_csv(series: list[list[float]], step: dt.timedelta, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """Rows of timestamp,target_value,item_id (the SCHEMA order), one per observation."""
    start = dt.datetime(2020, 1, 1)
    lines = []
    for index, values in enumerate(series):
        for position, value in enumerate(values):
            moment = start + position * step
            lines.append(f"{moment.strftime(fmt)},{value},item_{index}")
    return "\n".join(lines) + "\n"


def put(server: LiveServer, text: str | bytes, bucket: str = "forecast-data") -> str:
    key = f"{uuid.uuid4().hex[:8]}/data.csv"
    path = server.data_dir / "s3" / bucket / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return f"s3://{bucket}/{key}"


def wait(describe: Any, limit: float = 240, **kwargs: Any) -> dict[str, Any]:
    """Poll a Describe call until the resource settles (the limit only guards a hang)."""
    deadline = time.monotonic() + limit
    while True:
        result: dict[str, Any] = describe(**kwargs)
        if result["Status"] in TERMINAL or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def dataset_with_import(
    forecast: Any,
    server: LiveServer,
    csv_text: str | bytes,
    frequency: str = "H",
    schema: dict[str, Any] = SCHEMA,
    domain: str = "CUSTOM",
    bucket: str = "forecast-data",
    **import_args: Any,
) -> tuple[str, str, dict[str, Any]]:
    """A dataset group + TARGET dataset + import; (group ARN, dataset ARN, import job). A
    caller of another account names a bucket of its own (a bucket has one owner)."""
    dataset = forecast.create_dataset(
        DatasetName=unique("ds"),
        Domain=domain,
        DatasetType="TARGET_TIME_SERIES",
        DataFrequency=frequency,
        Schema=schema,
    )["DatasetArn"]
    group = forecast.create_dataset_group(
        DatasetGroupName=unique("dg"), Domain=domain, DatasetArns=[dataset]
    )["DatasetGroupArn"]
    job_arn = forecast.create_dataset_import_job(
        DatasetImportJobName=unique("imp"),
        DatasetArn=dataset,
        DataSource={"S3Config": {"Path": put(server, csv_text, bucket), "RoleArn": ROLE}},
        **import_args,
    )["DatasetImportJobArn"]
    job = wait(forecast.describe_dataset_import_job, DatasetImportJobArn=job_arn)
    return group, dataset, job


@pytest.fixture
def forecast(server: LiveServer) -> Any:
    return server.client("forecast")


@pytest.fixture
def forecastquery(server: LiveServer) -> Any:
    return server.client("forecastquery")
