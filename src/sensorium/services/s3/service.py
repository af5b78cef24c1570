"""S3's operations over the local bucket folders.

Buckets are global names owned by one account (``blobs.Buckets``): another account's bucket
answers ``AccessDenied``. A deleted bucket stays its owner's name (AWS frees it, eventually):
freeing it would let another account take a name whose objects a service may still write.
A service's shared bucket (Transcribe's results) is reachable only under ``ACCOUNT/``.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from sensorium.blobs import Buckets
from sensorium.blobs.store import check_location
from sensorium.context import RequestContext, Scope
from sensorium.errors import BlobAccessDenied, InvalidBlobKey
from sensorium.services.s3 import conditions
from sensorium.services.s3.errors import (
    AccessDenied,
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    IllegalLocationConstraintException,
    InvalidArgument,
    InvalidBucketName,
    InvalidLocationConstraint,
    InvalidRequest,
    KeyTooLongError,
    MalformedXML,
    NoSuchBucket,
    NoSuchKey,
)
from sensorium.services.s3.listing import list_buckets, list_objects, list_objects_v2
from sensorium.services.s3.names import check_key, check_new_bucket
from sensorium.services.s3.objects import DEFAULT_CONTENT_TYPE, ObjectFiles, ObjectInfo
from sensorium.storage.paging import TokenSigner

Params = dict[str, Any]
LEGACY_REGION = "us-east-1"  # S3's first region: its buckets have no location constraint
MAX_DELETE_KEYS = 1000
# Headers stored with an object and returned with it (members of Put/Get/HeadObject).
KEPT_HEADERS = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage")
CHECKSUMS = ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumSHA1", "ChecksumSHA256")
# GetObject's response-* query members, overriding what is stored.
OVERRIDES = {
    "ResponseCacheControl": "CacheControl",
    "ResponseContentDisposition": "ContentDisposition",
    "ResponseContentEncoding": "ContentEncoding",
    "ResponseContentLanguage": "ContentLanguage",
    "ResponseContentType": "ContentType",
}
_SELF_COPY = (
    "This copy request is illegal because it is trying to copy an object to itself without "
    "changing the object's metadata, storage class, website redirect location or encryption "
    "attributes."
)


def canonical_id(account_id: str) -> str:
    """The account's S3 canonical user id (64 hex digits, as S3's)."""
    return hashlib.sha256(f"sensorium-account:{account_id}".encode()).hexdigest()


class S3:
    def __init__(self, buckets: Buckets, files: ObjectFiles, tokens: TokenSigner) -> None:
        self.buckets = buckets
        self.files = files
        self.tokens = tokens

    # Buckets.

    def list_buckets(self, ctx: RequestContext, params: Params) -> Params:
        owned = [
            (name, created, self.files.bucket_region(name, LEGACY_REGION))
            for name, created in self.buckets.owned_by(ctx.account_id)
            if name not in self.buckets.shared and self.files.bucket_exists(name)
        ]
        result = list_buckets(self.tokens, ctx.account_id, owned, params)
        result["Owner"] = _owner(ctx.account_id)
        return result

    def create_bucket(self, ctx: RequestContext, params: Params) -> Params:
        bucket = params["Bucket"]
        check_new_bucket(bucket)
        configuration = params.get("CreateBucketConfiguration") or {}
        _check_location_constraint(ctx.region, configuration.get("LocationConstraint"))
        owner = self.buckets.owner(bucket)
        taken = BucketAlreadyExists(
            "The requested bucket name is not available. The bucket namespace is shared by all "
            "users of the system. Please select a different name and try again.",
            BucketName=bucket,
        )
        if bucket in self.buckets.shared or owner not in (None, ctx.account_id):
            raise taken
        if owner is not None and self.files.bucket_exists(bucket):
            if ctx.region == LEGACY_REGION:
                return {"Location": f"/{bucket}"}  # S3 keeps this answer in us-east-1
            raise BucketAlreadyOwnedByYou(
                "Your previous request to create the named bucket succeeded and you already "
                "own it.",
                BucketName=bucket,
            )
        try:
            self.buckets.allow(ctx.scope, bucket)
        except BlobAccessDenied:  # claimed in between, by another account
            raise taken from None
        self.files.create_bucket(bucket, ctx.region)
        return {"Location": f"/{bucket}"}

    def head_bucket(self, ctx: RequestContext, params: Params) -> Params:
        bucket = params["Bucket"]
        self._open(ctx.scope, bucket)
        return {"BucketRegion": self.files.bucket_region(bucket, LEGACY_REGION)}

    def get_bucket_location(self, ctx: RequestContext, params: Params) -> Params:
        bucket = params["Bucket"]
        self._open(ctx.scope, bucket)
        region = self.files.bucket_region(bucket, LEGACY_REGION)
        return {"LocationConstraint": None if region == LEGACY_REGION else region}

    def delete_bucket(self, ctx: RequestContext, params: Params) -> Params:
        bucket = params["Bucket"]
        self._open(ctx.scope, bucket)
        if not self.files.is_empty(bucket):
            raise BucketNotEmpty("The bucket you tried to delete is not empty", BucketName=bucket)
        self.files.delete_bucket(bucket)
        return {}

    # Objects.

    def put_object(self, ctx: RequestContext, params: Params) -> Params:
        bucket, key = params["Bucket"], params["Key"]
        self._open(ctx.scope, bucket, key)
        existing = self._info(bucket, key) if _conditional_write(params) else None
        if params.get("IfNoneMatch") == "*" and existing is not None:
            raise conditions.failed()
        if params.get("IfMatch") is not None:
            if existing is None:
                raise NoSuchKey("The specified key does not exist.", Key=key)
            conditions.check(existing, if_match=params["IfMatch"])
        record = {
            "content_type": params.get("ContentType") or DEFAULT_CONTENT_TYPE,
            "metadata": params.get("Metadata") or {},
            "headers": {name: params[name] for name in KEPT_HEADERS if params.get(name)},
            "checksums": {name: params[name] for name in CHECKSUMS if params.get(name)},
        }
        info = self._put(bucket, key, params.get("Body", b""), record)
        return {"ETag": info.etag, **info.checksums}

    def get_object(self, ctx: RequestContext, params: Params) -> Params:
        info, first, last, described = self._read_head(ctx, params)
        if info.size:
            described["Body"] = self.files.read(params["Bucket"], info.key, first, last)
        else:
            described["Body"] = b""
        return described

    def head_object(self, ctx: RequestContext, params: Params) -> Params:
        return self._read_head(ctx, params)[3]

    def delete_object(self, ctx: RequestContext, params: Params) -> Params:
        bucket, key = params["Bucket"], params["Key"]
        self._open(ctx.scope, bucket, key)
        self._delete(bucket, key)
        return {}

    def delete_objects(self, ctx: RequestContext, params: Params) -> Params:
        bucket = params["Bucket"]
        self._open(ctx.scope, bucket)
        request = params["Delete"]
        objects = request.get("Objects") or []
        if not objects or len(objects) > MAX_DELETE_KEYS:
            raise MalformedXML(
                "The XML you provided was not well-formed or did not validate against our "
                "published schema"
            )
        deleted: list[Params] = []
        errors: list[Params] = []
        for entry in objects:
            key = entry["Key"]
            try:
                self._open(ctx.scope, bucket, key)
                self._delete(bucket, key)
            except (AccessDenied, InvalidArgument, KeyTooLongError) as error:
                errors.append({"Key": key, "Code": error.code, "Message": error.message})
                continue
            if not request.get("Quiet"):
                deleted.append({"Key": key})
        return {"Deleted": deleted or None, "Errors": errors or None}

    def list_objects(self, ctx: RequestContext, params: Params) -> Params:
        bucket = params["Bucket"]
        keys = self._listed_keys(ctx, bucket, params)
        return list_objects(bucket, keys, self._entry, _owner(ctx.account_id), params)

    def list_objects_v2(self, ctx: RequestContext, params: Params) -> Params:
        bucket = params["Bucket"]
        keys = self._listed_keys(ctx, bucket, params)
        owner = _owner(ctx.account_id)
        return list_objects_v2(
            self.tokens, ctx.account_id, bucket, keys, self._entry, owner, params
        )

    def copy_object(self, ctx: RequestContext, params: Params) -> Params:
        source_bucket, source_key = _copy_source(params["CopySource"])
        bucket, key = params["Bucket"], params["Key"]
        self._open(ctx.scope, source_bucket, source_key)
        source = self._existing(source_bucket, source_key)
        conditions.check(
            source,
            params.get("CopySourceIfMatch"),
            params.get("CopySourceIfNoneMatch"),
            params.get("CopySourceIfModifiedSince"),
            params.get("CopySourceIfUnmodifiedSince"),
            copy_source=True,
        )
        self._open(ctx.scope, bucket, key)
        replace = params.get("MetadataDirective") == "REPLACE"
        if (source_bucket, source_key) == (bucket, key) and not replace:
            raise InvalidRequest(_SELF_COPY)
        described = params if replace else _described_record(source)
        record = {
            "content_type": described.get("ContentType") or DEFAULT_CONTENT_TYPE,
            "metadata": described.get("Metadata") or {},
            "headers": {name: described[name] for name in KEPT_HEADERS if described.get(name)},
            "checksums": source.checksums,
        }
        data = b"".join(self.files.read(source_bucket, source_key, 0, source.size - 1))
        copied = self._put(bucket, key, data, record)
        return {"CopyObjectResult": {"ETag": copied.etag, "LastModified": copied.last_modified}}

    # Helpers.

    def _open(self, scope: Scope, bucket: str, key: str | None = None) -> None:
        """Checks that ``scope``'s account may use the bucket (and the key, if given)."""
        try:
            check_location(bucket)
        except InvalidBlobKey:
            raise InvalidBucketName(
                "The specified bucket is not valid.", BucketName=bucket
            ) from None
        if key is not None:
            check_key(key)
        if bucket in self.buckets.shared:
            if key is None:
                raise AccessDenied("Access Denied")
        elif not self.files.bucket_exists(bucket):
            raise NoSuchBucket("The specified bucket does not exist", BucketName=bucket)
        try:
            self.buckets.allow(scope, bucket, key or "")
        except BlobAccessDenied:
            raise AccessDenied("Access Denied") from None

    def _listed_keys(self, ctx: RequestContext, bucket: str, params: Params) -> Iterator[str]:
        """The keys under the listing's prefix, once the caller may list them."""
        prefix = params.get("Prefix") or ""
        if bucket in self.buckets.shared:
            self._open(ctx.scope, bucket, prefix)  # only under the caller's own folder
        else:
            self._open(ctx.scope, bucket)
        return self.files.keys(bucket, prefix)

    def _info(self, bucket: str, key: str) -> ObjectInfo | None:
        try:
            return self.files.info(bucket, key)
        except InvalidBlobKey:
            return None  # a key no file can have: no such object

    def _existing(self, bucket: str, key: str) -> ObjectInfo:
        info = self._info(bucket, key)
        if info is None:
            raise NoSuchKey("The specified key does not exist.", Key=key)
        return info

    def _put(self, bucket: str, key: str, data: bytes, record: Params) -> ObjectInfo:
        with storable(key):
            return self.files.put(bucket, key, data, record)

    def _delete(self, bucket: str, key: str) -> None:
        try:
            self.files.delete(bucket, key)
        except InvalidBlobKey:
            pass  # a key no file can have: deleting it deletes nothing, as S3 answers
        except (IsADirectoryError, NotADirectoryError):
            pass  # a folder of other keys is no object

    def _read_head(
        self, ctx: RequestContext, params: Params
    ) -> tuple[ObjectInfo, int, int, Params]:
        bucket, key = params["Bucket"], params["Key"]
        self._open(ctx.scope, bucket, key)
        info = self._existing(bucket, key)
        conditions.check(
            info,
            params.get("IfMatch"),
            params.get("IfNoneMatch"),
            params.get("IfModifiedSince"),
            params.get("IfUnmodifiedSince"),
        )
        span = conditions.byte_range(params.get("Range"), info.size)
        first, last = span or (0, info.size - 1)
        described = _described(info)
        described["ContentLength"] = last - first + 1
        if span is not None:
            described["ContentRange"] = f"bytes {first}-{last}/{info.size}"
        elif params.get("ChecksumMode") == "ENABLED":
            described.update(info.checksums)  # of the whole object: never with a range
        for query, member in OVERRIDES.items():
            if params.get(query):
                described[member] = params[query]
        return info, first, last, described

    def _entry(self, bucket: str, key: str) -> Params | None:
        info = self._info(bucket, key)
        if info is None:
            return None  # deleted while listing
        return {
            "Key": key,
            "LastModified": info.last_modified,
            "ETag": info.etag,
            "Size": info.size,
            "StorageClass": "STANDARD",
        }


