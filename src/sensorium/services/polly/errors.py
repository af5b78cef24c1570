"""Polly's errors: exception shapes of botocore's ``polly`` model (statuses from the model)."""

from __future__ import annotations

from sensorium.errors import ErrorSet, ServiceError


class PollyError(ServiceError, models=("polly",), abstract=True): ...


class EngineNotSupportedException(PollyError): ...


class InvalidLexiconException(PollyError): ...


class InvalidNextTokenException(PollyError): ...


class InvalidS3BucketException(PollyError): ...


class InvalidS3KeyException(PollyError): ...


class InvalidSampleRateException(PollyError): ...


class InvalidSsmlException(PollyError): ...


class LanguageNotSupportedException(PollyError): ...


class LexiconNotFoundException(PollyError): ...


class LexiconSizeExceededException(PollyError): ...


class MarksNotSupportedForFormatException(PollyError): ...


class MaxLexemeLengthExceededException(PollyError): ...


class MaxLexiconsNumberExceededException(PollyError): ...


class ServiceFailureException(PollyError): ...


class SsmlMarksNotSupportedForTextTypeException(PollyError): ...


class SynthesisTaskNotFoundException(PollyError): ...


class TextLengthExceededException(PollyError): ...


class ThrottlingException(PollyError): ...


class UnsupportedPlsAlphabetException(PollyError): ...


class UnsupportedPlsLanguageException(PollyError): ...


class ValidationException(PollyError): ...


ERRORS = ErrorSet(
    invalid=ValidationException,
    bad_token=InvalidNextTokenException,
    unavailable=ServiceFailureException,
    throttled=ThrottlingException,
)
