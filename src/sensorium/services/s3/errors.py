"""S3's errors: the exception shapes of botocore's ``s3`` model, and the codes of S3's
published error list that the model leaves out (``unmodelled``), each with its status."""

from __future__ import annotations

from sensorium.errors import ErrorSet, ServiceError


class S3Error(ServiceError, models=("s3",), abstract=True): ...


class Unmodelled(S3Error, abstract=True):
    """A code S3 documents (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html)
    that botocore's model has no shape for."""

    unmodelled = True


# Modelled: their statuses come from the model.


class AccessDenied(S3Error): ...


class BucketAlreadyExists(S3Error): ...


class BucketAlreadyOwnedByYou(S3Error): ...


class InvalidRequest(S3Error): ...


class NoSuchBucket(S3Error): ...


class NoSuchKey(S3Error): ...


class NoSuchUpload(S3Error): ...


# Unmodelled.


class BadDigest(Unmodelled):
    status = 400


class BucketNotEmpty(Unmodelled):
    status = 409


class EntityTooLarge(Unmodelled):
    status = 400


class EntityTooSmall(Unmodelled):
    status = 400


class IllegalLocationConstraintException(Unmodelled):
    status = 400


class InternalError(Unmodelled):
    status = 500


class InvalidArgument(Unmodelled):
    status = 400


class InvalidBucketName(Unmodelled):
    status = 400


class InvalidLocationConstraint(Unmodelled):
    status = 400


class InvalidPart(Unmodelled):
    status = 400


class InvalidPartOrder(Unmodelled):
    status = 400


class InvalidRange(Unmodelled):
    status = 416


class KeyTooLongError(Unmodelled):
    status = 400


class MalformedXML(Unmodelled):
    status = 400


class NotImplementedOperation(Unmodelled):
    """S3's ``NotImplemented`` (a name Python's builtin constant takes)."""

    code = "NotImplemented"
    status = 501


class NotModified(Unmodelled):
    status = 304


class PreconditionFailed(Unmodelled):
    status = 412


class ServiceUnavailable(Unmodelled):
    status = 503


class SlowDown(Unmodelled):
    status = 503


ERRORS = ErrorSet(
    invalid=InvalidArgument,
    bad_token=InvalidArgument,
    unavailable=ServiceUnavailable,
    throttled=SlowDown,
)
