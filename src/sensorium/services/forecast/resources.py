"""Finding, creating, listing and deleting Forecast resources (one table, one kind column)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.services.forecast.tables import ForecastResource
from sensorium.services.pagination import BadToken, make_token, read_token
from sensorium.storage.database import Database

DEFAULT_PAGE_SIZE = 100
PENDING = ("CREATE_PENDING", "CREATE_IN_PROGRESS")

# kind -> (ARN resource type, human name)
KINDS = {
    "dataset_group": ("dataset-group", "dataset group"),
    "dataset": ("dataset", "dataset"),
    "import_job": ("dataset-import-job", "dataset import job"),
    "predictor": ("predictor", "predictor"),
    "forecast": ("forecast", "forecast"),
    "export_job": ("forecast-export-job", "forecast export job"),
}


def arn(ctx: RequestContext, kind: str, name: str, parent_name: str | None = None) -> str:
    path = f"{parent_name}/{name}" if parent_name else name
    return ctx.arn("forecast", f"{KINDS[kind][0]}/{path}")


def name_of(resource_arn: str) -> str:
    return resource_arn.rsplit("/", 1)[-1]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def not_found(kind: str, resource_arn: str) -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException", f"No {KINDS[kind][1]} exists with the ARN {resource_arn}."
    )


def find(session: Session, ctx: RequestContext, kind: str, resource_arn: str) -> ForecastResource:
    row = session.scalar(
        select(ForecastResource).filter_by(
            account_id=ctx.account_id, region=ctx.region, kind=kind, arn=resource_arn
        )
    )
    if row is None:
        raise not_found(kind, resource_arn)
    return row


def add(
    db: Database,
    ctx: RequestContext,
    kind: str,
    resource_arn: str,
    *,
    status: str,
    request: dict[str, Any],
    details: dict[str, Any] | None = None,
    payload: bytes | None = None,
    parent_arn: str | None = None,
    checks: Any = None,
) -> ForecastResource:
    """Insert a resource; ``checks(session)`` runs first in the same transaction."""
    stamp = now()
    try:
        with db.transaction() as session:
            if checks is not None:
                checks(session)
            if session.scalar(select(ForecastResource.id).filter_by(arn=resource_arn)):
                raise _exists(kind, resource_arn)
            row = ForecastResource(
                account_id=ctx.account_id,
                region=ctx.region,
                kind=kind,
                name=name_of(resource_arn),
                arn=resource_arn,
                parent_arn=parent_arn,
                status=status,
                request=request,
                details=details or {},
                payload=payload,
                attempts=0,
                created_at=stamp,
                modified_at=stamp,
            )
            session.add(row)
    except IntegrityError:
        raise _exists(kind, resource_arn) from None
    return row


def page(
    db: Database,
    ctx: RequestContext,
    kind: str,
    params: dict[str, Any],
    filter_keys: tuple[str, ...] = (),
) -> tuple[list[ForecastResource], str | None]:
    """Newest first, filtered by Filters (keys: Status and the linked ARNs in details)."""
    filters = params.get("Filters") or []
    for condition in filters:
        if condition["Key"] not in ("Status", *filter_keys):
            allowed = ", ".join(("Status", *filter_keys))
            raise ServiceError(
                "InvalidInputException",
                f"Filter key {condition['Key']!r} is not supported here; use {allowed}.",
            )
    scope = f"{kind}:{ctx.account_id}:{ctx.region}:{filters}"
    before: int | None = None
    if params.get("NextToken"):
        try:
            before = int(read_token(scope, params["NextToken"]))
        except (BadToken, ValueError, TypeError):
            raise ServiceError("InvalidNextTokenException", "The NextToken is not valid.") from None
    query = select(ForecastResource).filter_by(
        account_id=ctx.account_id, region=ctx.region, kind=kind
    )
    if before is not None:
        query = query.where(ForecastResource.id < before)
    with db.reading() as session:
        rows = [
            row
            for row in session.scalars(query.order_by(ForecastResource.id.desc()))
            if all(_matches(row, condition) for condition in filters)
        ]
    limit = params.get("MaxResults") or DEFAULT_PAGE_SIZE
    token = make_token(scope, rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], token


def _matches(row: ForecastResource, condition: dict[str, str]) -> bool:
    key = condition["Key"]
    actual = row.status if key == "Status" else row.details.get("links", {}).get(key)
    same = actual == condition["Value"]
    return same if condition["Condition"] == "IS" else not same


def children(session: Session, parent_arn: str, kinds: tuple[str, ...]) -> list[ForecastResource]:
    return list(
        session.scalars(
            select(ForecastResource).where(
                ForecastResource.parent_arn == parent_arn, ForecastResource.kind.in_(kinds)
            )
        )
    )


def in_use(message: str) -> ServiceError:
    return ServiceError("ResourceInUseException", message)


def refuse_if_pending(row: ForecastResource) -> None:
    if row.status in PENDING:
        raise in_use(f"{row.arn} is {row.status}; wait until it is ACTIVE or CREATE_FAILED.")


def _exists(kind: str, resource_arn: str) -> ServiceError:
    return ServiceError(
        "ResourceAlreadyExistsException",
        f"A {KINDS[kind][1]} already exists with the ARN {resource_arn}.",
    )
