"""Lex V2's errors: exception shapes of botocore's ``lexv2-models`` and ``lexv2-runtime``
models (the shapes both declare are one class here)."""

from __future__ import annotations

from sensorium.errors import ErrorSet, ServiceError


class LexError(ServiceError, models=("lexv2-models", "lexv2-runtime"), abstract=True): ...


class ConflictException(LexError): ...


class InternalServerException(LexError): ...


class ResourceNotFoundException(LexError): ...


class ThrottlingException(LexError): ...


class ValidationException(LexError): ...


class PreconditionFailedException(LexError, models=("lexv2-models",)): ...


class DependencyFailedException(LexError, models=("lexv2-runtime",)): ...


ERRORS = ErrorSet(
    invalid=ValidationException,
    bad_token=ValidationException,
    unavailable=InternalServerException,
    throttled=ThrottlingException,
)
