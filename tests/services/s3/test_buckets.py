"""Buckets: creation in a region, listing, location, deletion, and whose they are."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import OTHER_ACCESS_KEY, OTHER_SECRET_KEY
from tests.services.s3.conftest import error_code


def test_bucket_lifecycle(s3: Any, s3_for: Callable[..., Any]) -> None:
    name = f"life-{uuid.uuid4().hex[:12]}"
    assert s3.create_bucket(Bucket=name)["Location"] == f"/{name}"
    assert s3.create_bucket(Bucket=name)["Location"] == f"/{name}"  # us-east-1's legacy answer
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert s3.head_bucket(Bucket=name)["BucketRegion"] == "us-east-1"
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as gone:
        s3.head_bucket(Bucket=name)
    assert error_code(gone) == "404"
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.list_objects_v2(Bucket=name)


def test_location_constraint_must_match_the_region(s3_for: Callable[..., Any]) -> None:
    oregon = s3_for(region="us-west-2")
    name = f"west-{uuid.uuid4().hex[:12]}"
    with pytest.raises(ClientError) as unspecified:
        oregon.create_bucket(Bucket=name)
    assert error_code(unspecified) == "IllegalLocationConstraintException"
    with pytest.raises(ClientError) as elsewhere:
        oregon.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
    assert error_code(elsewhere) == "IllegalLocationConstraintException"
    oregon.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert oregon.get_bucket_location(Bucket=name)["LocationConstraint"] == "us-west-2"
    with pytest.raises(oregon.exceptions.BucketAlreadyOwnedByYou):
        oregon.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
        )


@pytest.mark.parametrize("name", ["UpperCase", "ab", "a..b", "192.168.1.1", "xn--bucket"])
def test_invalid_bucket_names(s3: Any, name: str) -> None:
    with pytest.raises(ClientError) as refused:
        s3.create_bucket(Bucket=name)
    assert error_code(refused) == "InvalidBucketName"


def test_buckets_belong_to_their_account(s3: Any, s3_for: Callable[..., Any], bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"mine")
    other = s3_for(access_key=OTHER_ACCESS_KEY, secret_key=OTHER_SECRET_KEY)
    assert bucket not in [b["Name"] for b in other.list_buckets()["Buckets"]]
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_object", {"Key": "secret.txt"}),
        ("put_object", {"Key": "theirs.txt", "Body": b"x"}),
        ("list_objects", {}),
        ("list_objects_v2", {}),
        ("delete_object", {"Key": "secret.txt"}),
        ("delete_bucket", {}),
    ]
    for name, params in calls:
        with pytest.raises(ClientError) as denied:
            getattr(other, name)(Bucket=bucket, **params)
        assert error_code(denied) == "AccessDenied"
    with pytest.raises(ClientError) as head:
        other.head_bucket(Bucket=bucket)
    assert error_code(head) == "403"
    with pytest.raises(other.exceptions.BucketAlreadyExists):
        other.create_bucket(Bucket=bucket)
    assert s3.get_object(Bucket=bucket, Key="secret.txt")["Body"].read() == b"mine"


def test_a_bucket_with_objects_is_not_deleted(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="deep/in/it.txt", Body=b"x")
    with pytest.raises(ClientError) as refused:
        s3.delete_bucket(Bucket=bucket)
    assert error_code(refused) == "BucketNotEmpty"
    s3.delete_object(Bucket=bucket, Key="deep/in/it.txt")
    s3.delete_bucket(Bucket=bucket)


def test_operations_not_built_answer_not_implemented(s3: Any, bucket: str) -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_bucket_versioning", {}),
        ("get_bucket_policy", {}),
        ("get_object_acl", {"Key": "k"}),
    ]
    for name, params in calls:
        with pytest.raises(ClientError) as refused:
            getattr(s3, name)(Bucket=bucket, **params)
        assert error_code(refused) == "NotImplemented"
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
