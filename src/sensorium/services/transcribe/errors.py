"""Transcribe's errors: exception shapes of botocore's ``transcribe`` model."""

from __future__ import annotations

from sensorium.errors import ErrorSet, ServiceError


class TranscribeError(ServiceError, models=("transcribe",), abstract=True): ...


class BadRequestException(TranscribeError): ...


class ConflictException(TranscribeError): ...


class InternalFailureException(TranscribeError): ...


class LimitExceededException(TranscribeError): ...


class NotFoundException(TranscribeError): ...


ERRORS = ErrorSet(
    invalid=BadRequestException,
    bad_token=BadRequestException,
    unavailable=InternalFailureException,
    throttled=LimitExceededException,
)
