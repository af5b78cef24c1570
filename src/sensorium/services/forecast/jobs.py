"""The asynchronous steps: import, train (predictor), forecast, export.

A resource is CREATE_PENDING when created, CREATE_IN_PROGRESS while a worker holds it, then
ACTIVE or CREATE_FAILED with a Message. After a restart, interrupted steps are retried once
and then failed; pending ones are queued again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select, update

from sensorium.blobs import BlobStore, parse_s3_uri
from sensorium.errors import BlobError, BlobNotFound
from sensorium.models.forecasting import evaluation
from sensorium.models.forecasting.algorithms import (
    configured_training_steps,
    forecast_plan,
    make,
)
from sensorium.models.forecasting.frequency import frequency
from sensorium.models.forecasting.prediction import LEVELS, Prediction
from sensorium.services.forecast import importing, resources
from sensorium.services.forecast import related as related_series
from sensorium.services.forecast.panel import (
    Panel,
    dimension_arrays,
    load_arrays,
    read_dimensions,
    related_from_bytes,
    related_to_bytes,
    save_arrays,
)
from sensorium.services.forecast.tables import ForecastResource
from sensorium.storage.database import Database

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2
MAX_IMPORT_BYTES = 1024**3
STEPS_PER_EPOCH = 20  # DeepAR's "epochs" training parameter, in gradient steps
AUTO_PLAN = "AutoPredictor"  # the evaluations key of an AutoPredictor's own (per-item) backtest


class JobFailed(Exception):
    """The step cannot complete; the message becomes the resource's Message."""


@dataclass
class Outcome:
    details: dict[str, Any]
    payload: bytes | None = None


