"""Forecast and ForecastQuery operations: modelled input dict in, modelled output dict out.

Every kind of resource has the operations Create<noun>, Describe<noun>, List<noun>s and
Delete<noun>, declared once for each in ``RESOURCES``; the operations of one kind alone are
registered after them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sensorium.context import RequestContext
from sensorium.operations import Handler, OperationRegistry, Params
from sensorium.services.forecast import timestamps, views
from sensorium.services.forecast.errors import (
    InvalidInputException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from sensorium.services.forecast.importing import DOMAIN_FIELDS
from sensorium.services.forecast.jobs import ForecastTable, statistic
from sensorium.services.forecast.resources import KINDS
from sensorium.services.forecast.service import ForecastService
from sensorium.services.forecast.tables import ForecastResource

SERVICE = "forecast"
QUERY_SERVICE = "forecastquery"

View = Callable[[ForecastResource], Params]
Create = Callable[[ForecastService, RequestContext, Params], str]  # the new resource's ARN


@dataclass(frozen=True)
class Resource:
    """A kind of resource (a key of ``resources.KINDS``) and how its four operations answer."""

    kind: str
    create: Create
    describe: View
    summary: View  # an entry of its List output
    filters: tuple[str, ...] = ()  # the keys its List operation filters on, besides Status


def _described_by(auto: bool, view: View) -> View:
    """``view`` for the predictors it describes: AutoPredictors or the others."""

    def checked(row: ForecastResource) -> Params:
        if bool(row.details.get("auto")) != auto:
            other = "DescribeAutoPredictor" if row.details.get("auto") else "DescribePredictor"
            raise InvalidInputException(f"{row.arn} is described by {other}.")
        return view(row)

    return checked


RESOURCES = (
    Resource(
        "dataset_group",
        ForecastService.create_dataset_group,
        views.dataset_group,
        views.dataset_group_summary,
    ),
    Resource("dataset", ForecastService.create_dataset, views.dataset, views.dataset_summary),
    Resource(
        "import_job",
        ForecastService.create_dataset_import_job,
        views.import_job,
        views.import_job_summary,
        ("DatasetArn",),
    ),
    # AutoPredictors are listed and deleted with the others; their Create and Describe are
    # registered apart.
    Resource(
        "predictor",
        ForecastService.create_predictor,
        _described_by(False, views.predictor),
        views.predictor_summary,
        ("DatasetGroupArn",),
    ),
    Resource(
        "forecast",
        ForecastService.create_forecast,
        views.forecast,
        views.forecast_summary,
        ("DatasetGroupArn", "PredictorArn"),
    ),
    Resource(
        "export_job",
        ForecastService.create_forecast_export_job,
        views.export_job,
        views.export_job_summary,
        ("ForecastArn",),
    ),
)


def register(registry: OperationRegistry, service: ForecastService) -> None:
    for resource in RESOURCES:
        for operation, handler in _operations(service, resource).items():
            registry.add(SERVICE, operation, handler)
    auto_view = _described_by(True, views.auto_predictor)
    registry.add(
        SERVICE, "CreateAutoPredictor", _creating("predictor", service.create_auto_predictor)
    )
    registry.add(SERVICE, "DescribeAutoPredictor", _describing(service, "predictor", auto_view))

    @registry.handler(SERVICE, "UpdateDatasetGroup")
    def update_dataset_group(ctx: RequestContext, params: Params) -> Params:
        service.update_dataset_group(ctx, params)
        return {}

    @registry.handler(SERVICE, "GetAccuracyMetrics")
    def get_accuracy_metrics(ctx: RequestContext, params: Params) -> Params:
        row = service.get(ctx, "predictor", params["PredictorArn"])
        if row.status != "ACTIVE":
            raise ResourceInUseException(
                f"The predictor is {row.status}; metrics exist once it is ACTIVE."
            )
        return views.accuracy_metrics(row)

    @registry.handler(QUERY_SERVICE, "QueryForecast")
    def query_forecast(ctx: RequestContext, params: Params) -> Params:
        return {"Forecast": {"Predictions": _query(service, ctx, params)}}


def _operations(service: ForecastService, resource: Resource) -> dict[str, Handler]:
    kind = resource.kind
    noun = KINDS[kind].noun
    return {
        f"Create{noun}": _creating(kind, partial(resource.create, service)),
        f"Describe{noun}": _describing(service, kind, resource.describe),
        f"List{noun}s": _listing(service, resource),
        f"Delete{noun}": _deleting(service, kind),
    }


def _creating(kind: str, create: Callable[[RequestContext, Params], str]) -> Handler:
    def handler(ctx: RequestContext, params: Params) -> Params:
        return {KINDS[kind].arn_member: create(ctx, params)}

    return handler


def _describing(service: ForecastService, kind: str, view: View) -> Handler:
    def handler(ctx: RequestContext, params: Params) -> Params:
        return view(service.get(ctx, kind, params[KINDS[kind].arn_member]))

    return handler


def _listing(service: ForecastService, resource: Resource) -> Handler:
    """Newest first, a page of ``summary`` entries under <noun>s."""
    entries = f"{KINDS[resource.kind].noun}s"

    def handler(ctx: RequestContext, params: Params) -> Params:
        page = service.page(ctx, resource.kind, params, f"List{entries}", resource.filters)
        return page.output(entries, resource.summary)

    return handler


def _deleting(service: ForecastService, kind: str) -> Handler:
    def handler(ctx: RequestContext, params: Params) -> Params:
        service.delete(ctx, kind, params[KINDS[kind].arn_member])
        return {}

    return handler


def _query(service: ForecastService, ctx: RequestContext, params: Params) -> Params:
    row, data = service.payload(ctx, "forecast", params["ForecastArn"])
    if row.status != "ACTIVE":
        raise ResourceInUseException(f"The forecast is {row.status}, not ACTIVE.")
    filters: dict[str, str] = params["Filters"]
    identifier = _identifier(service, ctx, row)
    start = _date(params.get("StartDate"), "StartDate")
    end = _date(params.get("EndDate"), "EndDate")
    table = ForecastTable.load(data, row.details)
    index = _series(table, identifier, filters)
    moments = table.timestamps(index)
    keep = [
        step
        for step, moment in enumerate(moments)
        if (start is None or moment >= start) and (end is None or moment <= end)
    ]
    return {
        statistic(kind): [
            {
                "Timestamp": timestamps.wire(moments[step]),
                "Value": float(table.values[kind][index, step]),
            }
            for step in keep
        ]
        for kind in table.types
    }


def _series(table: ForecastTable, identifier: str, filters: dict[str, str]) -> int:
    """The one series the filters select: the item identifier is required, and forecast
    dimensions narrow it down."""
    known = [identifier, *table.dimensions]
    unknown = sorted(set(filters) - set(known))
    if unknown or identifier not in filters:
        raise InvalidInputException(
            f"Filters must name {identifier!r} and may name the forecast dimensions "
            f"{list(table.dimensions) or '(none)'}; got {sorted(filters)}.",
        )
    matches = [
        index
        for index, item in enumerate(table.items)
        if item == filters[identifier]
        and all(
            table.dimensions[name][index] == value
            for name, value in filters.items()
            if name != identifier
        )
    ]
    if not matches:
        described = ", ".join(f"{name} = {value!r}" for name, value in sorted(filters.items()))
        raise ResourceNotFoundException(f"The forecast has no series with {described}.")
    if len(matches) > 1:
        missing = [name for name in table.dimensions if name not in filters]
        raise InvalidInputException(
            f"The filters match {len(matches)} series; add filters on {missing} to pick one.",
        )
    return matches[0]


def _identifier(service: ForecastService, ctx: RequestContext, forecast: ForecastResource) -> str:
    group = service.get(ctx, "dataset_group", forecast.details["links"]["DatasetGroupArn"])
    return DOMAIN_FIELDS[group.request["Domain"]][0]


def _date(value: str | None, field: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return timestamps.query_date(value)
    except ValueError:
        raise InvalidInputException(
            f"{field} {value!r} must look like 2015-01-01T08:00:00."
        ) from None
