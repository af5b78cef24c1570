"""Forecast and ForecastQuery operations: modelled input dict in, modelled output dict out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sensorium.context import RequestContext
from sensorium.operations import Handler, OperationRegistry, Params
from sensorium.services.forecast import timestamps
from sensorium.services.forecast.errors import (
    InvalidInputException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from sensorium.services.forecast.jobs import AUTO_PLAN, ForecastTable, statistic
from sensorium.services.forecast.service import (
    DEFAULT_FORECAST_TYPES,
    ForecastService,
    algorithm_arn,
)
from sensorium.services.forecast.tables import ForecastResource
from sensorium.storage.owned import aware

SERVICE = "forecast"
QUERY_SERVICE = "forecastquery"


def register(registry: OperationRegistry, service: ForecastService) -> None:
    def op(name: str) -> Callable[[Handler], Handler]:
        return registry.handler(SERVICE, name)

    def listing(
        ctx: RequestContext,
        params: Params,
        kind: str,
        key: str,
        fmt: Callable[[ForecastResource], Params],
        filters: tuple[str, ...] = (),
    ) -> Params:
        page = service.page(ctx, kind, params, f"List{key}", filters)
        return page.output(key, fmt)

    @op("CreateDatasetGroup")
    def create_dataset_group(ctx: RequestContext, params: Params) -> Params:
        return {"DatasetGroupArn": service.create_dataset_group(ctx, params)}

    @op("DescribeDatasetGroup")
    def describe_dataset_group(ctx: RequestContext, params: Params) -> Params:
        row = service.get(ctx, "dataset_group", params["DatasetGroupArn"])
        return {
            "DatasetGroupName": row.name,
            "DatasetGroupArn": row.arn,
            "DatasetArns": row.details.get("DatasetArns", []),
            "Domain": row.request["Domain"],
            **_status(row),
        }

    @op("ListDatasetGroups")
    def list_dataset_groups(ctx: RequestContext, params: Params) -> Params:
        def fmt(row: ForecastResource) -> Params:
            return {"DatasetGroupArn": row.arn, "DatasetGroupName": row.name, **_times(row)}

        return listing(ctx, params, "dataset_group", "DatasetGroups", fmt)

    @op("UpdateDatasetGroup")
    def update_dataset_group(ctx: RequestContext, params: Params) -> Params:
        service.update_dataset_group(ctx, params)
        return {}

    @op("DeleteDatasetGroup")
    def delete_dataset_group(ctx: RequestContext, params: Params) -> Params:
        service.delete_dataset_group(ctx, params["DatasetGroupArn"])
        return {}

    @op("CreateDataset")
    def create_dataset(ctx: RequestContext, params: Params) -> Params:
        return {"DatasetArn": service.create_dataset(ctx, params)}

    @op("DescribeDataset")
    def describe_dataset(ctx: RequestContext, params: Params) -> Params:
        row = service.get(ctx, "dataset", params["DatasetArn"])
        return {"DatasetArn": row.arn, "DatasetName": row.name, **row.request, **_status(row)}

    @op("ListDatasets")
    def list_datasets(ctx: RequestContext, params: Params) -> Params:
        def fmt(row: ForecastResource) -> Params:
            return {
                "DatasetArn": row.arn,
                "DatasetName": row.name,
                "DatasetType": row.request["DatasetType"],
                "Domain": row.request["Domain"],
                **_times(row),
            }

        return listing(ctx, params, "dataset", "Datasets", fmt)

    @op("DeleteDataset")
    def delete_dataset(ctx: RequestContext, params: Params) -> Params:
        service.delete_dataset(ctx, params["DatasetArn"])
        return {}

    @op("CreateDatasetImportJob")
    def create_dataset_import_job(ctx: RequestContext, params: Params) -> Params:
        return {"DatasetImportJobArn": service.create_import_job(ctx, params)}

    @op("DescribeDatasetImportJob")
    def describe_dataset_import_job(ctx: RequestContext, params: Params) -> Params:
        row = service.get(ctx, "import_job", params["DatasetImportJobArn"])
        result = {
            "DatasetImportJobName": row.name,
            "DatasetImportJobArn": row.arn,
            "DatasetArn": row.details["links"]["DatasetArn"],
            "DataSource": row.request["DataSource"],
            "Format": row.request.get("Format", "CSV"),
            "ImportMode": row.request.get("ImportMode", "FULL"),
            **_status(row),
        }
        if row.request.get("TimestampFormat"):
            result["TimestampFormat"] = row.request["TimestampFormat"]
        for key in ("FieldStatistics", "DataSize"):
            if key in row.details:
                result[key] = row.details[key]
        return result

    @op("ListDatasetImportJobs")
    def list_dataset_import_jobs(ctx: RequestContext, params: Params) -> Params:
        def fmt(row: ForecastResource) -> Params:
            return {
                "DatasetImportJobArn": row.arn,
                "DatasetImportJobName": row.name,
                "DataSource": row.request["DataSource"],
                "ImportMode": row.request.get("ImportMode", "FULL"),
                **_status(row),
            }

        return listing(ctx, params, "import_job", "DatasetImportJobs", fmt, ("DatasetArn",))

    @op("DeleteDatasetImportJob")
    def delete_dataset_import_job(ctx: RequestContext, params: Params) -> Params:
        service.delete_job(ctx, "import_job", params["DatasetImportJobArn"])
        return {}

    @op("CreateAutoPredictor")
    def create_auto_predictor(ctx: RequestContext, params: Params) -> Params:
        return {"PredictorArn": service.create_predictor(ctx, params, auto=True)}

    @op("CreatePredictor")
    def create_predictor(ctx: RequestContext, params: Params) -> Params:
        return {"PredictorArn": service.create_predictor(ctx, params, auto=False)}

    @op("DescribeAutoPredictor")
    def describe_auto_predictor(ctx: RequestContext, params: Params) -> Params:
        row = _predictor(service, ctx, params["PredictorArn"], auto=True)
        request = row.request
        return {
            "PredictorArn": row.arn,
            "PredictorName": row.name,
            "ForecastHorizon": request["ForecastHorizon"],
            "ForecastTypes": request.get("ForecastTypes") or DEFAULT_FORECAST_TYPES,
            "ForecastFrequency": request["ForecastFrequency"],
            **({"ForecastDimensions": dims} if (dims := request.get("ForecastDimensions")) else {}),
            "DatasetImportJobArns": [row.details["import_arn"]],
            "DataConfig": request["DataConfig"],
            "OptimizationMetric": request.get("OptimizationMetric", "AverageWeightedQuantileLoss"),
            **_status(row, explain=True),
        }

    @op("DescribePredictor")
    def describe_predictor(ctx: RequestContext, params: Params) -> Params:
        row = _predictor(service, ctx, params["PredictorArn"], auto=False)
        request = row.request
        result = {
            "PredictorArn": row.arn,
            "PredictorName": row.name,
            "ForecastHorizon": request["ForecastHorizon"],
            "ForecastTypes": request.get("ForecastTypes") or DEFAULT_FORECAST_TYPES,
            "PerformAutoML": bool(request.get("PerformAutoML")),
            "PerformHPO": False,
            "InputDataConfig": request["InputDataConfig"],
            "FeaturizationConfig": request["FeaturizationConfig"],
            "EvaluationParameters": {
                "NumberOfBacktestWindows": row.details["windows"],
                "BackTestWindowOffset": row.details["offset"],
            },
            "IsAutoPredictor": False,
            "DatasetImportJobArns": [row.details["import_arn"]],
            "OptimizationMetric": request.get("OptimizationMetric", "AverageWeightedQuantileLoss"),
            **_status(row, explain=True),
        }
        for key in ("AlgorithmArn", "TrainingParameters", "AutoMLOverrideStrategy"):
            if key in request:
                result[key] = request[key]
        if request.get("PerformAutoML"):
            chosen = row.details.get("chosen")
            result["AutoMLAlgorithmArns"] = [
                algorithm_arn(n) for n in chosen or row.details["algorithms"]
            ]
        return result

    @op("ListPredictors")
    def list_predictors(ctx: RequestContext, params: Params) -> Params:
        def fmt(row: ForecastResource) -> Params:
            return {
                "PredictorArn": row.arn,
                "PredictorName": row.name,
                "DatasetGroupArn": row.details["links"]["DatasetGroupArn"],
                "IsAutoPredictor": bool(row.details.get("auto")),
                **_status(row),
            }

        return listing(ctx, params, "predictor", "Predictors", fmt, ("DatasetGroupArn",))

    @op("DeletePredictor")
    def delete_predictor(ctx: RequestContext, params: Params) -> Params:
        service.delete_job(ctx, "predictor", params["PredictorArn"])
        return {}

    @op("GetAccuracyMetrics")
    def get_accuracy_metrics(ctx: RequestContext, params: Params) -> Params:
        row = service.get(ctx, "predictor", params["PredictorArn"])
        if row.status != "ACTIVE":
            raise ResourceInUseException(
                f"The predictor is {row.status}; metrics exist once it is ACTIVE."
            )
        evaluations: dict[str, Any] = row.details["evaluations"]
        auto = bool(row.details.get("auto"))
        # The predictor's own backtest first (for a per-item plan it has no single
        # algorithm), then every algorithm it evaluated.
        results = []
        for name, evaluated in sorted(evaluations.items(), key=lambda kv: kv[0] != AUTO_PLAN):
            result: dict[str, Any] = {
                "TestWindows": [
                    {**window, **_window_times(window)} for window in evaluated["TestWindows"]
                ]
            }
            if name != AUTO_PLAN:
                result["AlgorithmArn"] = algorithm_arn(name)
            results.append(result)
        return {
            "PredictorEvaluationResults": results,
            "IsAutoPredictor": auto,
            "OptimizationMetric": row.details["metric"],
        }

    @op("CreateForecast")
    def create_forecast(ctx: RequestContext, params: Params) -> Params:
        return {"ForecastArn": service.create_forecast(ctx, params)}

    @op("DescribeForecast")
    def describe_forecast(ctx: RequestContext, params: Params) -> Params:
        row = service.get(ctx, "forecast", params["ForecastArn"])
        return {
            "ForecastArn": row.arn,
            "ForecastName": row.name,
            "ForecastTypes": row.details.get("types")
            or row.request.get("ForecastTypes")
            or DEFAULT_FORECAST_TYPES,
            "PredictorArn": row.request["PredictorArn"],
            "DatasetGroupArn": row.details["links"]["DatasetGroupArn"],
            **_status(row),
        }

    @op("ListForecasts")
    def list_forecasts(ctx: RequestContext, params: Params) -> Params:
        def fmt(row: ForecastResource) -> Params:
            return {
                "ForecastArn": row.arn,
                "ForecastName": row.name,
                "PredictorArn": row.request["PredictorArn"],
                "DatasetGroupArn": row.details["links"]["DatasetGroupArn"],
                **_status(row),
            }

        return listing(
            ctx, params, "forecast", "Forecasts", fmt, ("DatasetGroupArn", "PredictorArn")
        )

    @op("DeleteForecast")
    def delete_forecast(ctx: RequestContext, params: Params) -> Params:
        service.delete_job(ctx, "forecast", params["ForecastArn"])
        return {}

    @op("CreateForecastExportJob")
    def create_forecast_export_job(ctx: RequestContext, params: Params) -> Params:
        return {"ForecastExportJobArn": service.create_export_job(ctx, params)}

    @op("DescribeForecastExportJob")
    def describe_forecast_export_job(ctx: RequestContext, params: Params) -> Params:
        row = service.get(ctx, "export_job", params["ForecastExportJobArn"])
        return {
            "ForecastExportJobArn": row.arn,
            "ForecastExportJobName": row.name,
            "ForecastArn": row.request["ForecastArn"],
            "Destination": row.request["Destination"],
            "Format": row.request.get("Format", "CSV"),
            **_status(row),
        }

    @op("ListForecastExportJobs")
    def list_forecast_export_jobs(ctx: RequestContext, params: Params) -> Params:
        def fmt(row: ForecastResource) -> Params:
            return {
                "ForecastExportJobArn": row.arn,
                "ForecastExportJobName": row.name,
                "Destination": row.request["Destination"],
                **_status(row),
            }

        return listing(ctx, params, "export_job", "ForecastExportJobs", fmt, ("ForecastArn",))

    @op("DeleteForecastExportJob")
    def delete_forecast_export_job(ctx: RequestContext, params: Params) -> Params:
        service.delete_job(ctx, "export_job", params["ForecastExportJobArn"])
        return {}

    @registry.handler(QUERY_SERVICE, "QueryForecast")
    def query_forecast(ctx: RequestContext, params: Params) -> Params:
        return {"Forecast": {"Predictions": _query(service, ctx, params)}}


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
    from sensorium.services.forecast.importing import DOMAIN_FIELDS

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


def _predictor(
    service: ForecastService, ctx: RequestContext, arn: str, auto: bool
) -> ForecastResource:
    row = service.get(ctx, "predictor", arn)
    if bool(row.details.get("auto")) != auto:
        other = "DescribeAutoPredictor" if row.details.get("auto") else "DescribePredictor"
        raise InvalidInputException(f"{arn} is described by {other}.")
    return row


def _times(row: ForecastResource) -> Params:
    return {
        "CreationTime": aware(row.created_at),
        "LastModificationTime": aware(row.updated_at),
    }


def _status(row: ForecastResource, explain: bool = False) -> Params:
    result: Params = {"Status": row.status, **_times(row)}
    if row.message:
        result["Message"] = row.message
    elif explain and row.details.get("reason"):
        result["Message"] = row.details["reason"]
    return result


def _window_times(window: dict[str, Any]) -> Params:
    return {
        key: dt.datetime.fromisoformat(window[key]).replace(tzinfo=dt.UTC)
        for key in ("TestWindowStart", "TestWindowEnd")
        if key in window
    }
