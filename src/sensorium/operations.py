"""The handler registry: one function per (service, operation).

A handler takes the request context and the operation's input as the dict botocore's model
describes (validated already) and returns the output dict. It never sees HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sensorium.context import RequestContext
from sensorium.errors import ErrorSet

Params = dict[str, Any]
Handler = Callable[[RequestContext, Params], Params]


class OperationRegistry:
    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], Handler] = {}
        self._errors: dict[str, ErrorSet] = {}

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
