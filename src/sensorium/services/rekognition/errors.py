"""Rekognition's errors: exception shapes of botocore's ``rekognition`` model."""

from __future__ import annotations

from sensorium.errors import ErrorSet, ServiceError


class RekognitionError(ServiceError, models=("rekognition",), abstract=True): ...


class ConflictException(RekognitionError): ...


class ImageTooLargeException(RekognitionError): ...


class InternalServerError(RekognitionError):
    status = 500


class InvalidImageFormatException(RekognitionError): ...


class InvalidPaginationTokenException(RekognitionError): ...


class InvalidParameterException(RekognitionError): ...


class InvalidS3ObjectException(RekognitionError): ...


class ResourceAlreadyExistsException(RekognitionError): ...


class ResourceNotFoundException(RekognitionError): ...


class ServiceQuotaExceededException(RekognitionError): ...


class ProvisionedThroughputExceededException(RekognitionError): ...


ERRORS = ErrorSet(
    invalid=InvalidParameterException,
    bad_token=InvalidPaginationTokenException,
    unavailable=InternalServerError,
    # Rekognition's answer to more requests than it takes: botocore retries it, backing off.
    throttled=ProvisionedThroughputExceededException,
)
