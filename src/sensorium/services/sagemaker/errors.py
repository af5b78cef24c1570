"""SageMaker's errors: exception shapes of botocore's ``sagemaker`` and ``sagemaker-runtime``
models, and ``ValidationException``, which SageMaker answers for invalid input and unknown
endpoints, models and configs although its model declares no shape for it (``unmodelled``)."""

from __future__ import annotations

from sensorium.errors import ErrorSet, InternalFailure, ServiceError


class SageMakerError(ServiceError, models=("sagemaker",), abstract=True): ...


class ResourceNotFound(SageMakerError): ...


class ResourceInUse(SageMakerError): ...


class ResourceLimitExceeded(SageMakerError): ...


class ValidationException(SageMakerError):
    """AWS's common validation error, as SageMaker's control plane answers it."""

    unmodelled = True
    status = 400


class SageMakerRuntimeError(ServiceError, models=("sagemaker-runtime",), abstract=True): ...


class ValidationError(SageMakerRuntimeError): ...


class ModelError(SageMakerRuntimeError):
    """The model refused the request (a body it cannot read): its own status and message
    are ``OriginalStatusCode`` and ``OriginalMessage``."""


class ModelNotReadyException(SageMakerRuntimeError): ...


class ServiceUnavailable(SageMakerRuntimeError): ...


ERRORS = ErrorSet(
    invalid=ValidationException,
    bad_token=ValidationException,
    # Models load inside training and endpoint jobs, whose failures become FailureReason.
    unavailable=InternalFailure,
    throttled=ResourceLimitExceeded,
)

RUNTIME_ERRORS = ErrorSet(
    invalid=ValidationError,
    bad_token=ValidationError,
    unavailable=ModelNotReadyException,
    throttled=ServiceUnavailable,
)
