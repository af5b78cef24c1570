"""Lex's List operations: keyset pages over SQL through the shared paginator.

``sortBy`` picks the order (always ending with the primary key, so every position is
unique); ``filters`` (EQ, NE, CO; case-insensitive, as Lex compares names) narrow the query.
Both are bound into the ``nextToken``: a token of another listing is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from sensorium.context import Scope
from sensorium.operations import Params
from sensorium.services.lex.errors import ValidationException
from sensorium.services.lex.tables import LexResource
from sensorium.storage.paging import Page, Paginator

DEFAULT_PAGE = 10  # Lex's default maxResults

Column = InstrumentedAttribute[Any]
Expression = ColumnElement[Any] | Column
# What a filter compares; None for a filter no resource here can match.
Compared = Expression | None


@dataclass(frozen=True)
class Listing:
    """One List operation: its sort attributes and filter names, as the model names them."""

    operation: str
    sorts: Mapping[str, Column | None] = field(default_factory=dict)  # None: creation order
    filters: Mapping[str, Compared] = field(default_factory=dict)
    default: Column | None = None  # the order without sortBy; None: creation order


class Lister:
    def __init__(self, paginator: Paginator) -> None:
        self.paginator = paginator

    def page(
        self,
        session: Session,
        listing: Listing,
        query: Select[LexResource],
        params: Params,
        scope: Scope,
        parent: str = "",
    ) -> Page[LexResource]:
        """The page of ``query`` that ``params`` (sortBy, filters, maxResults, nextToken)
        ask for; ``parent`` names the resource listed under."""
        sort: dict[str, str] = params.get("sortBy") or {}
        filters: list[dict[str, Any]] = params.get("filters") or []
        column = listing.sorts[sort["attribute"]] if sort else listing.default
        order = (LexResource.id,) if column is None else (column, LexResource.id)
        for item in filters:
            query = query.where(_condition(listing, item))
        return self.paginator.page(
            session,
            query,
            order=order,
            limit=params.get("maxResults") or DEFAULT_PAGE,
            token=params.get("nextToken"),
            scope=scope,
            listing=f"{listing.operation}:{parent}",
            filters=[sort, filters],
            descending=sort.get("order") == "Descending",
        )


def _condition(listing: Listing, item: dict[str, Any]) -> ColumnElement[bool]:
    name, operator = item["name"], item["operator"]
    if name not in listing.filters:
        raise ValidationException(f"{listing.operation} cannot filter on {name}.")
    compared = listing.filters[name]
    if compared is None:
        return false()
    clauses = [_compare(compared, operator, str(value)) for value in item["values"]]
    return and_(*clauses) if operator == "NE" else or_(*clauses)


def _compare(compared: Expression, operator: str, value: str) -> ColumnElement[bool]:
    if operator == "EQ":
        return func.lower(compared) == value.lower()
    if operator == "NE":
        return func.lower(compared) != value.lower()
    if operator == "CO":
        return compared.icontains(value, autoescape=True)
    raise ValidationException(f"Filter operator {operator} is not supported.")