class JobRunner:
    def __init__(
        self, db: Database, blobs: BlobStore, submit: Callable[[int], Any], device: str
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.submit = submit
        self.device = device
        self.deepar_steps = configured_training_steps()

    def recover(self) -> None:
        with self.db.transaction() as session:
            interrupted = session.scalars(
                select(ForecastResource).where(ForecastResource.status == "CREATE_IN_PROGRESS")
            )
            for row in interrupted:
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = "CREATE_FAILED"
                    row.message = (
                        f"The server stopped while this step ran, {row.attempts} times; it was "
                        "not retried again."
                    )
                else:
                    row.status = "CREATE_PENDING"
                row.modified_at = resources.now()
            pending = list(
                session.scalars(
                    select(ForecastResource.id)
                    .where(ForecastResource.status == "CREATE_PENDING")
                    .order_by(ForecastResource.id)
                )
            )
        for resource_id in pending:
            self.submit(resource_id)
        if pending:
            log.info("forecast: resumed %d pending steps", len(pending))

    def run(self, resource_id: int) -> None:
        with self.db.transaction() as session:
            row = session.get(ForecastResource, resource_id)
            if row is None or row.status != "CREATE_PENDING":
                return
            row.status = "CREATE_IN_PROGRESS"
            row.attempts += 1
            row.modified_at = resources.now()
            attempt = row.attempts
        steps = {
            "import_job": self._import,
            "predictor": self._train,
            "forecast": self._forecast,
            "export_job": self._export,
        }
        try:
            outcome = steps[row.kind](row)
        except JobFailed as failure:
            self._finish(resource_id, attempt, failure=str(failure))
        except Exception as error:
            log.exception("forecast step %s failed unexpectedly", row.arn)
            self._finish(resource_id, attempt, failure=f"Internal error: {type(error).__name__}")
        else:
            self._finish(resource_id, attempt, outcome=outcome)

    def _finish(
        self,
        resource_id: int,
        attempt: int,
        *,
        outcome: Outcome | None = None,
        failure: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"modified_at": resources.now()}
        if failure is not None:
            values.update(status="CREATE_FAILED", message=failure)
        else:
            assert outcome is not None
            values.update(status="ACTIVE", payload=outcome.payload)
        with self.db.transaction() as session:
            if outcome is not None:
                row = session.get(ForecastResource, resource_id)
                if row is None:
                    return
                values["details"] = {**row.details, **outcome.details}
            session.execute(
                update(ForecastResource)
                .where(
                    ForecastResource.id == resource_id,
                    ForecastResource.status == "CREATE_IN_PROGRESS",
                    ForecastResource.attempts == attempt,
                )
                .values(**values)
            )

    def _related(
        self, row: ForecastResource, kind: str, arn: str
    ) -> tuple[ForecastResource, bytes | None]:
        with self.db.reading() as session:
            related = session.scalar(
                select(ForecastResource).filter_by(
                    account_id=row.account_id, region=row.region, kind=kind, arn=arn
                )
            )
            if related is None:
                raise JobFailed(f"The {resources.KINDS[kind][1]} {arn} was deleted.")
            data = session.scalar(
                select(ForecastResource.payload).where(ForecastResource.id == related.id)
            )
            return related, data

    # Import

    def _import(self, row: ForecastResource) -> Outcome:
        dataset, _ = self._related(row, "dataset", row.details["links"]["DatasetArn"])
        path = row.request["DataSource"]["S3Config"]["Path"]
        data = self._read(path)
        schema = dataset.request["Schema"]["Attributes"]
        try:
            kind = dataset.request["DatasetType"]
            if kind in ("TARGET_TIME_SERIES", "RELATED_TIME_SERIES"):
                panels, statistics = importing.parse_series_csv(
                    data,
                    dataset.request["Domain"],
                    kind,
                    schema,
                    dataset.request["DataFrequency"],
                    row.request.get("TimestampFormat"),
                )
                payload: bytes | None = (
                    next(iter(panels.values())).to_bytes()
                    if kind == "TARGET_TIME_SERIES"
                    else related_to_bytes(panels)
                )
            else:
                statistics, payload = importing.validate_csv(data, schema), None
        except importing.ImportFailed as failure:
            raise JobFailed(str(failure)) from None
        return Outcome({"FieldStatistics": statistics, "DataSize": len(data) / 1024**3}, payload)

    def _read(self, path: str) -> bytes:
        try:
            bucket, key = parse_s3_uri(path)
            return self.blobs.read(bucket, key, max_bytes=MAX_IMPORT_BYTES)
        except BlobNotFound:
            raise JobFailed(
                f"The S3 path {path} does not point to an object. Make sure it exists."
            ) from None
        except BlobError as error:
            raise JobFailed(f"The data at {path} cannot be read: {error}") from None

    # Predictor

    def _train(self, row: ForecastResource) -> Outcome:
        _, data = self._related(row, "import_job", row.details["import_arn"])
        if data is None:
            raise JobFailed("The dataset import holds no data.")
        try:
            panel = Panel.from_bytes(data).grouped(row.details.get("dimensions", []))
        except (KeyError, ValueError) as error:
            raise JobFailed(f"The data cannot be grouped by ForecastDimensions: {error}") from None
        request = row.request
        horizon = int(request["ForecastHorizon"])
        types = request.get("ForecastTypes") or ["0.1", "0.5", "0.9"]
        quantiles = [float(kind) for kind in types if kind != "mean"]
        season = frequency(panel.frequency).season
        histories = panel.filled()
        related = self._covariates(row, panel, horizon)
        metric = request.get("OptimizationMetric") or "AverageWeightedQuantileLoss"
        steps = self._deepar_steps(request)
        windows_count, offset = row.details["windows"], row.details["offset"]
        results: dict[str, list[evaluation.Window]] = {}
        failures: dict[str, str] = {}
        for name in row.details["algorithms"]:
            forecaster = make(name, self.device, steps)
            try:
                results[name] = evaluation.backtest(
                    forecaster, histories, horizon, season, windows_count, offset, 0, related
                )
            except (ValueError, FloatingPointError, RuntimeError) as error:
                failures[name] = str(error)
        if not results:
            raise JobFailed(f"No algorithm could be trained: {failures}")
        if len(results) > 1:
            auto = bool(row.details.get("auto"))
            if auto:
                choice = evaluation.choose(results, metric, quantiles, types, len(histories))
            else:  # CreatePredictor's PerformAutoML: one winning algorithm for every item
                choice = evaluation.choose(
                    results, metric, quantiles, types, len(histories), 1.0, pairs=False
                )
            plan, reason = choice.plan, choice.reason
            evaluations = (
                {AUTO_PLAN: _evaluation(panel, choice.windows, quantiles, types, horizon)}
                if auto
                else {}
            )
            chosen = list(choice.algorithms)
        else:
            (name,) = results
            plan, reason, evaluations = (
                [(name,)] * len(histories),
                f"Trained {name} as requested.",
                {},
            )
            chosen = [name]
        predictions = forecast_plan(
            plan, histories, horizon, season, lambda name: make(name, self.device, steps), related
        )
        evaluations.update(
            (name, _evaluation(panel, windows, quantiles, types, horizon))
            for name, windows in results.items()
        )
        details = {
            "chosen": chosen,
            "reason": reason,
            "metric": metric,
            "evaluations": evaluations,
            "failures": failures,
            "frequency": panel.frequency,
        }
        return Outcome(details, _distribution(panel, predictions))

    def _covariates(
        self, row: ForecastResource, panel: Panel, horizon: int
    ) -> list[np.ndarray] | None:
        """The related time series, aligned to each target series and its horizon."""
        arn = row.details.get("related_import_arn")
        if arn is None:
            return None
        _, data = self._related(row, "import_job", arn)
        if data is None:
            raise JobFailed("The related time series import holds no data.")
        try:
            return related_series.covariates(panel, related_from_bytes(data), horizon)
        except related_series.RelatedDataProblem as problem:
            raise JobFailed(str(problem)) from None

    def _deepar_steps(self, request: dict[str, Any]) -> int | None:
        epochs = (request.get("TrainingParameters") or {}).get("epochs")
        if epochs is not None:
            try:
                return max(1, int(epochs)) * STEPS_PER_EPOCH
            except ValueError:
                raise JobFailed(f"TrainingParameters epochs {epochs!r} is not a number.") from None
        return self.deepar_steps

    # Forecast and export

    def _forecast(self, row: ForecastResource) -> Outcome:
        predictor, data = self._related(row, "predictor", row.request["PredictorArn"])
        if data is None:
            raise JobFailed("The predictor holds no model output.")
        stored = load_arrays(data)
        types = (
            row.request.get("ForecastTypes")
            or predictor.request.get("ForecastTypes")
            or [
                "0.1",
                "0.5",
                "0.9",
            ]
        )
        arrays: dict[str, Any] = {
            key: stored[key]
            for key in ("items", "starts", "dimension_names", "dimension_values")
            if key in stored
        }
        for kind in types:
            if kind == "mean":
                arrays["mean"] = stored["mean"]
            else:
                index = int(np.argmin(np.abs(LEVELS - float(kind))))
                arrays[f"q{kind}"] = stored["quantiles"][:, index, :]
        details = {"types": list(types), "frequency": predictor.details["frequency"]}
        return Outcome(details, save_arrays(**arrays))

    def _export(self, row: ForecastResource) -> Outcome:
        forecast, data = self._related(row, "forecast", row.request["ForecastArn"])
        if data is None:
            raise JobFailed("The forecast holds no data.")
        table = ForecastTable.load(data, forecast.details)
        group, _ = self._related(row, "dataset_group", forecast.details["links"]["DatasetGroupArn"])
        identifier = importing.DOMAIN_FIELDS[group.request["Domain"]][0]
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([identifier, *table.dimensions, "date", *table.labels])
        for index, item in enumerate(table.items):
            series = [item, *(values[index] for values in table.dimensions.values())]
            for step, moment in enumerate(table.timestamps(index)):
                cells = [repr(float(table.values[kind][index, step])) for kind in table.types]
                writer.writerow([*series, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), *cells])
        path = row.request["Destination"]["S3Config"]["Path"]
        bucket, _, prefix = path[len("s3://") :].partition("/")
        stamp = resources.now().strftime("%Y-%m-%d-%H-%M-%S")
        key = f"{prefix.rstrip('/')}/" if prefix.strip("/") else ""
        key += f"{row.name}_{stamp}_part0.csv"
        try:
            self.blobs.write(bucket, key, text.getvalue().encode())
        except BlobError as error:
            raise JobFailed(
                f"The export cannot be written to s3://{bucket}/{key}: {error}"
            ) from None
        return Outcome({"files": [f"s3://{bucket}/{key}"]})


