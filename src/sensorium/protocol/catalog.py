"""The AWS services Sensorium speaks, loaded from botocore's own service models."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import botocore.session
from botocore.model import OperationModel, ServiceModel

from sensorium.errors import ValidationError

# Service model name -> the exception name the service uses for input that breaks the model.
_VALIDATION_EXCEPTION = {
    "rekognition": "InvalidParameterException",
    "forecast": "InvalidInputException",
    "forecastquery": "InvalidInputException",
    "sagemaker-runtime": "ValidationError",
}
# Service model name -> the exception for a blob over the model's maximum size.
_OVERSIZED_BLOB_EXCEPTION = {"rekognition": "ImageTooLargeException"}

SERVED_SERVICES = (
    "rekognition",
    "polly",
    "lexv2-models",
    "lexv2-runtime",
    "comprehend",
    "transcribe",
    "forecast",
    "forecastquery",
    "sagemaker",
    "sagemaker-runtime",
    "s3",
)


@dataclass(frozen=True)
class Service:
    """One AWS service as botocore models it."""

    name: str  # botocore's model name, e.g. "lexv2-models"
    model: ServiceModel

    @property
    def signing_name(self) -> str:
        return str(self.model.signing_name)

    @property
    def protocols(self) -> tuple[str, ...]:
        listed = self.model.metadata.get("protocols")
        return tuple(listed) if listed else (str(self.model.metadata["protocol"]),)

    @property
    def target_prefix(self) -> str | None:
        prefix = self.model.metadata.get("targetPrefix")
        return str(prefix) if prefix else None

    @property
    def validation_exception(self) -> str:
        return _VALIDATION_EXCEPTION.get(self.name, "ValidationException")

    def validation_exception_for(self, error: ValidationError) -> str:
        """The code this service answers a validation failure with."""
        if error.oversized and self.name in _OVERSIZED_BLOB_EXCEPTION:
            return _OVERSIZED_BLOB_EXCEPTION[self.name]
        return self.validation_exception

    def declares_error(self, code: str) -> bool:
        """Whether the service model has an exception shape named ``code``."""
        return code in self._error_names

    @cached_property
    def _error_names(self) -> frozenset[str]:
        return frozenset(
            name
            for name in self.model.shape_names
            if self.model.shape_for(name).metadata.get("exception")
        )

    def operation(self, name: str) -> OperationModel | None:
        if name not in self._operation_names:
            return None
        return self.model.operation_model(name)

    @cached_property
    def _operation_names(self) -> frozenset[str]:
        return frozenset(self.model.operation_names)

    def error_status(self, code: str) -> int | None:
        """The HTTP status the model gives the error shape ``code``, if it has one."""
        try:
            shape = self.model.shape_for(code)
        except Exception:  # botocore raises NoShapeFoundError; any miss means "not modelled"
            return None
        error = shape.metadata.get("error") or {}
        status = error.get("httpStatusCode")
        return int(status) if status else None


class ServiceCatalog:
    """Looks services up the ways the wire protocols identify them."""

    def __init__(self, names: tuple[str, ...] = SERVED_SERVICES) -> None:
        session = botocore.session.get_session()
        self.services = {name: Service(name, session.get_service_model(name)) for name in names}
        self._by_target_prefix = {
            s.target_prefix: s for s in self.services.values() if s.target_prefix is not None
        }

    def by_target_prefix(self, prefix: str) -> Service | None:
        return self._by_target_prefix.get(prefix)

    def by_signing_name(self, signing_name: str, protocol: str) -> list[Service]:
        return [
            s
            for s in self.services.values()
            if s.signing_name == signing_name and protocol in s.protocols
        ]

    def __getitem__(self, name: str) -> Service:
        return self.services[name]
