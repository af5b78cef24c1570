"""List operations page newest first with Filters, and refuse tokens they did not issue."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import OTHER_ACCESS_KEY, OTHER_SECRET_KEY, LiveServer
from tests.services.forecast.conftest import ROLE, SCHEMA, unique, wait

# Each test lists in a region of its own, where the session's other tests add nothing.


def _dataset(forecast: Any) -> str:
    return str(
        forecast.create_dataset(
            DatasetName=unique("ds"),
            Domain="CUSTOM",
            DatasetType="TARGET_TIME_SERIES",
            DataFrequency="H",
            Schema=SCHEMA,
        )["DatasetArn"]
    )


def _import(forecast: Any, dataset: str) -> str:
    """An import of a missing object: it fails at once, which is all a listing needs."""
    return str(
        forecast.create_dataset_import_job(
            DatasetImportJobName=unique("imp"),
            DatasetArn=dataset,
            DataSource={"S3Config": {"Path": "s3://nowhere-bucket/none.csv", "RoleArn": ROLE}},
        )["DatasetImportJobArn"]
    )


def _all_pages(call: Any, key: str, arn_key: str, **kwargs: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    token: str | None = None
    while True:
        result = call(**kwargs, **({"NextToken": token} if token else {}))
        pages.append([item[arn_key] for item in result[key]])
        token = result.get("NextToken")
        if not token:
            return pages


def _code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return str(raised.value.response["Error"]["Code"])


def _is(key: str, value: str, condition: str = "IS") -> dict[str, str]:
    return {"Key": key, "Value": value, "Condition": condition}


def test_filtered_listings_page_across_pages(server: LiveServer) -> None:
    forecast = server.client("forecast", region="ap-southeast-2")
    first, second = _dataset(forecast), _dataset(forecast)
    into_first = [_import(forecast, first) for _ in range(3)]
    into_second = [_import(forecast, second) for _ in range(2)]
    for arn in into_first + into_second:
        job = wait(forecast.describe_dataset_import_job, DatasetImportJobArn=arn)
        assert job["Status"] == "CREATE_FAILED"
    listing = forecast.list_dataset_import_jobs

    def pages(size: int, *filters: dict[str, str]) -> list[list[str]]:
        return _all_pages(
            listing,
            "DatasetImportJobs",
            "DatasetImportJobArn",
            MaxResults=size,
            Filters=list(filters),
        )

    newest_first = into_first[::-1]
    assert pages(2, _is("DatasetArn", first)) == [newest_first[:2], newest_first[2:]]
    assert pages(1, _is("DatasetArn", first, "IS_NOT")) == [[arn] for arn in into_second[::-1]]
    both = pages(2, _is("DatasetArn", first), _is("DatasetArn", second, "IS_NOT"))
    assert both == [newest_first[:2], newest_first[2:]]
    neither = pages(2, _is("DatasetArn", first, "IS_NOT"), _is("DatasetArn", second, "IS_NOT"))
    assert neither == [[]]
    # Status filters, as AWS documents them (the model's ARN pattern for Value aside).
    assert pages(3, _is("Status", "CREATE_FAILED")) == [
        (into_first + into_second)[::-1][:3],
        (into_first + into_second)[::-1][3:],
    ]
    assert pages(3, _is("Status", "ACTIVE")) == [[]]


def test_a_token_is_bound_to_its_filters_and_operation(server: LiveServer) -> None:
    forecast = server.client("forecast", region="ap-northeast-1")
    dataset = _dataset(forecast)
    _import(forecast, dataset)
    _import(forecast, dataset)
    filters = [_is("DatasetArn", dataset)]
    token = forecast.list_dataset_import_jobs(MaxResults=1, Filters=filters)["NextToken"]
    assert forecast.list_dataset_import_jobs(MaxResults=1, Filters=filters, NextToken=token)
    other_filters = [_is("DatasetArn", dataset, "IS_NOT")]
    assert _code(
        forecast.list_dataset_import_jobs, MaxResults=1, Filters=other_filters, NextToken=token
    ) == ("InvalidNextTokenException")
    assert _code(forecast.list_datasets, NextToken=token) == "InvalidNextTokenException"


def test_forged_and_foreign_tokens_are_refused(server: LiveServer) -> None:
    region = "sa-east-1"
    forecast = server.client("forecast", region=region)
    for _ in range(2):
        forecast.create_dataset_group(DatasetGroupName=unique("dg"), Domain="CUSTOM")
    token = forecast.list_dataset_groups(MaxResults=1)["NextToken"]
    for forged in ("forged", token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        assert _code(forecast.list_dataset_groups, NextToken=forged) == (
            "InvalidNextTokenException"
        )
    other_account = server.client(
        "forecast", access_key=OTHER_ACCESS_KEY, secret_key=OTHER_SECRET_KEY, region=region
    )
    assert _code(other_account.list_dataset_groups, NextToken=token) == (
        "InvalidNextTokenException"
    )
    other_region = server.client("forecast", region="eu-west-1")
    assert _code(other_region.list_dataset_groups, NextToken=token) == ("InvalidNextTokenException")


def test_unknown_filter_key_is_refused(forecast: Any) -> None:
    code = _code(forecast.list_predictors, Filters=[_is("DatasetArn", "x")])
    assert code == "InvalidInputException"
