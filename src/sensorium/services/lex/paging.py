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

from sensorium.operations import Params
from sensorium.services.lex.errors import ValidationException
from sensorium.services.lex.tables import LexResource
from sensorium.storage.paging import Listing, Page, Paginator

DEFAULT_PAGE = 10  # Lex's default maxResults

Column = InstrumentedAttribute[Any]
Expression = ColumnElement[Any] | Column
# What a filter compares; None for a filter no resource here can match.
Compared = Expression | None


@dataclass(frozen=True)
class ListOperation:
    """One List operation: its sort attributes and filter names, as the model names them."""

    name: str
    sorts: Mapping[str, Column | None] = field(default_factory=dict)  # None: creation order
    filters: Mapping[str, Compared] = field(default_factory=dict)
    default: Column | None = None  # the order without sortBy; None: creation order


class Lister:
    def __init__(self, paginator: Paginator) -> None:
        self.paginator = paginator

    def page(
        self,
        session: Session,
        operation: ListOperation,
        query: Select[LexResource],
        params: Params,
        parent: str = "",
    ) -> Page[LexResource]:
        """The page of ``query`` that ``params`` (sortBy, filters, maxResults, nextToken)
        ask for; ``parent`` names the resource listed under."""
        sort: dict[str, str] = params.get("sortBy") or {}
        filters: list[dict[str, Any]] = params.get("filters") or []
        column = operation.sorts[sort["attribute"]] if sort else operation.default
        order = (LexResource.id,) if column is None else (column, LexResource.id)
        for item in filters:
            query = query.where(_condition(operation, item))
        descending = sort.get("order") == "Descending"
        listing = Listing(f"{operation.name}:{parent}", order, [sort, filters], descending)
        limit = params.get("maxResults") or DEFAULT_PAGE
        return self.paginator.page(session, query, listing, limit, params.get("nextToken"))


def _condition(operation: ListOperation, item: dict[str, Any]) -> ColumnElement[bool]:
    name, operator = item["name"], item["operator"]
    if name not in operation.filters:
        raise ValidationException(f"{operation.name} cannot filter on {name}.")
    compared = operation.filters[name]
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
