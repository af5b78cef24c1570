"""From a wire request to a wire response: protocol, authentication, validation, handler.

The order follows AWS: the protocol is identified first (so errors can be encoded in it),
then the signature is verified, then the operation is looked up, decoded and validated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from sensorium.auth import sigv4
from sensorium.auth.credentials import CredentialSet
from sensorium.context import RequestContext
from sensorium.errors import (
    InternalFailure,
    InvalidSignatureException,
    ModelUnavailable,
    NotImplementedException,
    ServiceError,
    UnknownOperationException,
    ValidationError,
)
from sensorium.operations import OperationRegistry
from sensorium.protocol.catalog import ServiceCatalog
from sensorium.protocol.detect import detect, wire_protocols
from sensorium.protocol.validation import validate
from sensorium.protocol.wire import Target, WireProtocol, WireRequest, WireResponse

log = logging.getLogger("sensorium.dispatch")


@dataclass
class Outcome:
    response: WireResponse
    service: str = "-"
    operation: str = "-"
    account_id: str = "-"
    error_code: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class Dispatcher:
    def __init__(
        self, catalog: ServiceCatalog, registry: OperationRegistry, credentials: CredentialSet
    ) -> None:
        self.registry = registry
        self.credentials = credentials
        self.protocols: list[WireProtocol] = wire_protocols(catalog)

    async def dispatch(self, request: WireRequest, request_id: str) -> Outcome:
        protocol = detect(self.protocols, request)
        scope = sigv4.read_scope(request)
        target = protocol.target(request, scope.service if scope else None)
        outcome = Outcome(WireResponse(500))
        service = target.service if target else None
        if target is not None:
            outcome.service, outcome.operation = target.service.name, target.operation_name
        try:
            principal = sigv4.verify(request, self.credentials)
            outcome.account_id = principal.account_id
            target = self._require_target(request, target, principal.signing_service)
            service = target.service
            params = protocol.decode(request, target)
            assert target.operation is not None
            if target.operation.input_shape is not None:
                problems = validate(target.operation.input_shape, params)
                if problems:
                    oversized = any(problem.oversized_blob for problem in problems)
                    raise ValidationError(
                        [str(problem) for problem in problems], oversized=oversized
                    )
            handler = self.registry.get(service.name, target.operation_name)
            if handler is None:
                raise NotImplementedException(
                    f"Sensorium does not implement {service.name}:{target.operation_name} yet. "
                    "See the README for what each service supports."
                )
            context = RequestContext(request_id, principal.account_id, principal.region)
            try:
                result = await run_in_threadpool(handler, context, params)
            except ModelUnavailable as missing:
                raise self._unavailable(service.name, missing) from None
            outcome.response = protocol.encode(target, result)
        except ServiceError as error:
            if isinstance(error, ValidationError) and service is not None:
                error.code = service.validation_exception_for(error)
            outcome.error_code = error.code
            outcome.response = protocol.encode_error(service, error)
        except Exception:
            log.exception("unhandled error in request %s", request_id)
            outcome.error_code = "InternalFailure"
            outcome.response = protocol.encode_error(service, InternalFailure())
        return outcome

    def _unavailable(self, service: str, missing: ModelUnavailable) -> ServiceError:
        """A model that cannot load: the service's own error, saying why and how to fix it."""
        errors = self.registry.errors(service)
        return errors.unavailable(str(missing)) if errors else InternalFailure(str(missing))

    @staticmethod
    def _require_target(
        request: WireRequest, target: Target | None, signing_service: str
    ) -> Target:
        if target is None or target.operation is None:
            what = request.headers.get("x-amz-target") or f"{request.method} {request.raw_path}"
            raise UnknownOperationException(f"Operation not found: {what}")
        if target.service.signing_name != signing_service:
            raise InvalidSignatureException(
                f"Credential should be scoped to correct service: '{target.service.signing_name}'."
            )
        return target
