"""Every error Sensorium raises, in one place.

The tree::

    SensoriumError                  anything that goes wrong inside Sensorium
    ├── ConfigurationError          the server cannot start as configured
    ├── ModelUnavailable            a model cannot load (its service answers its own error)
    ├── BlobError                   an S3 object cannot be read or written
    │   ├── BlobNotFound
    │   ├── BlobAccessDenied        the bucket belongs to another account
    │   └── InvalidBlobKey          a key that would escape its bucket folder
    └── ServiceError                an error the client sees, encoded as AWS encodes it
        ├── ValidationError         input breaks the service model's constraints; each
        │                           protocol names it with the service's own exception
        ├── the common errors       (below) any service may answer
        └── each service's errors   ``sensorium.services.<name>.errors``: one class per
                                    exception shape of that service's botocore model

A ``ServiceError`` subclass names its wire code once: the class name, which is the shape's
name in the service model (``class ResourceNotFoundException(RekognitionError)``). The base
class cannot be raised itself, so no code outside a declaration can reach a client. The
protocol layer looks the HTTP status up in the model; ``status`` overrides it. Third-party
exceptions are translated to these at the boundary where they occur.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class SensoriumError(Exception):
    """Base of every Sensorium error."""


class ConfigurationError(SensoriumError):
    """The server cannot start with the given configuration."""


class ModelUnavailable(SensoriumError):
    """A model could not be loaded; the message says why and how to fix it."""

    def __init__(self, model: str, reason: str) -> None:
        super().__init__(f"The model {model} is not available: {reason}")
        self.model = model
        self.reason = reason


class BlobError(SensoriumError):
    """An object in a (local or S3-compatible) bucket cannot be read or written."""


class BlobNotFound(BlobError):
    """The bucket or the key does not exist."""


class InvalidBlobKey(BlobError):
    """The key is malformed or would escape its bucket folder."""


class BlobAccessDenied(BlobError):
    """The bucket belongs to another account."""


class ServiceError(SensoriumError):
    """An error returned to the client in the service's own wire format.

    Subclasses are declarations: the class name is the modelled exception's name (a base
    class of several errors is declared ``abstract=True``); ``models`` lists the botocore
    service models that declare it (empty for AWS's common errors); ``status`` overrides
    the HTTP status found in the model (client errors without one are 400); ``fields`` are
    extra members of the modelled error shape.
    """

    code: str = ""
    models: tuple[str, ...] = ()
    status: int | None = None

    def __init_subclass__(
        cls, *, models: tuple[str, ...] | None = None, abstract: bool = False, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if models is not None:
            cls.models = models
        if abstract:  # a base class of several errors: it has no code of its own
            cls.code = ""
        elif "code" not in cls.__dict__:
            cls.code = cls.__name__

    def __init__(self, message: str, **fields: Any) -> None:
        if not self.code:
            raise TypeError(f"{type(self).__name__} declares no error code; raise a subclass")
        super().__init__(message)
        self.message = message
        self.fields = fields

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


# AWS's common errors (any service may answer them) and the protocol layer's own.


class CommonError(ServiceError, abstract=True):
    """An error every AWS service may answer; not declared in any one service model."""


class ValidationError(CommonError):
    """Input that breaks a constraint of the service model.

    The protocol layer answers it with the service's validation exception
    (``InvalidParameterException`` for Rekognition, ``ValidationException`` for most others).
    """

    code = "ValidationException"

    def __init__(self, problems: list[str], *, oversized: bool = False) -> None:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        super().__init__(f"{count} validation {noun} detected: " + "; ".join(problems))
        self.problems = problems
        # A blob over the model's size limit: some services name that error apart
        # (Rekognition's ImageTooLargeException).
        self.oversized = oversized


class SerializationException(CommonError): ...


class UnknownOperationException(CommonError): ...


class NotImplementedException(CommonError):
    """An operation of the service model that Sensorium does not implement."""

    status = 501


class RequestEntityTooLargeException(CommonError):
    status = 413


class RequestTimeoutException(CommonError):
    status = 408


class InternalFailure(CommonError):
    status = 500

    def __init__(self, message: str = "An internal error occurred.") -> None:
        super().__init__(message)


class AuthError(CommonError, abstract=True):
    """SigV4 failures; AWS answers every one of them with 403."""

    status = 403


class MissingAuthenticationTokenException(AuthError): ...


class IncompleteSignatureException(AuthError): ...


class UnrecognizedClientException(AuthError): ...


class InvalidSignatureException(AuthError): ...


class RequestTimeSkewed(InvalidSignatureException):
    """A signature dated too far from the server's clock (S3 names it apart)."""

    code = "InvalidSignatureException"


class PayloadHashMismatch(InvalidSignatureException):
    """An ``x-amz-content-sha256`` that is not the body's (S3 names it apart)."""

    code = "InvalidSignatureException"


class PresignedRequestExpired(InvalidSignatureException):
    """A presigned URL past its expiry (S3 answers ``AccessDenied``)."""

    code = "InvalidSignatureException"


class MalformedChunkedBody(SerializationException):
    """An ``aws-chunked`` body that does not decode, or not to the length announced (S3's
    ``IncompleteBody``)."""

    code = "SerializationException"


class QueryAuthenticationMalformed(IncompleteSignatureException):
    """Query-string authentication parameters missing or malformed (S3 names it apart)."""

    code = "IncompleteSignatureException"


COMMON_ERRORS: frozenset[str] = frozenset(
    cls.code
    for cls in (
        ValidationError,
        SerializationException,
        UnknownOperationException,
        NotImplementedException,
        RequestEntityTooLargeException,
        RequestTimeoutException,
        InternalFailure,
        MissingAuthenticationTokenException,
        IncompleteSignatureException,
        UnrecognizedClientException,
        InvalidSignatureException,
    )
)


@dataclass(frozen=True)
class ErrorSet:
    """The errors the shared kits (paging, jobs, models, admission) raise for one service."""

    invalid: type[ServiceError]  # a request the service refuses as malformed
    bad_token: type[ServiceError]  # a NextToken it did not issue to this caller and query
    unavailable: type[ServiceError]  # a model the operation needs cannot load
    throttled: type[ServiceError]  # retryable: the server is at capacity
