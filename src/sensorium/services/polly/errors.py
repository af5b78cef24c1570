"""Polly's errors: exception shapes of botocore's ``polly`` model (statuses from the model)."""

from __future__ import annotations

from sensorium.errors import ErrorSet, ServiceError


class PollyError(ServiceError):
    code = ""
    models = ("polly",)


class InvalidLexiconException(PollyError):
    pass


class InvalidNextTokenException(PollyError):
    pass


class InvalidS3BucketException(PollyError):
    pass


class InvalidS3KeyException(PollyError):
    pass


class InvalidSampleRateException(PollyError):
    pass


class InvalidSsmlException(PollyError):
    pass


class LanguageNotSupportedException(PollyError):
    pass


class LexiconNotFoundException(PollyError):
    pass


class LexiconSizeExceededException(PollyError):
    pass


class MarksNotSupportedForFormatException(PollyError):
    pass


class MaxLexemeLengthExceededException(PollyError):
    pass


class MaxLexiconsNumberExceededException(PollyError):
    pass


class ServiceFailureException(PollyError):
    pass


class SsmlMarksNotSupportedForTextTypeException(PollyError):
    pass


class SynthesisTaskNotFoundException(PollyError):
    pass


class TextLengthExceededException(PollyError):
    pass


class ThrottlingException(PollyError):
    pass


class UnsupportedPlsAlphabetException(PollyError):
    pass


class UnsupportedPlsLanguageException(PollyError):
    pass


class ValidationException(PollyError):
    pass


ERRORS = ErrorSet(
    invalid=ValidationException,
    bad_token=InvalidNextTokenException,
    unavailable=ServiceFailureException,
    throttled=ThrottlingException,
)
