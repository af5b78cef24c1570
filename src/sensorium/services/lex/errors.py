"""Lex V2's errors: exception shapes of botocore's ``lexv2-models`` and ``lexv2-runtime``
models (the shapes both declare are one class here)."""

from __future__ import annotations

from sensorium.errors import ErrorSet, ServiceError


class LexError(ServiceError):
    code = ""
    models: tuple[str, ...] = ("lexv2-models", "lexv2-runtime")


class ConflictException(LexError):
    pass


class InternalServerException(LexError):
    pass


class ResourceNotFoundException(LexError):
    pass


class ThrottlingException(LexError):
    pass


class ValidationException(LexError):
    pass


class PreconditionFailedException(LexError):
    models = ("lexv2-models",)


class DependencyFailedException(LexError):
    models = ("lexv2-runtime",)


ERRORS = ErrorSet(
    invalid=ValidationException,
    bad_token=ValidationException,
    unavailable=InternalServerException,
    throttled=ThrottlingException,
)
