"""Comprehend's errors: exception shapes of botocore's ``comprehend`` model."""

from __future__ import annotations

from sensorium.errors import ErrorSet, ServiceError


class ComprehendError(ServiceError, models=("comprehend",), abstract=True): ...


class BatchSizeLimitExceededException(ComprehendError): ...


class InternalServerException(ComprehendError): ...


class InvalidRequestException(ComprehendError): ...


class TextSizeLimitExceededException(ComprehendError): ...


class TooManyRequestsException(ComprehendError): ...


class UnsupportedLanguageException(ComprehendError): ...


# Custom classification (``classifiers/``).


class JobNotFoundException(ComprehendError): ...


class ResourceInUseException(ComprehendError): ...


class ResourceLimitExceededException(ComprehendError): ...


class ResourceNotFoundException(ComprehendError): ...


class ResourceUnavailableException(ComprehendError): ...


class TooManyTagsException(ComprehendError): ...


ERRORS = ErrorSet(
    invalid=InvalidRequestException,
    bad_token=InvalidRequestException,
    unavailable=InternalServerException,
    throttled=TooManyRequestsException,
)
