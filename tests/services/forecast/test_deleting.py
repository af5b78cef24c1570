"""Delete operations: what goes with a dataset, and the error for a resource that is not there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from tests.conftest import LiveServer
from tests.services.forecast.conftest import dataset_with_import, long_csv

GOOD = long_csv([[1.0, 2.0, 3.0, 4.0] * 10], dt.timedelta(hours=1))


def _error(call: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return dict(raised.value.response["Error"])


def test_a_deleted_dataset_takes_its_imports_and_leaves_its_group(
    server: LiveServer, forecast: Any
) -> None:
    group, dataset, job = dataset_with_import(forecast, server, GOOD)
    assert job["Status"] == "ACTIVE", job.get("Message")
    forecast.delete_dataset(DatasetArn=dataset)
    assert forecast.describe_dataset_group(DatasetGroupArn=group)["DatasetArns"] == []
    gone = _error(
        forecast.describe_dataset_import_job, DatasetImportJobArn=job["DatasetImportJobArn"]
    )
    assert gone["Code"] == "ResourceNotFoundException"
    assert _error(forecast.describe_dataset, DatasetArn=dataset)["Code"] == (
        "ResourceNotFoundException"
    )


def test_a_deleted_import_leaves_its_dataset(server: LiveServer, forecast: Any) -> None:
    _, dataset, job = dataset_with_import(forecast, server, GOOD)
    forecast.delete_dataset_import_job(DatasetImportJobArn=job["DatasetImportJobArn"])
    assert (
        forecast.list_dataset_import_jobs(
            Filters=[{"Key": "DatasetArn", "Value": dataset, "Condition": "IS"}]
        )["DatasetImportJobs"]
        == []
    )
    assert forecast.describe_dataset(DatasetArn=dataset)["Status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("noun", "path", "title"),
    [
        ("DatasetGroup", "dataset-group/none", "dataset group"),
        ("Dataset", "dataset/none", "dataset"),
        ("DatasetImportJob", "dataset-import-job/none/none", "dataset import job"),
        ("Predictor", "predictor/none", "predictor"),
        ("Forecast", "forecast/none", "forecast"),
        ("ForecastExportJob", "forecast-export-job/none/none", "forecast export job"),
    ],
)
def test_deleting_what_is_not_there_names_its_kind(
    forecast: Any, noun: str, path: str, title: str
) -> None:
    arn = f"arn:aws:forecast:us-east-1:000000000000:{path}"
    error = _error(getattr(forecast, xform_name(f"Delete{noun}")), **{f"{noun}Arn": arn})
    assert error["Code"] == "ResourceNotFoundException"
    assert error["Message"] == f"No {title} exists with the ARN {arn}."
