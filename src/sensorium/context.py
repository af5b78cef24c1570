"""What a handler knows about the request it serves (nothing of HTTP), and whose data it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """An account in a region: every stored resource belongs to exactly one."""

    account_id: str
    region: str

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    account_id: str
    region: str

    @property
    def scope(self) -> Scope:
        return Scope(self.account_id, self.region)

    def arn(self, service: str, resource: str) -> str:
        return self.scope.arn(service, resource)