@dataclass
class ForecastTable:
    """A forecast's stored values: per type, an (items, horizon) array."""

    items: list[str]
    starts: list[dt.datetime]
    types: list[str]
    values: dict[str, Any]
    frequency: str
    dimensions: dict[str, list[str]]  # ForecastDimensions -> each series' value

    @classmethod
    def load(cls, data: bytes, details: dict[str, Any]) -> ForecastTable:
        stored = load_arrays(data)
        types = list(details["types"])
        return cls(
            [str(item) for item in stored["items"]],
            [dt.datetime.fromisoformat(str(start)) for start in stored["starts"]],
            types,
            {kind: stored["mean" if kind == "mean" else f"q{kind}"] for kind in types},
            details["frequency"],
            read_dimensions(stored),
        )

    @property
    def labels(self) -> list[str]:
        return [statistic(kind) for kind in self.types]

    def timestamps(self, index: int) -> list[dt.datetime]:
        horizon = self.values[self.types[0]].shape[1]
        return frequency(self.frequency).timestamps(self.starts[index], horizon)


def statistic(kind: str) -> str:
    """QueryForecast's name for a forecast type: "mean", or "p10" for 0.1."""
    return "mean" if kind == "mean" else f"p{round(float(kind) * 100)}"


def _distribution(panel: Panel, predictions: list[Prediction]) -> bytes:
    return save_arrays(
        items=np.array(panel.items, dtype=str),
        starts=np.array([panel.end(i).isoformat() for i in range(len(panel.items))], dtype=str),
        mean=np.array([p.mean for p in predictions]),
        quantiles=np.array([p.quantiles for p in predictions]),
        **dimension_arrays(panel.dimensions),
    )