@contextlib.contextmanager
def storable(key: str) -> Iterator[None]:
    """S3's errors for a key that cannot be a file here."""
    try:
        yield
    except InvalidBlobKey as refused:
        raise InvalidArgument(
            f"Sensorium keeps objects as files: this key cannot be one ({refused})."
        ) from None
    except (IsADirectoryError, NotADirectoryError, FileExistsError):
        raise InvalidRequest(
            "Sensorium keeps objects as files: a key cannot be both an object and the "
            f"folder of other keys ('{key}' conflicts with an existing key)."
        ) from None


def _owner(account_id: str) -> Params:
    """The account as S3 names an owner: of its buckets, and of the objects in them (one
    account writes a bucket's objects: its owner, or a service for it under its folder)."""
    return {"ID": canonical_id(account_id), "DisplayName": account_id}


def _described(info: ObjectInfo) -> Params:
    return {
        "AcceptRanges": "bytes",
        "ETag": info.etag,
        "LastModified": info.last_modified,
        "ContentType": info.content_type,
        "Metadata": info.metadata or None,
        **info.headers,
    }


def _described_record(info: ObjectInfo) -> Params:
    return {"ContentType": info.content_type, "Metadata": info.metadata, **info.headers}


def _conditional_write(params: Params) -> bool:
    return params.get("IfNoneMatch") is not None or params.get("IfMatch") is not None


def _check_location_constraint(region: str, constraint: str | None) -> None:
    if region == LEGACY_REGION:
        if constraint == LEGACY_REGION:
            raise InvalidLocationConstraint("The specified location-constraint is not valid")
        if not constraint:
            return
    if not constraint:
        raise IllegalLocationConstraintException(
            "The unspecified location constraint is incompatible for the region specific "
            "endpoint this request was sent to."
        )
    if constraint != region:
        raise IllegalLocationConstraintException(
            f"The {constraint} location constraint is incompatible for the region specific "
            "endpoint this request was sent to."
        )


def _copy_source(header: str) -> tuple[str, str]:
    """``bucket/key`` (URL-encoded, perhaps with a leading ``/`` and ``?versionId=``)."""
    path = header.partition("?versionId=")[0]
    bucket, _, key = unquote(path).lstrip("/").partition("/")
    if not bucket or not key:
        raise InvalidArgument(
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"
        )
    return bucket, key
