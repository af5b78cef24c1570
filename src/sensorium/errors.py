"""Every error Sensorium raises, in one place.

The tree::

    SensoriumError                  anything that goes wrong inside Sensorium
    ├── ConfigurationError          the server cannot start as configured
    ├── BlobError                   an S3 object cannot be read or written
    │   ├── BlobNotFound
    │   └── InvalidBlobKey          a key that would escape its bucket folder
    └── ServiceError                an error the client sees, encoded as AWS encodes it
        ├── ValidationError         input breaks the service model's constraints; each
        │                           protocol names it with the service's own exception
        ├── SerializationError      the body cannot be decoded
        ├── UnknownOperationError
        └── AuthError               SigV4 verification failed (code says why)

Services raise ``ServiceError(code, message)`` with the exception name from the service
model (``ResourceNotFoundException``, ...); the protocol layer looks the HTTP status up in
the model. Third-party exceptions are translated to these at the boundary where they occur.
"""

from __future__ import annotations

from typing import Any


class SensoriumError(Exception):
    """Base of every Sensorium error."""


class ConfigurationError(SensoriumError):
    """The server cannot start with the given configuration."""


class BlobError(SensoriumError):
    """An object in a (local or S3-compatible) bucket cannot be read or written."""


class BlobNotFound(BlobError):
    """The bucket or the key does not exist."""


class InvalidBlobKey(BlobError):
    """The key is malformed or would escape its bucket folder."""


class ServiceError(SensoriumError):
    """An error returned to the client in the service's own wire format.

    ``code`` is the modelled exception name; ``status`` overrides the HTTP status found in
    the service model (when the model has none, client errors are 400); ``fields`` are extra
    members of the modelled error shape.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class ValidationError(ServiceError):
    """Input that breaks a constraint of the service model.

    The code is a placeholder: the protocol layer renames it to the service's validation
    exception (``InvalidParameterException`` for Rekognition, ``ValidationException`` for
    most others).
    """

    PLACEHOLDER_CODE = "ValidationException"

    def __init__(self, problems: list[str]) -> None:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        message = f"{count} validation {noun} detected: " + "; ".join(problems)
        super().__init__(self.PLACEHOLDER_CODE, message)
        self.problems = problems


class SerializationError(ServiceError):
    def __init__(self, message: str) -> None:
        super().__init__("SerializationException", message)


class UnknownOperationError(ServiceError):
    def __init__(self, message: str) -> None:
        super().__init__("UnknownOperationException", message)


class AuthError(ServiceError):
    """SigV4 failures. AWS answers all of these with 403 except a missing token (403 too)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, status=403)


class InternalFailure(ServiceError):
    def __init__(self, message: str = "An internal error occurred.") -> None:
        super().__init__("InternalFailure", message, status=500)
