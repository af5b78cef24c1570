"""Comprehend's errors: exception shapes of botocore's ``comprehend`` model."""

from __future__ import annotations

from sensorium.errors import ErrorSet, ServiceError


class ComprehendError(ServiceError):
    code = ""
    models = ("comprehend",)


class BatchSizeLimitExceededException(ComprehendError):
    pass


class InternalServerException(ComprehendError):
    pass


class InvalidRequestException(ComprehendError):
    pass


class TextSizeLimitExceededException(ComprehendError):
    pass


class TooManyRequestsException(ComprehendError):
    pass


class UnsupportedLanguageException(ComprehendError):
    pass


ERRORS = ErrorSet(
    invalid=InvalidRequestException,
    bad_token=InvalidRequestException,
    unavailable=InternalServerException,
    throttled=TooManyRequestsException,
)
