"""Rekognition's errors: exception shapes of botocore's ``rekognition`` model."""

from __future__ import annotations

from sensorium.errors import ErrorSet, ServiceError


class RekognitionError(ServiceError):
    code = ""
    models = ("rekognition",)


class ConflictException(RekognitionError):
    pass


class ImageTooLargeException(RekognitionError):
    pass


class InternalServerError(RekognitionError):
    status = 500


class InvalidImageFormatException(RekognitionError):
    pass


class InvalidPaginationTokenException(RekognitionError):
    pass


class InvalidParameterException(RekognitionError):
    pass


class InvalidS3ObjectException(RekognitionError):
    pass


class ResourceAlreadyExistsException(RekognitionError):
    pass


class ResourceNotFoundException(RekognitionError):
    pass


class ServiceQuotaExceededException(RekognitionError):
    pass


class ThrottlingException(RekognitionError):
    pass


ERRORS = ErrorSet(
    invalid=InvalidParameterException,
    bad_token=InvalidPaginationTokenException,
    unavailable=InternalServerError,
    throttled=ThrottlingException,
)
