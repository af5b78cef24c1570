"""Keyset pagination with opaque, tamper-evident tokens: one way every List operation pages.

A page is the rows after a position in a fixed order (``ORDER BY name, id``); the token holds
that position, signed with the server's key (``storage.secrets``) together with a digest of
what the listing was: the caller's account and region, the operation and its filters. A
token altered, forged, or issued to another caller or for another query is refused with the
service's own error. Rows added or removed between pages never shift the pages that follow
(no offsets).

Some services allow short tokens (Rekognition: 255 characters); when a position does not
fit, the token holds the last row's key column alone and the position is looked up again.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, String, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sensorium.context import Scope
from sensorium.errors import ServiceError
from sensorium.storage.owned import scope_of

T = TypeVar("T")
_MAC_BYTES = 16


class BadToken(ValueError):
    """A token this server did not issue for this listing."""


class TokenSigner:
    """Signs and checks positions with the server's key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def issue(self, binding: str, position: dict[str, Any]) -> str:
        payload = json.dumps(
            {"b": _digest(binding), **position}, separators=(",", ":"), default=_encode_value
        ).encode()
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
        return f"{_b64(payload)}.{_b64(mac)}"

    def read(self, binding: str, token: str) -> dict[str, Any]:
        try:
            body, _, signature = token.partition(".")
            payload, mac = _unb64(body), _unb64(signature)
        except (binascii.Error, ValueError, UnicodeError):
            raise BadToken(token) from None
        expected = hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
        if not hmac.compare_digest(mac, expected):
            raise BadToken(token)
        decoded = json.loads(payload, object_hook=_decode_value)
        if not isinstance(decoded, dict) or decoded.pop("b", None) != _digest(binding):
            raise BadToken(token)
        return decoded


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str | None

    def output(
        self, key: str, convert: Callable[[T], Any], token_key: str = "NextToken"
    ) -> dict[str, Any]:
        """The operation's output: the converted items under ``key``, and the token if any."""
        result: dict[str, Any] = {key: [convert(item) for item in self.items]}
        if self.next_token:
            result[token_key] = self.next_token
        return result


@dataclass(frozen=True)
class Listing:
    """What a page lists: ``name`` is the operation (and the parent it lists under), bound
    into every token with ``filters``; ``order`` ends with a unique column (the key)."""

    name: str
    order: tuple[InstrumentedAttribute[Any], ...]
    filters: Any = None
    descending: bool = False


class Paginator:
    """Pages of one service; ``bad_token`` is that service's error for a token it refuses."""

    def __init__(
        self, signer: TokenSigner, bad_token: type[ServiceError], max_token_length: int = 8192
    ) -> None:
        self.signer = signer
        self.bad_token = bad_token
        self.max_token_length = max_token_length

    def page(
        self,
        session: Session,
        query: Select[*tuple[Any, ...]],
        listing: Listing,
        limit: int,
        token: str | None,
    ) -> Page[Any]:
        """The page after ``token`` of ``query``, for the session's caller."""
        scope = scope_of(session)
        if not isinstance(scope, Scope):
            raise TypeError("pages are listed for a caller: open the session with its scope")
        binding = json.dumps(
            [scope.account_id, scope.region, listing.name, listing.filters],
            sort_keys=True,
            default=str,
        )
        order = listing.order
        sortable = _byte_ordered(session, order)
        if token:
            after = self._position(session, binding, token, order)
            query = query.where(_after(sortable, after, listing.descending))
        ordered = [column.desc() if listing.descending else column.asc() for column in sortable]
        rows = session.execute(query.order_by(*ordered).limit(limit + 1)).all()
        # One entity per row comes back bare; several (an entity and joined columns) as a
        # tuple whose first member is the entity the order columns belong to.
        items = [row[0] if len(row) == 1 else tuple(row) for row in rows]
        if len(items) <= limit:
            return Page(items, None)
        values = [getattr(rows[limit - 1][0], column.key) for column in order]
        next_token = self.signer.issue(binding, {"p": values})
        if len(next_token) > self.max_token_length:
            next_token = self.signer.issue(binding, {"a": values[-1]})
        return Page(items[:limit], next_token)

    def _position(
        self,
        session: Session,
        binding: str,
        token: str,
        order: Sequence[InstrumentedAttribute[Any]],
    ) -> list[Any]:
        try:
            position = self.signer.read(binding, token)
        except BadToken:
            raise self.bad_token("The pagination token is not valid for this request.") from None
        if "a" in position:  # only the key column: find the row's place again
            found = session.execute(select(*order).where(order[-1] == position["a"])).first()
            if found is None:
                raise self.bad_token(
                    "The item this pagination token points at was deleted; list again."
                )
            return list(found)
        values = position.get("p")
        if not isinstance(values, list) or len(values) != len(order):
            raise self.bad_token("The pagination token is not valid for this request.")
        return values


def _byte_ordered(
    session: Session, order: Sequence[InstrumentedAttribute[Any]]
) -> list[ColumnElement[Any]]:
    """The order's columns, text compared byte by byte as SQLite does (and Python sorts),
    whatever collation a PostgreSQL database was created with."""
    columns = [column.expression for column in order]
    if session.get_bind().dialect.name != "postgresql":
        return columns
    return [
        column.collate("C") if isinstance(column.type, String) else column for column in columns
    ]


def _after(order: Sequence[ColumnElement[Any]], values: Sequence[Any], descending: bool) -> Any:
    """Rows strictly after ``values`` in lexicographic order over ``order``."""
    clauses = []
    for index, column in enumerate(order):
        beyond = column < values[index] if descending else column > values[index]
        equal = [order[i] == values[i] for i in range(index)]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def _digest(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    raise TypeError(f"cannot put a {type(value).__name__} in a pagination token")


def _decode_value(value: dict[str, Any]) -> Any:
    if set(value) == {"t"}:
        return dt.datetime.fromisoformat(value["t"])
    return value
