"""Finding, adding, listing and deleting Forecast resources (one table, one kind column).

Every session here is opened for the caller's scope, so a lookup by ARN only ever sees the
caller's own account and region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.services.forecast.errors import (
    InvalidInputException,
    ResourceAlreadyExistsException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from sensorium.services.forecast.tables import ForecastResource

DEFAULT_PAGE_SIZE = 100
PENDING = ("CREATE_PENDING", "CREATE_IN_PROGRESS")


@dataclass(frozen=True)
class Kind:
    """How one kind of resource is named."""

    arn_type: str  # the resource type in its ARN
    title: str  # in messages
    noun: str  # in its members and operations: <noun>Name, <noun>Arn, Create<noun>...
    nested: bool = False  # its ARN is under the name of the resource it was made from

    @property
    def arn_member(self) -> str:
        return f"{self.noun}Arn"

    @property
    def name_member(self) -> str:
        return f"{self.noun}Name"


KINDS = {
    "dataset_group": Kind("dataset-group", "dataset group", "DatasetGroup"),
    "dataset": Kind("dataset", "dataset", "Dataset"),
    "import_job": Kind("dataset-import-job", "dataset import job", "DatasetImportJob", nested=True),
    "predictor": Kind("predictor", "predictor", "Predictor"),
    "forecast": Kind("forecast", "forecast", "Forecast"),
    "export_job": Kind(
        "forecast-export-job", "forecast export job", "ForecastExportJob", nested=True
    ),
}


def arn(ctx: RequestContext, kind: str, name: str, parent_arn: str | None = None) -> str:
    path = f"{name_of(parent_arn)}/{name}" if KINDS[kind].nested and parent_arn else name
    return ctx.arn("forecast", f"{KINDS[kind].arn_type}/{path}")


def name_of(resource_arn: str) -> str:
    return resource_arn.rsplit("/", 1)[-1]


def not_found(kind: str, resource_arn: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"No {KINDS[kind].title} exists with the ARN {resource_arn}.")


def already_exists(kind: str, resource_arn: str) -> ResourceAlreadyExistsException:
    return ResourceAlreadyExistsException(
        f"A {KINDS[kind].title} already exists with the ARN {resource_arn}."
    )


def find(session: Session, kind: str, resource_arn: str) -> ForecastResource:
    row = session.scalar(select(ForecastResource).filter_by(kind=kind, arn=resource_arn))
    if row is None:
        raise not_found(kind, resource_arn)
    return row


def insert(
    session: Session,
    kind: str,
    resource_arn: str,
    *,
    status: str,
    request: dict[str, Any],
    details: dict[str, Any],
    parent_arn: str | None,
) -> ForecastResource:
    """Add a resource to the session's scope; flushed, so its id is known."""
    if session.scalar(select(ForecastResource.id).filter_by(arn=resource_arn)) is not None:
        raise already_exists(kind, resource_arn)
    row = ForecastResource(
        kind=kind,
        name=name_of(resource_arn),
        arn=resource_arn,
        parent_arn=parent_arn,
        status=status,
        request=request,
        details=details,
    )
    session.add(row)
    session.flush()
    return row


def listing_query(
    kind: str, filters: list[dict[str, str]], filter_keys: tuple[str, ...]
) -> Select[ForecastResource]:
    """The resources of ``kind`` that match every one of a List operation's Filters (keys:
    Status and the linked ARNs in ``details["links"]``)."""
    query = select(ForecastResource).where(ForecastResource.kind == kind)
    for condition in filters:
        query = query.where(_matches(condition, filter_keys))
    return query


def _matches(condition: dict[str, str], filter_keys: tuple[str, ...]) -> ColumnElement[bool]:
    key = condition["Key"]
    if key not in ("Status", *filter_keys):
        allowed = ", ".join(("Status", *filter_keys))
        raise InvalidInputException(
            f"Filter key {key!r} is not supported here; use {allowed}.",
        )
    actual = (
        ForecastResource.status
        if key == "Status"
        else ForecastResource.details[("links", key)].as_string()
    )
    if condition["Condition"] == "IS":
        return actual == condition["Value"]
    # A resource without that link is not linked to the value, so IS_NOT keeps it.
    return or_(actual.is_(None), actual != condition["Value"])


def children(session: Session, parent_arn: str, kinds: tuple[str, ...]) -> list[ForecastResource]:
    return list(
        session.scalars(
            select(ForecastResource).where(
                ForecastResource.parent_arn == parent_arn, ForecastResource.kind.in_(kinds)
            )
        )
    )


def refuse_if_pending(row: ForecastResource) -> None:
    if row.status in PENDING:
        raise ResourceInUseException(
            f"{row.arn} is {row.status}; wait until it is ACTIVE or CREATE_FAILED."
        )
