"""Finding, adding and listing SageMaker resources (one table, one kind column).

Sessions are opened for the caller's scope, so a lookup by name only sees the caller's
account and region."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from sensorium.context import Scope
from sensorium.errors import ServiceError
from sensorium.services.sagemaker.errors import (
    ResourceInUse,
    ResourceNotFound,
    ValidationException,
)
from sensorium.services.sagemaker.tables import SageMakerResource
from sensorium.storage.paging import Listing

DEFAULT_PAGE_SIZE = 10  # SageMaker's List* default MaxResults


@dataclass(frozen=True)
class Kind:
    arn_type: str
    title: str  # in messages
    noun: str  # <noun>Name, <noun>Arn

    def arn(self, scope: Scope, name: str) -> str:
        # SageMaker writes resource names lower-case in ARNs.
        return scope.arn("sagemaker", f"{self.arn_type}/{name.lower()}")


KINDS = {
    "training_job": Kind("training-job", "training job", "TrainingJob"),
    "model": Kind("model", "model", "Model"),
    "endpoint_config": Kind("endpoint-config", "endpoint configuration", "EndpointConfig"),
    "endpoint": Kind("endpoint", "endpoint", "Endpoint"),
}


def not_found(kind: str, scope: Scope, name: str) -> ServiceError:
    resource_arn = KINDS[kind].arn(scope, name)
    if kind == "training_job":
        return ResourceNotFound(f"Requested resource not found: {resource_arn}")
    return ValidationException(f'Could not find {KINDS[kind].title} "{resource_arn}".')


def find(session: Session, scope: Scope, kind: str, name: str) -> SageMakerResource:
    row = session.scalar(select(SageMakerResource).filter_by(kind=kind, name=name))
    if row is None:
        raise not_found(kind, scope, name)
    return row


def insert(
    session: Session,
    scope: Scope,
    kind: str,
    name: str,
    *,
    status: str,
    request: dict[str, Any],
    details: dict[str, Any] | None = None,
) -> SageMakerResource:
    resource_arn = KINDS[kind].arn(scope, name)
    if session.scalar(select(SageMakerResource.id).filter_by(kind=kind, name=name)) is not None:
        raise already_exists(kind, resource_arn)
    row = SageMakerResource(
        kind=kind,
        name=name,
        arn=resource_arn,
        status=status,
        request=request,
        details=details or {},
    )
    session.add(row)
    session.flush()
    return row


def already_exists(kind: str, resource_arn: str) -> ServiceError:
    if kind == "training_job":
        return ResourceInUse(
            "Training job names must be unique within an AWS account and region, and a "
            f"training job with this name already exists ({resource_arn})"
        )
    return ValidationException(
        f'Cannot create already existing {KINDS[kind].title} "{resource_arn}".'
    )


SORT_COLUMNS = {
    "Name": SageMakerResource.name,
    "CreationTime": SageMakerResource.created_at,
    "Status": SageMakerResource.status,
}


def listing_query(kind: str, params: dict[str, Any]) -> tuple[Select[Any], Listing]:
    """Resources of ``kind`` matching a List operation's filters, in its SortBy/SortOrder."""
    query = select(SageMakerResource).where(SageMakerResource.kind == kind)
    if params.get("NameContains"):
        query = query.where(
            SageMakerResource.name.contains(params["NameContains"], autoescape=True)
        )
    bounds = {
        "CreationTimeAfter": (SageMakerResource.created_at, True),
        "CreationTimeBefore": (SageMakerResource.created_at, False),
        "LastModifiedTimeAfter": (SageMakerResource.updated_at, True),
        "LastModifiedTimeBefore": (SageMakerResource.updated_at, False),
    }
    for member, (column, after) in bounds.items():
        moment = params.get(member)
        if isinstance(moment, dt.datetime):
            query = query.where(column > moment if after else column < moment)
    if params.get("StatusEquals"):
        query = query.where(SageMakerResource.status == params["StatusEquals"])
    sort_by = params.get("SortBy") or "CreationTime"
    if sort_by not in SORT_COLUMNS:
        raise ValidationException(f"SortBy {sort_by} is not supported here.")
    order = (SORT_COLUMNS[sort_by], SageMakerResource.id)
    filters = {
        key: str(params[key])
        for key in ("NameContains", "StatusEquals", "SortBy", "SortOrder", *bounds)
        if params.get(key) is not None
    }
    descending = (params.get("SortOrder") or "Ascending") == "Descending"
    return query, Listing(f"sagemaker:{kind}", order, filters, descending=descending)
