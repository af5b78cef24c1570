"""The handler registry: one function per (service, operation).

A handler takes the request context and the operation's input as the dict botocore's model
describes (validated already) and returns the output dict. It never sees HTTP. Where an
operation is a service method applied to some input members, ``bind`` declares it in a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sensorium.context import RequestContext
from sensorium.errors import ErrorSet

Params = dict[str, Any]
Handler = Callable[[RequestContext, Params], Params]


class OperationRegistry:
    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], Handler] = {}
        self._errors: dict[str, ErrorSet] = {}
        self._gates: dict[tuple[str, str], str] = {}

    def gate(self, service: str, gate: str, *operations: str) -> None:
        """These operations run a model: they pass through its admission gate."""
        for operation in operations:
            self._gates[(service, operation)] = gate

    def gate_of(self, service: str, operation: str) -> str | None:
        return self._gates.get((service, operation))

    def declare(self, services: tuple[str, ...], errors: ErrorSet) -> None:
        """The errors the shared kits raise for these service models."""
        for service in services:
            self._errors[service] = errors

    def errors(self, service: str) -> ErrorSet | None:
        return self._errors.get(service)

    def add(self, service: str, operation: str, handler: Handler) -> None:
        key = (service, operation)
        if key in self._handlers:
            raise ValueError(f"{service}:{operation} already has a handler")
        self._handlers[key] = handler

    def handler(self, service: str, operation: str) -> Callable[[Handler], Handler]:
        def decorate(function: Handler) -> Handler:
            self.add(service, operation, function)
            return function

        return decorate

    def get(self, service: str, operation: str) -> Handler | None:
        return self._handlers.get((service, operation))

    def implemented(self, service: str) -> list[str]:
        return sorted(op for (svc, op) in self._handlers if svc == service)

    def bind(self, service: str, operations: Mapping[str, str], *targets: object) -> None:
        """Operations that are a method applied to some input members, declared as a table:
        operation -> its members, in the method's order, space-separated (a trailing ``?``
        marks an optional one, None when the request omits it). The method is the
        operation's name in snake_case (``SearchFaces`` -> ``search_faces``) on the first of
        ``targets`` that has it, called with the request context first."""
        for operation, members in operations.items():
            name = _snake(operation)
            owner = next((target for target in targets if hasattr(target, name)), None)
            if owner is None:
                raise ValueError(f"no method {name} for {service}:{operation}")
            self.add(service, operation, _applying(getattr(owner, name), members))


def _applying(method: Callable[..., Params], members: str) -> Handler:
    names = [(member.rstrip("?"), member.endswith("?")) for member in members.split()]

    def handler(ctx: RequestContext, params: Params) -> Params:
        values = [params.get(name) if optional else params[name] for name, optional in names]
        return method(ctx, *values)

    return handler


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
