"""Forecast's resources: validated and persisted on Create; long steps queued as jobs.

Dataset groups and datasets are ACTIVE at once. Import jobs, predictors, forecasts and
export jobs start CREATE_PENDING, with their job submitted in the same transaction, and are
settled by the steps in ``jobs`` (ACTIVE or CREATE_FAILED with a Message).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sensorium.blobs import Buckets, parse_s3_uri
from sensorium.context import RequestContext
from sensorium.errors import BlobAccessDenied, InvalidBlobKey
from sensorium.jobs import JobSystem
from sensorium.models.forecasting.algorithms import ALGORITHMS
from sensorium.models.forecasting.evaluation import MIN_TRAINING_POINTS
from sensorium.models.forecasting.frequency import FREQUENCIES
from sensorium.services.forecast import resources, timestamps
from sensorium.services.forecast.errors import InvalidInputException, ResourceInUseException
from sensorium.services.forecast.importing import schema_problem
from sensorium.services.forecast.jobs import DEFAULT_TYPES, job_kind
from sensorium.services.forecast.panel import Panel
from sensorium.services.forecast.resources import find, refuse_if_pending
from sensorium.services.forecast.tables import ForecastResource
from sensorium.storage.database import Database
from sensorium.storage.paging import Listing, Page, Paginator

MAX_HORIZON = 500
ALGORITHM_ARN = "arn:aws:forecast:::algorithm/"
UNSUPPORTED_ALGORITHMS = ("CNN-QR", "Prophet")

# kind -> the kinds that are made from one of it, and must be deleted before it
DEPENDANTS = {"predictor": ("forecast",), "forecast": ("export_job",)}

Checks = Callable[[Session], object]  # raises if the resource may not be created


def algorithm_arn(name: str) -> str:
    return ALGORITHM_ARN + name


def check_frequency(name: str | None, field: str) -> None:
    if name is not None and name not in FREQUENCIES:
        raise InvalidInputException(
            f"{field} {name!r} is not a valid frequency; use one of {', '.join(FREQUENCIES)}."
        )


def check_forecast_types(types: list[str]) -> None:
    for kind in types:
        if kind == "mean":
            continue
        try:
            value = float(kind)
        except ValueError:
            value = -1.0
        if not 0.01 <= value <= 0.99 or abs(round(value * 100) - value * 100) > 1e-9:
            raise InvalidInputException(
                f"ForecastType {kind!r} must be 'mean' or a quantile from 0.01 to 0.99."
            )


class ForecastService:
    def __init__(self, db: Database, jobs: JobSystem, paginator: Paginator, blobs: Buckets) -> None:
        self.db = db
        self.jobs = jobs
        self.paginator = paginator
        self.blobs = blobs

    def _create(
        self,
        ctx: RequestContext,
        kind: str,
        params: dict[str, Any],
        *,
        details: dict[str, Any] | None = None,
        parent_arn: str | None = None,
        checks: Checks | None = None,
    ) -> str:
        """Insert the resource that ``params`` names (<noun>Name) once ``checks(session)``
        pass, and queue its step if it has one, all in one transaction; its ARN."""
        name_member = resources.KINDS[kind].name_member
        resource_arn = resources.arn(ctx, kind, params[name_member], parent_arn)
        step = job_kind(kind)
        try:
            with self.db.transaction(ctx.scope) as session:
                if checks is not None:
                    checks(session)
                row = resources.insert(
                    session,
                    kind,
                    resource_arn,
                    status="ACTIVE" if step is None else "CREATE_PENDING",
                    request=_without(params, name_member, "Tags"),
                    details=details or {},
                    parent_arn=parent_arn,
                )
                if step is not None:
                    self.jobs.submit(session, step, ctx.scope, str(row.id))
        except IntegrityError:  # a concurrent create of the same ARN won the race
            raise resources.already_exists(kind, resource_arn) from None
        return resource_arn

    def _create_from(
        self,
        ctx: RequestContext,
        kind: str,
        params: dict[str, Any],
        source: str,
        check: Callable[[Session, str, str], ForecastResource],
    ) -> str:
        """Create a resource made from the one of kind ``source`` that ``params`` names (by its
        ARN member), once ``check(session, source, arn)`` finds that one fit."""
        member = resources.KINDS[source].arn_member
        source_arn = params[member]
        return self._create(
            ctx,
            kind,
            params,
            details={"links": {member: source_arn}},
            parent_arn=source_arn,
            checks=lambda session: check(session, source, source_arn),
        )

    def delete(self, ctx: RequestContext, kind: str, resource_arn: str) -> None:
        """Delete a resource once nothing depends on it (a dataset's imports go with it)."""
        with self.db.transaction(ctx.scope) as session:
            row = find(session, kind, resource_arn)
            _RELEASES.get(kind, _release_job)(session, row)
            session.delete(row)

    # Dataset groups

    def create_dataset_group(self, ctx: RequestContext, params: dict[str, Any]) -> str:
        dataset_arns = list(params.get("DatasetArns") or [])

        def checks(session: Session) -> None:
            _check_members(session, params["Domain"], dataset_arns)

        details = {"DatasetArns": dataset_arns}
        return self._create(ctx, "dataset_group", params, details=details, checks=checks)

    def update_dataset_group(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        with self.db.transaction(ctx.scope) as session:
            group = find(session, "dataset_group", params["DatasetGroupArn"])
            _check_members(session, group.request["Domain"], params["DatasetArns"])
            group.details = {**group.details, "DatasetArns": list(params["DatasetArns"])}

    # Datasets

    def create_dataset(self, ctx: RequestContext, params: dict[str, Any]) -> str:
        check_frequency(params.get("DataFrequency"), "DataFrequency")
        kind = params["DatasetType"]
        if kind != "ITEM_METADATA" and not params.get("DataFrequency"):
            raise InvalidInputException(f"DataFrequency is required for a {kind} dataset.")
        _check_schema(params["Domain"], kind, params["Schema"].get("Attributes") or [])
        return self._create(ctx, "dataset", params)

    # Import jobs

    def create_dataset_import_job(self, ctx: RequestContext, params: dict[str, Any]) -> str:
        _check_import(params)
        return self._create_from(ctx, "import_job", params, "dataset", find)

    # Predictors

    def create_predictor(self, ctx: RequestContext, params: dict[str, Any]) -> str:
        return self._create_predictor(ctx, params, _predictor_plan(params))

    def create_auto_predictor(self, ctx: RequestContext, params: dict[str, Any]) -> str:
        return self._create_predictor(ctx, params, _auto_plan(params))

    def _create_predictor(
        self, ctx: RequestContext, params: dict[str, Any], details: dict[str, Any]
    ) -> str:
        """Create from the plan's ``details``, whose horizon and frequency it takes out."""
        horizon, frequency_name = details.pop("horizon"), details.pop("frequency")
        _check_predictor(params, details, horizon, frequency_name)
        dimensions = details["dimensions"]
        group_arn = details["links"]["DatasetGroupArn"]

        def checks(session: Session) -> None:
            group = find(session, "dataset_group", group_arn)
            target = _target_import(session, group)
            panel = _predictor_panel(session, target, dimensions)
            _check_horizon(panel, frequency_name, horizon, details)
            details["import_arn"] = target.arn
            related = _latest_import(session, group, "RELATED_TIME_SERIES")
            if related is not None:
                details["related_import_arn"] = related.arn

        return self._create(
            ctx, "predictor", params, details=details, parent_arn=group_arn, checks=checks
        )

    # Forecasts and exports

    def create_forecast(self, ctx: RequestContext, params: dict[str, Any]) -> str:
        if params.get("TimeSeriesSelector"):
            raise InvalidInputException("TimeSeriesSelector is not supported by this server.")
        predictor_arn = params["PredictorArn"]
        links: dict[str, str] = {"PredictorArn": predictor_arn}

        def checks(session: Session) -> None:
            predictor = _active(session, "predictor", predictor_arn)
            types = params.get("ForecastTypes") or predictor.request.get(
                "ForecastTypes", DEFAULT_TYPES
            )
            check_forecast_types(types)
            links["DatasetGroupArn"] = predictor.details["links"]["DatasetGroupArn"]

        details = {"links": links}
        return self._create(
            ctx, "forecast", params, details=details, parent_arn=predictor_arn, checks=checks
        )

    def create_forecast_export_job(self, ctx: RequestContext, params: dict[str, Any]) -> str:
        if params.get("Format", "CSV") != "CSV":
            raise InvalidInputException("Only CSV exports are supported by this server.")
        path = params["Destination"]["S3Config"]["Path"]
        bucket = path[len("s3://") :].split("/", 1)[0] if path.startswith("s3://") else ""
        if not bucket:
            raise InvalidInputException(f"{path} is not an S3 path.")
        try:
            self.blobs.allow(ctx.scope, bucket)
        except (BlobAccessDenied, InvalidBlobKey) as error:
            raise InvalidInputException(str(error)) from None
        return self._create_from(ctx, "export_job", params, "forecast", _active)

    # Reading

    def get(self, ctx: RequestContext, kind: str, resource_arn: str) -> ForecastResource:
        with self.db.reading(ctx.scope) as session:
            return find(session, kind, resource_arn)

    def payload(
        self, ctx: RequestContext, kind: str, resource_arn: str
    ) -> tuple[ForecastResource, bytes]:
        with self.db.reading(ctx.scope) as session:
            row = find(session, kind, resource_arn)
            return row, _payload(session, row)

    def page(
        self,
        ctx: RequestContext,
        kind: str,
        params: dict[str, Any],
        listing: str,
        filter_keys: tuple[str, ...] = (),
    ) -> Page[ForecastResource]:
        """Newest first, narrowed by the operation's Filters."""
        filters = params.get("Filters") or []
        query = resources.listing_query(kind, filters, filter_keys)
        newest_first = Listing(listing, (ForecastResource.id,), filters, descending=True)
        limit = params.get("MaxResults") or resources.DEFAULT_PAGE_SIZE
        with self.db.reading(ctx.scope) as session:
            return self.paginator.page(session, query, newest_first, limit, params.get("NextToken"))


def _release_group(session: Session, group: ForecastResource) -> None:
    predictors = resources.children(session, group.arn, ("predictor",))
    if predictors:
        raise ResourceInUseException(
            f"{len(predictors)} predictor(s) use this dataset group; delete them first."
        )


def _release_dataset(session: Session, dataset: ForecastResource) -> None:
    """Delete its imports (none may be running) and take it out of its dataset groups."""
    imports = resources.children(session, dataset.arn, ("import_job",))
    for job in imports:
        refuse_if_pending(job)
    for job in imports:
        session.delete(job)
    groups = session.scalars(select(ForecastResource).filter_by(kind="dataset_group"))
    for group in groups:
        members = group.details.get("DatasetArns", [])
        if dataset.arn in members:
            group.details = {
                **group.details,
                "DatasetArns": [m for m in members if m != dataset.arn],
            }


def _release_job(session: Session, row: ForecastResource) -> None:
    refuse_if_pending(row)
    dependants = DEPENDANTS.get(row.kind, ())
    if dependants and resources.children(session, row.arn, dependants):
        names = " and ".join(resources.KINDS[d].title + "s" for d in dependants)
        raise ResourceInUseException(f"Delete the {names} made from {row.arn} first.")


# Before a resource is deleted: what must hold, and what goes with it (jobs: _release_job).
_RELEASES: dict[str, Callable[[Session, ForecastResource], None]] = {
    "dataset_group": _release_group,
    "dataset": _release_dataset,
}


def _active(session: Session, kind: str, resource_arn: str) -> ForecastResource:
    """The resource a new one is made from, which must be ACTIVE."""
    row = find(session, kind, resource_arn)
    if row.status != "ACTIVE":
        title = resources.KINDS[kind].title
        raise ResourceInUseException(f"The {title} {resource_arn} is {row.status}, not ACTIVE.")
    return row


def _check_members(session: Session, domain: str, dataset_arns: list[str]) -> None:
    types: set[str] = set()
    for dataset_arn in dataset_arns:
        dataset = find(session, "dataset", dataset_arn)
        if dataset.request["Domain"] != domain:
            raise InvalidInputException(
                f"{dataset_arn} is in the {dataset.request['Domain']} domain, not {domain}."
            )
        kind = dataset.request["DatasetType"]
        if kind in types:
            raise InvalidInputException(f"A dataset group holds at most one {kind} dataset.")
        types.add(kind)


def _check_schema(domain: str, dataset_type: str, attributes: list[dict[str, str]]) -> None:
    if not attributes:
        raise InvalidInputException("The schema needs at least one attribute.")
    if any("AttributeName" not in a or "AttributeType" not in a for a in attributes):
        raise InvalidInputException(
            "Each schema attribute needs an AttributeName and an AttributeType."
        )
    problem = schema_problem(domain, dataset_type, attributes)
    if problem:
        raise InvalidInputException(problem)


def _check_predictor(
    params: dict[str, Any], details: dict[str, Any], horizon: int, frequency_name: str
) -> None:
    """What a predictor's request must satisfy before its data is looked at."""
    check_frequency(frequency_name, "ForecastFrequency")
    check_forecast_types(params.get("ForecastTypes") or DEFAULT_TYPES)
    dimensions = details["dimensions"]
    if len(set(dimensions)) != len(dimensions):
        raise InvalidInputException("ForecastDimensions names an attribute more than once.")
    if params.get("EncryptionConfig"):
        raise InvalidInputException("EncryptionConfig is not supported by this server.")
    if horizon < 1:
        raise InvalidInputException("ForecastHorizon must be at least 1.")
    if details["offset"] < horizon:
        raise InvalidInputException("BackTestWindowOffset must be at least ForecastHorizon.")


def _check_import(params: dict[str, Any]) -> None:
    if params.get("Format", "CSV") != "CSV":
        raise InvalidInputException("Only CSV data can be imported by this server.")
    if params.get("ImportMode", "FULL") != "FULL":
        raise InvalidInputException("Only ImportMode FULL is supported by this server.")
    for unsupported in ("TimeZone", "UseGeolocationForTimeZone", "GeolocationFormat"):
        if params.get(unsupported):
            raise InvalidInputException(f"{unsupported} is not supported by this server.")
    try:
        parse_s3_uri(params["DataSource"]["S3Config"]["Path"])
    except InvalidBlobKey as error:
        raise InvalidInputException(str(error)) from None
    if params.get("TimestampFormat"):
        try:
            timestamps.strptime_format(params["TimestampFormat"])
        except timestamps.BadTimestampFormat as error:
            raise InvalidInputException(str(error)) from None


def _auto_plan(params: dict[str, Any]) -> dict[str, Any]:
    """CreateAutoPredictor: the predictor's details, with its horizon and frequency."""
    horizon = params.get("ForecastHorizon")
    frequency_name = params.get("ForecastFrequency")
    group_arn = (params.get("DataConfig") or {}).get("DatasetGroupArn")
    if params.get("ReferencePredictorArn"):
        raise InvalidInputException(
            "Retraining from ReferencePredictorArn is not supported by this server."
        )
    if horizon is None or frequency_name is None or group_arn is None:
        raise InvalidInputException(
            "ForecastHorizon, ForecastFrequency and DataConfig are required."
        )
    return {
        "horizon": horizon,
        "frequency": frequency_name,
        "auto": True,
        "algorithms": list(ALGORITHMS),
        "windows": 1,
        "offset": horizon,
        "links": {"DatasetGroupArn": group_arn},
        "dimensions": list(params.get("ForecastDimensions") or []),
    }


def _predictor_plan(params: dict[str, Any]) -> dict[str, Any]:
    """CreatePredictor: the predictor's details, with its horizon and frequency."""
    horizon = params["ForecastHorizon"]
    featurization = params["FeaturizationConfig"]
    algorithms = _algorithms(params)
    evaluation = params.get("EvaluationParameters") or {}
    windows = evaluation.get("NumberOfBacktestWindows", 1)
    if not 1 <= windows <= 5:
        raise InvalidInputException("NumberOfBacktestWindows must be between 1 and 5.")
    return {
        "horizon": horizon,
        "frequency": featurization["ForecastFrequency"],
        "auto": False,
        "algorithms": algorithms,
        "windows": windows,
        "offset": evaluation.get("BackTestWindowOffset", horizon),
        "links": {"DatasetGroupArn": params["InputDataConfig"]["DatasetGroupArn"]},
        "dimensions": list(featurization.get("ForecastDimensions") or []),
    }


def _algorithms(params: dict[str, Any]) -> list[str]:
    if params.get("PerformHPO"):
        raise InvalidInputException("PerformHPO is not supported by this server.")
    if params.get("PerformAutoML"):
        if params.get("AlgorithmArn"):
            raise InvalidInputException("Specify AlgorithmArn or PerformAutoML, not both.")
        return list(ALGORITHMS)
    chosen = params.get("AlgorithmArn")
    if not chosen:
        raise InvalidInputException("Specify AlgorithmArn, or set PerformAutoML to true.")
    if not chosen.startswith(ALGORITHM_ARN):
        raise InvalidInputException(f"{chosen} is not an algorithm ARN.")
    name = chosen[len(ALGORITHM_ARN) :]
    if name in UNSUPPORTED_ALGORITHMS:
        raise InvalidInputException(f"The algorithm {name} is not available on this server.")
    if name not in ALGORITHMS:
        raise InvalidInputException(
            f"Unknown algorithm {name}; use one of {', '.join(ALGORITHMS)}."
        )
    return [name]


def _target_import(session: Session, group: ForecastResource) -> ForecastResource:
    """The latest ACTIVE import of the group's TARGET_TIME_SERIES dataset."""
    found = _latest_import(session, group, "TARGET_TIME_SERIES")
    if found is None:
        raise InvalidInputException(
            f"The dataset group {group.arn} has no TARGET_TIME_SERIES dataset."
        )
    return found


def _latest_import(
    session: Session, group: ForecastResource, dataset_type: str
) -> ForecastResource | None:
    """The latest ACTIVE import of the group's dataset of that type; None when the group has
    no such dataset."""
    for dataset_arn in group.details.get("DatasetArns", []):
        dataset = find(session, "dataset", dataset_arn)
        if dataset.request["DatasetType"] != dataset_type:
            continue
        imports = sorted(
            resources.children(session, dataset_arn, ("import_job",)), key=lambda r: r.id
        )
        active = [job for job in imports if job.status == "ACTIVE"]
        if active:
            return active[-1]
        if any(job.status in resources.PENDING for job in imports):
            raise ResourceInUseException(f"The import into {dataset_arn} has not finished yet.")
        raise InvalidInputException(f"The dataset {dataset_arn} has no successful import.")
    return None


def _predictor_panel(session: Session, target: ForecastResource, dimensions: list[str]) -> Panel:
    """The target data grouped by the predictor's ForecastDimensions."""
    panel = Panel.from_bytes(_payload(session, target))
    unknown = [name for name in dimensions if name not in panel.dimensions]
    if unknown:
        raise InvalidInputException(
            f"ForecastDimensions {unknown} are not string attributes of the target "
            "time series dataset besides the item identifier; available: "
            f"{list(panel.dimensions) or 'none'}."
        )
    try:
        return panel.grouped(dimensions)
    except ValueError as error:
        raise InvalidInputException(str(error)) from None


def _check_horizon(
    panel: Panel, frequency_name: str, horizon: int, details: dict[str, Any]
) -> None:
    auto, windows, offset = details["auto"], details["windows"], details["offset"]
    if frequency_name != panel.frequency:
        raise InvalidInputException(
            f"ForecastFrequency {frequency_name} differs from the data's frequency "
            f"{panel.frequency}; aggregating to another frequency is not supported."
        )
    longest = max(len(series) for series in panel.values)
    # AWS: the lesser of 500 and a third (AutoPredictor) or a quarter of the data length.
    limit = min(MAX_HORIZON, longest // (3 if auto else 4))
    if horizon > limit:
        raise InvalidInputException(
            f"ForecastHorizon {horizon} is too long for this data: the limit is {limit} "
            f"(the lesser of {MAX_HORIZON} and 1/{3 if auto else 4} of the longest series, "
            f"{longest} points)."
        )
    if longest - offset - (windows - 1) * horizon < MIN_TRAINING_POINTS:
        raise InvalidInputException("The series are too short for the requested backtest windows.")


def _payload(session: Session, row: ForecastResource) -> bytes:
    data = session.scalar(select(ForecastResource.payload).where(ForecastResource.id == row.id))
    if data is None:
        raise ResourceInUseException(f"{row.arn} holds no data yet.")
    return data


def _without(params: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in params.items() if key not in keys}
