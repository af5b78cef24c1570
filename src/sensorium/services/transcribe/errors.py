"""Transcribe's errors: exception shapes of botocore's ``transcribe`` model."""

from __future__ import annotations

from sensorium.errors import ErrorSet, ServiceError


class TranscribeError(ServiceError):
    code = ""
    models = ("transcribe",)


class BadRequestException(TranscribeError):
    pass


class ConflictException(TranscribeError):
    pass


class InternalFailureException(TranscribeError):
    pass


class LimitExceededException(TranscribeError):
    pass


class NotFoundException(TranscribeError):
    pass


ERRORS = ErrorSet(
    invalid=BadRequestException,
    bad_token=BadRequestException,
    unavailable=InternalFailureException,
    throttled=LimitExceededException,
)
