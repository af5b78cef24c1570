"""Multipart uploads: parts kept on disk (``uploads.UploadFiles``) until Complete streams
them into the object's file, or Abort removes them.

An upload belongs to the account that started it, which is the bucket's owner (or, in a
service's shared bucket, the account whose ``ACCOUNT/`` folder it writes): another account
finds no such upload.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from sensorium.context import RequestContext
from sensorium.services.s3.errors import (
    EntityTooSmall,
    InvalidArgument,
    InvalidPart,
    InvalidPartOrder,
    MalformedXML,
    NoSuchUpload,
)
from sensorium.services.s3.objects import DEFAULT_CONTENT_TYPE
from sensorium.services.s3.service import CHECKSUMS, KEPT_HEADERS, S3, canonical_id, storable
from sensorium.services.s3.uploads import Part, Upload, UploadFiles, multipart_etag

Params = dict[str, Any]
MIN_PART_BYTES = 5 * 1024 * 1024  # every part but the last
MAX_PART_NUMBER = 10000
MAX_LISTED = 1000
_MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


class Multipart:
    def __init__(self, s3: S3, uploads: UploadFiles) -> None:
        self.s3 = s3
        self.uploads = uploads

    def create_multipart_upload(self, ctx: RequestContext, params: Params) -> Params:
        bucket, key = params["Bucket"], params["Key"]
        self.s3._open(ctx.scope, bucket, key)
        record = {
            "content_type": params.get("ContentType") or DEFAULT_CONTENT_TYPE,
            "metadata": params.get("Metadata") or {},
            "headers": {name: params[name] for name in KEPT_HEADERS if params.get(name)},
            "checksum_algorithm": params.get("ChecksumAlgorithm"),
        }
        upload = self.uploads.create(bucket, key, ctx.account_id, record)
        return {
            "Bucket": bucket,
            "Key": key,
            "UploadId": upload.upload_id,
            "ChecksumAlgorithm": params.get("ChecksumAlgorithm"),
        }

    def upload_part(self, ctx: RequestContext, params: Params) -> Params:
        number = params["PartNumber"]
        if not 1 <= number <= MAX_PART_NUMBER:
            raise InvalidArgument(
                f"Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive",
                ArgumentName="partNumber",
                ArgumentValue=number,
            )
        bucket, upload = self._upload(ctx, params)
        checksums = {name: params[name] for name in CHECKSUMS if params.get(name)}
        with _gone(upload.upload_id):
            part = self.uploads.put_part(
                bucket, upload.upload_id, number, params.get("Body", b""), checksums
            )
        return {"ETag": f'"{part.etag}"', **part.checksums}

    def complete_multipart_upload(self, ctx: RequestContext, params: Params) -> Params:
        bucket, upload = self._upload(ctx, params)
        requested = (params.get("MultipartUpload") or {}).get("Parts") or []
        if not requested or len(requested) > MAX_PART_NUMBER:
            raise MalformedXML(_MALFORMED)
        stored = {part.number: part for part in self.uploads.parts(bucket, upload.upload_id)}
        chosen = _chosen_parts(upload.upload_id, requested, stored)
        files = self.s3.files
        with storable(upload.key):
            partial = files.partial_path(bucket, upload.key)
            try:
                with _gone(upload.upload_id):
                    self.uploads.assemble(
                        bucket, upload.upload_id, [part.number for part in chosen], partial
                    )
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            etag = multipart_etag([part.etag for part in chosen])
            record = {
                key: value for key, value in upload.record.items() if key != "checksum_algorithm"
            }
            files.place(bucket, upload.key, partial, etag, record)
        self.uploads.delete(bucket, upload.upload_id)
        return {
            "Location": f"/{bucket}/{quote(upload.key)}",
            "Bucket": bucket,
            "Key": upload.key,
            "ETag": f'"{etag}"',
        }

    def abort_multipart_upload(self, ctx: RequestContext, params: Params) -> Params:
        bucket, upload = self._upload(ctx, params)
        self.uploads.delete(bucket, upload.upload_id)
        return {}

    def list_parts(self, ctx: RequestContext, params: Params) -> Params:
        bucket, upload = self._upload(ctx, params)
        limit = _limit(params.get("MaxParts"), "max-parts")
        marker = params.get("PartNumberMarker") or 0
        after = [
            part for part in self.uploads.parts(bucket, upload.upload_id) if part.number > marker
        ]
        page = after[:limit]
        truncated = len(after) > limit
        return {
            "Bucket": bucket,
            "Key": upload.key,
            "UploadId": upload.upload_id,
            "PartNumberMarker": marker,
            "NextPartNumberMarker": page[-1].number if page else None,
            "MaxParts": limit,
            "IsTruncated": truncated,
            "Parts": [_listed_part(part) for part in page] or None,
            "Initiator": self._person(upload.account_id),
            "Owner": self._person(upload.account_id),
            "StorageClass": "STANDARD",
            "ChecksumAlgorithm": upload.record.get("checksum_algorithm"),
        }

    def list_multipart_uploads(self, ctx: RequestContext, params: Params) -> Params:
        bucket = params["Bucket"]
        prefix = params.get("Prefix") or ""
        self.s3._open(ctx.scope, bucket, prefix if bucket in self.s3.buckets.shared else None)
        delimiter = params.get("Delimiter") or ""
        limit = _limit(params.get("MaxUploads"), "max-uploads")
        key_marker = params.get("KeyMarker") or ""
        id_marker = params.get("UploadIdMarker") or ""
        mine = sorted(
            (
                upload
                for upload in self.uploads.uploads(bucket)
                if upload.account_id == ctx.account_id and upload.key.startswith(prefix)
            ),
            key=_order,
        )
        uploads: list[Upload] = []
        common: list[str] = []
        truncated = False
        for upload in mine:
            if key_marker and not _after(upload, key_marker, id_marker):
                continue
            grouped = _common_prefix(upload.key, prefix, delimiter)
            if grouped is not None and common and common[-1] == grouped:
                continue
            if len(uploads) + len(common) >= limit:
                truncated = True
                break
            if grouped is not None:
                common.append(grouped)
            else:
                uploads.append(upload)
        encode = params.get("EncodingType") == "url"
        result: Params = {
            "Bucket": bucket,
            "KeyMarker": _encoded(key_marker, encode),
            "UploadIdMarker": id_marker,
            "Prefix": _encoded(prefix, encode),
            "Delimiter": _encoded(delimiter, encode) or None,
            "MaxUploads": limit,
            "IsTruncated": truncated,
            "EncodingType": params.get("EncodingType"),
            "Uploads": [self._listed_upload(upload, encode) for upload in uploads] or None,
            "CommonPrefixes": [{"Prefix": _encoded(item, encode)} for item in common] or None,
        }
        if truncated and uploads:
            result["NextKeyMarker"] = _encoded(uploads[-1].key, encode)
            result["NextUploadIdMarker"] = uploads[-1].upload_id
        return result

    def _upload(self, ctx: RequestContext, params: Params) -> tuple[str, Upload]:
        bucket, key, upload_id = params["Bucket"], params["Key"], params["UploadId"]
        self.s3._open(ctx.scope, bucket, key)
        upload = self.uploads.get(bucket, upload_id)
        if upload is None or upload.key != key or upload.account_id != ctx.account_id:
            raise _no_such_upload(upload_id)
        return bucket, upload

    def _person(self, account_id: str) -> Params:
        return {"ID": canonical_id(account_id), "DisplayName": account_id}

    def _listed_upload(self, upload: Upload, encode: bool) -> Params:
        return {
            "UploadId": upload.upload_id,
            "Key": _encoded(upload.key, encode),
            "Initiated": upload.initiated,
            "StorageClass": "STANDARD",
            "Owner": self._person(upload.account_id),
            "Initiator": self._person(upload.account_id),
            "ChecksumAlgorithm": upload.record.get("checksum_algorithm"),
        }


def _chosen_parts(upload_id: str, requested: list[Params], stored: dict[int, Part]) -> list[Part]:
    """The parts Complete names, checked as S3 checks them: ascending numbers, each one
    uploaded with that ETag (and checksums, where given), each but the last ≥ 5 MiB."""
    chosen: list[Part] = []
    for entry in requested:
        number = entry.get("PartNumber")
        etag = (entry.get("ETag") or "").strip('"')
        if number is None or not entry.get("ETag"):
            raise MalformedXML(_MALFORMED)
        if chosen and number <= chosen[-1].number:
            raise InvalidPartOrder(
                "The list of parts was not in ascending order. The parts list must be "
                "specified in order by part number.",
                UploadId=upload_id,
            )
        part = stored.get(number)
        if part is None or part.etag != etag or _checksum_differs(entry, part):
            raise InvalidPart(
                "One or more of the specified parts could not be found.  The part may not "
                "have been uploaded, or the specified entity tag may not match the part's "
                "entity tag.",
                UploadId=upload_id,
                PartNumber=number,
                ETag=entry["ETag"],
            )
        chosen.append(part)
    for part in chosen[:-1]:
        if part.size < MIN_PART_BYTES:
            raise EntityTooSmall(
                "Your proposed upload is smaller than the minimum allowed size",
                ProposedSize=part.size,
                MinSizeAllowed=MIN_PART_BYTES,
                PartNumber=part.number,
                ETag=part.etag,
            )
    return chosen


def _checksum_differs(entry: Params, part: Part) -> bool:
    return any(
        name in entry and name in part.checksums and entry[name] != part.checksums[name]
        for name in part.checksums
    )


def _listed_part(part: Part) -> Params:
    return {
        "PartNumber": part.number,
        "LastModified": part.last_modified,
        "ETag": f'"{part.etag}"',
        "Size": part.size,
        **part.checksums,
    }


def _limit(value: int | None, name: str) -> int:
    if value is None:
        return MAX_LISTED
    if value < 0:
        raise InvalidArgument(
            f"Argument {name} must be an integer between 0 and 2147483647",
            ArgumentName=name,
            ArgumentValue=value,
        )
    return min(value, MAX_LISTED)


def _order(upload: Upload) -> tuple[bytes, str]:
    # A key's uploads by id, not by initiation time as S3: the id is what the marker names.
    return upload.key.encode("utf-8", "surrogateescape"), upload.upload_id


def _after(upload: Upload, key_marker: str, id_marker: str) -> bool:
    """Whether ``upload`` comes after the markers (S3: keys after the key marker, and with an
    upload id marker, also that key's uploads after that upload)."""
    key, marker = (
        upload.key.encode("utf-8", "surrogateescape"),
        key_marker.encode("utf-8", "surrogateescape"),
    )
    if key != marker:
        return key > marker
    return bool(id_marker) and upload.upload_id > id_marker


def _common_prefix(key: str, prefix: str, delimiter: str) -> str | None:
    if not delimiter:
        return None
    at = key.find(delimiter, len(prefix))
    return None if at < 0 else key[: at + len(delimiter)]


def _encoded(value: str | None, encode: bool) -> str | None:
    if value is None or not encode:
        return value
    return quote(value, safe="/")


def _no_such_upload(upload_id: str) -> NoSuchUpload:
    return NoSuchUpload(
        "The specified upload does not exist. The upload ID may be invalid, or the upload "
        "may have been aborted or completed.",
        UploadId=upload_id,
    )


@contextlib.contextmanager
def _gone(upload_id: str) -> Iterator[None]:
    """An upload aborted or completed while this request used it is no upload."""
    try:
        yield
    except FileNotFoundError:
        raise _no_such_upload(upload_id) from None
