"""Forecast's errors: exception shapes of botocore's ``forecast`` and ``forecastquery``
models (the shapes both declare are one class here)."""

from __future__ import annotations

from sensorium.errors import ErrorSet, InternalFailure, ServiceError


class ForecastError(ServiceError, models=("forecast", "forecastquery"), abstract=True): ...


class InvalidInputException(ForecastError): ...


class InvalidNextTokenException(ForecastError): ...


class LimitExceededException(ForecastError): ...


class ResourceInUseException(ForecastError): ...


class ResourceNotFoundException(ForecastError): ...


class ResourceAlreadyExistsException(ForecastError, models=("forecast",)): ...


ERRORS = ErrorSet(
    invalid=InvalidInputException,
    bad_token=InvalidNextTokenException,
    # Forecast models no server-side error; its models load inside jobs, whose failures
    # become the resource's Message.
    unavailable=InternalFailure,
    throttled=LimitExceededException,
)
