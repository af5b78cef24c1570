"""What a handler knows about the request it serves (nothing of HTTP), and whose data it is."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    """An account in a region: every stored resource belongs to exactly one."""

    account_id: str
    region: str

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"


@dataclass(frozen=True)
class Caller:
    """How the caller reached the server, for URLs handed back to it: the endpoint it called
    (``scheme://host[:port]``, as its Host header named it) and the access key it signed with
    (output URLs are presigned with it, as AWS presigns with the caller's credentials)."""

    endpoint: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    account_id: str
    region: str
    # None outside a request (jobs, the CLI): URLs to objects are then s3:// URIs.
    caller: Caller | None = None

    @property
    def scope(self) -> Scope:
        return Scope(self.account_id, self.region)

    def arn(self, service: str, resource: str) -> str:
        return self.scope.arn(service, resource)