def _evaluation(
    panel: Panel,
    windows: list[evaluation.Window],
    quantiles: list[float],
    types: list[str],
    horizon: int,
) -> dict[str, Any]:
    """GetAccuracyMetrics' TestWindows for one algorithm (timestamps as ISO strings)."""
    grid = frequency(panel.frequency)
    latest = max(range(len(panel.items)), key=panel.end)
    length = len(panel.values[latest])
    computed = []
    scores = []
    for window in windows:
        if not window.items:
            continue
        score = evaluation.score(window, quantiles, types)
        scores.append(score)
        end = grid.advance(panel.starts[latest], length - window.end_offset)
        computed.append(
            {
                "TestWindowStart": grid.advance(end, -horizon).isoformat(),
                "TestWindowEnd": end.isoformat(),
                "ItemCount": len(window.items),
                "EvaluationType": "COMPUTED",
                "Metrics": _metrics(score),
            }
        )
    summary = {
        "EvaluationType": "SUMMARY",
        "ItemCount": max((len(w.items) for w in windows), default=0),
        "Metrics": _metrics(evaluation.summary(scores)),
    }
    return {"TestWindows": [summary, *computed]}


def _metrics(score: evaluation.Scores) -> dict[str, Any]:
    return {
        "RMSE": score.rmse,
        "WeightedQuantileLosses": [
            {"Quantile": tau, "LossValue": loss}
            for tau, loss in sorted(score.weighted_quantile_losses.items())
        ],
        "ErrorMetrics": [
            {"ForecastType": kind, **{k: v for k, v in values.items() if np.isfinite(v)}}
            for kind, values in score.error_metrics.items()
        ],
        "AverageWeightedQuantileLoss": score.average_weighted_quantile_loss,
    }
