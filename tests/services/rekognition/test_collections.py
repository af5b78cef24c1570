"""Rekognition collection operations through boto3 against a live server."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from typing import Any

import pytest

from tests.conftest import ACCESS_KEY, SECRET_KEY, LiveServer


def unique(prefix: str = "c") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_create_describe_delete(rekognition: Any) -> None:
    name = unique()
    created = rekognition.create_collection(CollectionId=name)
    assert created["StatusCode"] == 200
    assert created["CollectionArn"].endswith(f":collection/{name}")
    assert created["CollectionArn"].startswith("arn:aws:rekognition:us-east-1:")
    assert created["FaceModelVersion"]

    described = rekognition.describe_collection(CollectionId=name)
    assert described["CollectionARN"] == created["CollectionArn"]
    assert described["FaceCount"] == 0
    assert described["UserCount"] == 0
    assert described["FaceModelVersion"] == created["FaceModelVersion"]
    age = dt.datetime.now(dt.UTC) - described["CreationTimestamp"]
    assert dt.timedelta(0) <= age < dt.timedelta(minutes=5)

    assert rekognition.delete_collection(CollectionId=name)["StatusCode"] == 200
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.describe_collection(CollectionId=name)


def test_duplicate_create_is_rejected(rekognition: Any) -> None:
    name = unique()
    rekognition.create_collection(CollectionId=name)
    with pytest.raises(rekognition.exceptions.ResourceAlreadyExistsException):
        rekognition.create_collection(CollectionId=name)


def test_missing_collection(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException) as raised:
        rekognition.describe_collection(CollectionId=unique("missing"))
    assert "does not exist" in raised.value.response["Error"]["Message"]
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.delete_collection(CollectionId=unique("missing"))


@pytest.mark.parametrize("bad_id", ["with/slash", "x" * 256, "spaces not allowed", "ünïcode"])
def test_invalid_collection_id(rekognition: Any, bad_id: str) -> None:
    with pytest.raises(rekognition.exceptions.InvalidParameterException) as raised:
        rekognition.create_collection(CollectionId=bad_id)
    assert "collectionId" in raised.value.response["Error"]["Message"]


def test_list_paginates_across_pages(server: LiveServer) -> None:
    # A region of its own so that other tests' collections do not interfere.
    client = server.client("rekognition", region="eu-west-3")
    names = sorted(unique("page") for _ in range(7))
    for name in names:
        client.create_collection(CollectionId=name)

    seen: list[str] = []
    versions: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 3}
    pages = 0
    while True:
        page = client.list_collections(**kwargs)
        pages += 1
        assert len(page["CollectionIds"]) <= 3
        seen += page["CollectionIds"]
        versions += page["FaceModelVersions"]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == 3
    assert seen == names
    assert len(versions) == len(names)

    paginated = [
        cid
        for page in client.get_paginator("list_collections").paginate(
            PaginationConfig={"PageSize": 2}
        )
        for cid in page["CollectionIds"]
    ]
    assert paginated == names


def test_bad_pagination_token(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.list_collections(NextToken="not-a-token-we-issued")


def test_max_results_out_of_range(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.InvalidParameterException) as raised:
        rekognition.list_collections(MaxResults=5000)
    assert "less than or equal to 4096" in raised.value.response["Error"]["Message"]


def test_tags(rekognition: Any) -> None:
    name = unique()
    arn = rekognition.create_collection(CollectionId=name, Tags={"team": "vision"})["CollectionArn"]
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "vision"}
    rekognition.tag_resource(ResourceArn=arn, Tags={"env": "test", "team": "faces"})
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {
        "env": "test",
        "team": "faces",
    }
    rekognition.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "test"}

    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.tag_resource(ResourceArn=arn, Tags={"aws:reserved": "x"})
    with pytest.raises(rekognition.exceptions.ServiceQuotaExceededException):
        rekognition.tag_resource(ResourceArn=arn, Tags={f"k{i}": "v" for i in range(60)})

    missing = arn.replace(name, unique("gone"))
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.list_tags_for_resource(ResourceArn=missing)

    rekognition.delete_collection(CollectionId=name)
    rekognition.create_collection(CollectionId=name)
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {}


def test_aws_examples_flow(rekognition: Any) -> None:
    """AWS's own example: create, describe, list, delete."""
    name = unique("MyCollection")
    rekognition.create_collection(CollectionId=name)
    assert name in _all_ids(rekognition)
    rekognition.delete_collection(CollectionId=name)
    assert name not in _all_ids(rekognition)


def _all_ids(client: Any) -> list[str]:
    return [
        cid
        for page in client.get_paginator("list_collections").paginate()
        for cid in page["CollectionIds"]
    ]


def test_aws_cli_is_a_second_client(server: LiveServer) -> None:
    name = unique("cli")
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    base = [sys.executable, "-m", "awscli", "rekognition", "--endpoint-url", server.endpoint]
    created = subprocess.run(
        [*base, "create-collection", "--collection-id", name],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(created.stdout)["CollectionArn"].endswith(name)
    described = subprocess.run(
        [*base, "describe-collection", "--collection-id", name],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(described.stdout)["FaceCount"] == 0
