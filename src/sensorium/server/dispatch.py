"""From a wire request to a wire response: protocol, authentication, validation, handler.

The order follows AWS: the protocol is identified first (so errors can be encoded in it),
then the signature is verified, then the operation is looked up, decoded and validated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import StatementError
from starlette.concurrency import run_in_threadpool

from sensorium.admission import Admission, Overloaded
from sensorium.auth import chunked, sigv4
from sensorium.auth.credentials import CredentialSet
from sensorium.context import Caller, RequestContext
from sensorium.errors import (
    InternalFailure,
    InvalidSignatureException,
    ModelUnavailable,
    NotImplementedException,
    SerializationException,
    ServiceError,
    UnknownOperationException,
    ValidationError,
)
from sensorium.operations import Handler, OperationRegistry
from sensorium.protocol.catalog import ServiceCatalog
from sensorium.protocol.detect import detect, wire_protocols
from sensorium.protocol.validation import validate
from sensorium.protocol.wire import Target, WireProtocol, WireRequest, WireResponse
from sensorium.storage.database import contended

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
        self,
        catalog: ServiceCatalog,
        registry: OperationRegistry,
        credentials: CredentialSet,
        admission: Admission,
    ) -> None:
        self.registry = registry
        self.credentials = credentials
        self.admission = admission
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
            self._refuse_if_full(target)
            principal = sigv4.verify(request, self.credentials)
            outcome.account_id = principal.account_id
            if chunked.is_chunked(request):
                request = chunked.decoded(request, principal)
            target = self._require_target(request, target, principal.signing_service)
            service = target.service
            params = _input(protocol, request, target)
            handler = self.registry.get(service.name, target.operation_name)
            if handler is None:
                raise NotImplementedException(
                    f"Sensorium does not implement {service.name}:{target.operation_name} yet. "
                    "See the README for what each service supports."
                )
            context = RequestContext(
                request_id, principal.account_id, principal.region, _caller(request, principal)
            )
            outcome.response = await self._run(protocol, target, handler, context, params)
        except ServiceError as error:
            if isinstance(error, ValidationError) and service is not None:
                error.code = service.validation_exception_for(error)
            outcome.error_code = error.code
            outcome.response = protocol.encode_error(service, error, request_id)
        except Exception:
            log.exception("unhandled error in request %s", request_id)
            outcome.error_code = "InternalFailure"
            outcome.response = protocol.encode_error(service, InternalFailure(), request_id)
        outcome.response.headers[protocol.request_id_header] = request_id
        return outcome

    def refuse(self, request: WireRequest, error: ServiceError, request_id: str) -> Outcome:
        """A request refused before dispatch (its body too large, too slow), answered in
        its protocol: ``request`` is its head, the body left empty."""
        protocol = detect(self.protocols, request)
        response = protocol.encode_error(None, error, request_id)
        response.headers[protocol.request_id_header] = request_id
        return Outcome(response, error_code=error.code)

    async def _run(
        self,
        protocol: WireProtocol,
        target: Target,
        handler: Handler,
        context: RequestContext,
        params: dict[str, Any],
    ) -> WireResponse:
        """The handler's response, admitted through its model's gate: the turn is held until
        a streamed body has been sent."""
        service = target.service.name
        gate_name = self.registry.gate_of(service, target.operation_name)
        try:
            self.admission.accounts.take(context.account_id)
            leave = await self.admission.gate(gate_name).enter() if gate_name else None
        except Overloaded as busy:
            raise self._throttled(service, busy) from None
        try:
            try:
                result = await run_in_threadpool(handler, context, params)
                response = protocol.encode(target, result)
            except ModelUnavailable as missing:
                raise self._unavailable(service, missing) from None
            except StatementError as error:
                if isinstance(error.orig, ServiceError):
                    # A check made while the statement was built (text it cannot store).
                    raise error.orig from None
                if not contended(error):
                    raise
                # Another request's transaction got in this one's way: the client's retry
                # (which the throttling error asks for) will find the way clear.
                crowded = Overloaded("concurrent writes to the same resources")
                raise self._throttled(service, crowded) from None
        except BaseException:
            if leave is not None:
                leave()
            raise
        if leave is not None:
            response.closers.append(leave)  # a streamed body holds the turn to its end
        return response

    def _refuse_if_full(self, target: Target | None) -> None:
        """A request its model has no room for is refused before the work of reading it
        (verifying its signature, decoding its body): under load, that work is what the
        refused requests would otherwise cost everyone."""
        if target is None:
            return
        name = target.service.name
        gate = self.registry.gate_of(name, target.operation_name)
        if gate is not None:
            try:
                self.admission.gate(gate).refuse_if_full()
            except Overloaded as busy:
                raise self._throttled(name, busy) from None

    def _throttled(self, service: str, busy: Overloaded) -> ServiceError:
        errors = self.registry.errors(service)
        message = f"Rate exceeded: the server is at capacity ({busy}); retry later."
        return errors.throttled(message) if errors else InternalFailure(message)

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


def _input(protocol: WireProtocol, request: WireRequest, target: Target) -> dict[str, Any]:
    """The operation's input, decoded and checked against every constraint of the model."""
    try:
        params = protocol.decode(request, target)
        assert target.operation is not None
        shape = target.operation.input_shape
        problems = validate(shape, params) if shape is not None else []
    except RecursionError:  # parsers and model walkers recurse: bound what they accept
        raise SerializationException("The request is nested too deeply.") from None
    if problems:
        oversized = any(problem.oversized_blob for problem in problems)
        raise ValidationError([str(problem) for problem in problems], oversized=oversized)
    return params


def _caller(request: WireRequest, principal: sigv4.Principal) -> Caller | None:
    """The endpoint the client called (scheme and Host header) and the key it signed with."""
    host = request.headers.get("host")
    if not host:
        return None
    key = principal.key
    return Caller(
        f"{request.scheme}://{host}",
        key.access_key_id,
        key.secret_access_key,
        key.session_token,
    )
