"""ListObjects (v1) through boto3 and the AWS CLI, and what it shares with ListObjectsV2:
markers through delimiter listings, prefixes, encoding, owners, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer
from tests.services.s3.conftest import error_code
from tests.services.s3.test_clients import aws

TRANSCRIBE_BUCKET = "sensorium-transcribe"  # shared: each account under its own ACCOUNT/
# The keys of the listing cases of Ceph's s3-tests (S3 compatibility tests).
TREE = ["asdf", "boo/bar", "boo/baz/xyzzy", "cquux/bla", "cquux/thud"]


def put_all(s3: Any, bucket: str, keys: list[str]) -> None:
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())


def keys_of(page: dict[str, Any]) -> list[str]:
    return [item["Key"] for item in page.get("Contents", [])]


def prefixes_of(page: dict[str, Any]) -> list[str]:
    return [item["Prefix"] for item in page.get("CommonPrefixes", [])]


def test_list_objects_answers_what_v1_answers(s3: Any, bucket: str) -> None:
    put_all(s3, bucket, ["b.txt", "a.txt", "é.txt", "z/1.txt"])
    listed = s3.list_objects(Bucket=bucket)
    assert keys_of(listed) == ["a.txt", "b.txt", "z/1.txt", "é.txt"]  # UTF-8 byte order
    assert listed["Name"] == bucket
    assert (listed["Prefix"], listed["Marker"], listed["MaxKeys"]) == ("", "", 1000)
    assert listed["IsTruncated"] is False
    for absent in ("NextMarker", "Delimiter", "CommonPrefixes", "KeyCount"):
        assert absent not in listed
    head = s3.head_object(Bucket=bucket, Key="a.txt")
    first = listed["Contents"][0]
    assert (first["ETag"], first["Size"], first["StorageClass"]) == (
        head["ETag"],
        len(b"a.txt"),
        "STANDARD",
    )
    assert first["LastModified"] == head["LastModified"]
    # v1 names every object's owner; v2 only when asked (FetchOwner), as S3 does.
    owner = s3.list_buckets()["Owner"]
    assert all(item["Owner"] == owner for item in listed["Contents"])
    assert all("Owner" not in item for item in s3.list_objects_v2(Bucket=bucket)["Contents"])
    fetched = s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"]
    assert all(item["Owner"] == owner for item in fetched)


@pytest.mark.parametrize(
    ("prefix", "max_keys", "pages"),
    [
        # Each page: its keys, its common prefixes, and the NextMarker it answers.
        ("", 1, [(["asdf"], [], "asdf"), ([], ["boo/"], "boo/"), ([], ["cquux/"], None)]),
        ("", 2, [(["asdf"], ["boo/"], "boo/"), ([], ["cquux/"], None)]),
        ("boo/", 1, [(["boo/bar"], [], "boo/bar"), ([], ["boo/baz/"], None)]),
        ("boo/", 2, [(["boo/bar"], ["boo/baz/"], None)]),
    ],
)
def test_paging_with_marker_through_a_delimiter_listing(
    s3: Any,
    bucket: str,
    prefix: str,
    max_keys: int,
    pages: list[tuple[list[str], list[str], str | None]],
) -> None:
    put_all(s3, bucket, TREE)
    marker = ""
    for number, (keys, prefixes, next_marker) in enumerate(pages):
        page = s3.list_objects(
            Bucket=bucket, Prefix=prefix, Delimiter="/", MaxKeys=max_keys, Marker=marker
        )
        assert (keys_of(page), prefixes_of(page)) == (keys, prefixes), number
        assert page["Marker"] == marker
        assert page["Delimiter"] == "/"
        assert page["IsTruncated"] is (next_marker is not None)
        assert page.get("NextMarker") == next_marker  # only while truncated
        marker = next_marker or ""


def test_a_marker_inside_a_common_prefix_passes_the_whole_prefix(s3: Any, bucket: str) -> None:
    put_all(s3, bucket, TREE)
    for marker in ("boo/", "boo/bar", "boo/baz/xyzzy"):
        page = s3.list_objects(Bucket=bucket, Delimiter="/", Marker=marker)
        assert (keys_of(page), prefixes_of(page)) == ([], ["cquux/"]), marker
    # ListObjectsV2's StartAfter is the same position.
    page = s3.list_objects_v2(Bucket=bucket, Delimiter="/", StartAfter="boo/bar")
    assert prefixes_of(page) == ["cquux/"]
    # Without a delimiter a marker is a key like any other, present or not.
    assert keys_of(s3.list_objects(Bucket=bucket, Marker="boo/")) == TREE[1:]
    assert keys_of(s3.list_objects(Bucket=bucket, Marker="bz")) == TREE[3:]
    assert keys_of(s3.list_objects(Bucket=bucket, Marker="zzz")) == []


def test_without_a_delimiter_the_client_pages_from_the_last_key(s3: Any, bucket: str) -> None:
    put_all(s3, bucket, TREE)
    first = s3.list_objects(Bucket=bucket, MaxKeys=2)
    assert keys_of(first) == TREE[:2]
    assert first["IsTruncated"] is True
    assert "NextMarker" not in first  # AWS: NextMarker only with a delimiter
    rest = s3.list_objects(Bucket=bucket, Marker=keys_of(first)[-1])
    assert keys_of(rest) == TREE[2:]
    assert rest["IsTruncated"] is False


def test_prefixes_and_delimiters(s3: Any, bucket: str) -> None:
    put_all(s3, bucket, [*TREE, "bar", "bazar", "cab"])
    under = s3.list_objects(Bucket=bucket, Prefix="boo/")
    assert (under["Prefix"], keys_of(under)) == ("boo/", ["boo/bar", "boo/baz/xyzzy"])
    assert "CommonPrefixes" not in under  # no delimiter: nothing rolled up
    assert keys_of(s3.list_objects(Bucket=bucket, Prefix="nothing")) == []
    # Any string delimits: "a" after the prefix "ba".
    alt = s3.list_objects(Bucket=bucket, Prefix="ba", Delimiter="a")
    assert (keys_of(alt), prefixes_of(alt)) == (["bar"], ["baza"])
    # A delimiter that no key holds rolls nothing up.
    plain = s3.list_objects(Bucket=bucket, Prefix="boo/", Delimiter="#")
    assert (keys_of(plain), prefixes_of(plain)) == (["boo/bar", "boo/baz/xyzzy"], [])


def test_max_keys_zero_and_the_default(s3: Any, bucket: str) -> None:
    put_all(s3, bucket, TREE)
    for listing in (s3.list_objects, s3.list_objects_v2):
        empty = listing(Bucket=bucket, MaxKeys=0)
        assert (empty["MaxKeys"], empty["IsTruncated"], keys_of(empty)) == (0, False, [])
    assert s3.list_objects(Bucket=bucket, MaxKeys=5000)["MaxKeys"] == 1000


def test_the_paginator_pages_through_more_than_max_keys(s3: Any, bucket: str) -> None:
    keys = [f"photos/{n:02d}.jpg" for n in range(7)] + [f"raw/{n}/x.dng" for n in range(5)]
    put_all(s3, bucket, [*keys, "index.html"])
    pages = list(
        s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 3})
    )
    assert len(pages) == 5
    assert [key for page in pages for key in keys_of(page)] == sorted([*keys, "index.html"])
    grouped = list(
        s3.get_paginator("list_objects").paginate(
            Bucket=bucket, Prefix="raw/", Delimiter="/", PaginationConfig={"PageSize": 2}
        )
    )
    assert [prefixes_of(page) for page in grouped] == [
        ["raw/0/", "raw/1/"],
        ["raw/2/", "raw/3/"],
        ["raw/4/"],
    ]
    assert [page.get("NextMarker") for page in grouped] == ["raw/1/", "raw/3/", None]


def test_the_paginator_pages_past_the_default_thousand(
    s3: Any, bucket: str, server: LiveServer
) -> None:
    # Files put in the bucket's folder by hand are objects too (and quicker than 1,001 PUTs).
    folder = server.data_dir / "s3" / bucket / "many"
    folder.mkdir(parents=True)
    names = [f"many/{n:04d}" for n in range(1001)]
    for name in names:
        (server.data_dir / "s3" / bucket / name).write_bytes(b"x")
    pages = list(s3.get_paginator("list_objects").paginate(Bucket=bucket))
    assert [len(page["Contents"]) for page in pages] == [1000, 1]
    assert pages[0]["IsTruncated"] is True
    assert pages[1]["Marker"] == names[999]
    assert [key for page in pages for key in keys_of(page)] == names


def test_keys_any_client_can_read_back(s3: Any, bucket: str) -> None:
    # botocore asks for EncodingType=url unless told otherwise, and decodes what it asked for.
    odd = ["a b/c+d.txt", "a b/é%.txt", "a&b=c?.txt", "plain.txt"]
    put_all(s3, bucket, odd)
    assert keys_of(s3.list_objects(Bucket=bucket)) == sorted(odd)
    seen: list[str] = []
    for page in s3.get_paginator("list_objects").paginate(
        Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 1}
    ):
        seen += keys_of(page) + prefixes_of(page)
    assert seen == ["a b/", "a&b=c?.txt", "plain.txt"]
    # Asked for by the caller, the encoding is the caller's to undo: S3 encodes Prefix,
    # Delimiter, Marker, NextMarker, keys and common prefixes.
    raw = s3.list_objects(
        Bucket=bucket, Prefix="a b/", Delimiter="+", Marker="a b/", MaxKeys=1, EncodingType="url"
    )
    assert raw["EncodingType"] == "url"
    assert (raw["Prefix"], raw["Delimiter"], raw["Marker"]) == ("a%20b/", "%2B", "a%20b/")
    assert prefixes_of(raw) == ["a%20b/c%2B"]
    assert raw["NextMarker"] == "a%20b/c%2B"
    after = s3.list_objects(
        Bucket=bucket, Prefix="a b/", Delimiter="+", Marker="a b/c+", EncodingType="url"
    )
    assert keys_of(after) == ["a%20b/%C3%A9%25.txt"]


@pytest.mark.parametrize(
    ("params", "argument"),
    [
        ({"EncodingType": "base64"}, None),
        ({"MaxKeys": -1}, ("maxKeys", "-1")),
        ({"MaxKeys": 2**31}, ("max-keys", str(2**31))),
    ],
)
def test_bad_input_is_an_invalid_argument(
    s3: Any, bucket: str, params: dict[str, Any], argument: tuple[str, str] | None
) -> None:
    with pytest.raises(ClientError) as refused:
        s3.list_objects(Bucket=bucket, **params)
    assert error_code(refused) == "InvalidArgument"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if argument is not None:
        error = refused.value.response["Error"]
        assert (error["ArgumentName"], error["ArgumentValue"]) == argument


def test_a_bucket_that_does_not_exist(s3: Any, bucket: str) -> None:
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.list_objects(Bucket=f"{bucket}-absent")


def test_a_service_bucket_lists_the_callers_folder_only(s3: Any) -> None:
    account = s3.list_buckets()["Owner"]["DisplayName"]
    with pytest.raises(ClientError) as denied:
        s3.list_objects(Bucket=TRANSCRIBE_BUCKET)
    assert error_code(denied) == "AccessDenied"
    listed = s3.list_objects(Bucket=TRANSCRIBE_BUCKET, Prefix=f"{account}/", Delimiter="/")
    assert (listed["Prefix"], listed["IsTruncated"]) == (f"{account}/", False)


def test_aws_cli_list_objects(server: LiveServer, s3: Any, bucket: str, tmp_path: Path) -> None:
    put_all(s3, bucket, [*TREE, "boo/zed"])
    listed = aws(
        server,
        tmp_path,
        "s3api",
        "list-objects",
        "--bucket",
        bucket,
        "--delimiter",
        "/",
        "--prefix",
        "boo/",
        "--page-size",
        "1",
        "--output",
        "json",
    )
    assert listed.returncode == 0, listed.stderr
    answer = json.loads(listed.stdout)
    assert keys_of(answer) == ["boo/bar", "boo/zed"]
    assert prefixes_of(answer) == ["boo/baz/"]
    owner = s3.list_buckets()["Owner"]
    assert all(item["Owner"] == owner for item in answer["Contents"])
