"""The asynchronous steps, each a kind of job: import, train (predictor), forecast, export.

A resource is CREATE_PENDING when created, CREATE_IN_PROGRESS while a worker runs its step,
then ACTIVE or CREATE_FAILED with a Message. Retries, leases and recovery after a restart are
the job system's (``sensorium.jobs``); the hooks here mirror each change into the resource.
"""

from __future__ import annotations

import abc
import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from sensorium.blobs import Buckets, parse_s3_uri
from sensorium.errors import BlobError, BlobNotFound
from sensorium.jobs import JobFailed, JobKind, JobRow, JobSystem, RunningJob
from sensorium.models.forecasting import calibration, evaluation
from sensorium.models.forecasting.algorithms import Forecaster, forecast_plan, make
from sensorium.models.forecasting.frequency import frequency
from sensorium.models.forecasting.prediction import LEVELS, Array, Prediction
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
from sensorium.storage.owned import utcnow

MAX_IMPORT_BYTES = 1024**3
STEPS_PER_EPOCH = 20  # DeepAR's "epochs" training parameter, in gradient steps
AUTO_PLAN = "AutoPredictor"  # the evaluations key of an AutoPredictor's own (per-item) backtest
DEFAULT_TYPES = ["0.1", "0.5", "0.9"]
DEFAULT_METRIC = "AverageWeightedQuantileLoss"


@dataclass
class Outcome:
    details: dict[str, Any]
    payload: bytes | None = None


@dataclass(frozen=True)
class Workbench:
    """What every step works with."""

    db: Database
    blobs: Buckets
    device: str  # where the recurrent network trains
    deepar_steps: int | None  # its gradient steps (None: the model's default)


class Step(JobKind[Outcome]):
    """The step that settles one resource of ``resource_kind`` (the job's resource key is
    the row's id); its job kind is ``forecast.<resource_kind>``."""

    resource_kind: ClassVar[str]
    runs_network: ClassVar[bool] = False  # trains or runs the recurrent network

    def __init_subclass__(cls, *, resource_kind: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.resource_kind = resource_kind
        cls.name = f"forecast.{resource_kind}"

    def __init__(self, bench: Workbench) -> None:
        self.bench = bench

    def run(self, job: RunningJob) -> Outcome:
        with self.bench.db.reading(job.scope) as session:
            row = session.get(ForecastResource, int(job.resource))
        if row is None:
            raise JobFailed(f"The {resources.KINDS[self.resource_kind].title} was deleted.")
        return self.perform(job, row)

    @abc.abstractmethod
    def perform(self, job: RunningJob, row: ForecastResource) -> Outcome:
        """The work; ``JobFailed`` for a failure the Message explains."""

    def started(self, session: Session, job: JobRow) -> None:
        if (row := session.get(ForecastResource, int(job.resource))) is not None:
            row.status = "CREATE_IN_PROGRESS"

    def succeeded(self, session: Session, job: JobRow, outcome: Outcome) -> dict[str, Any] | None:
        if (row := session.get(ForecastResource, int(job.resource))) is not None:
            row.details = {**row.details, **outcome.details}
            row.payload = outcome.payload
            row.status = "ACTIVE"
        return None

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        if (row := session.get(ForecastResource, int(job.resource))) is not None:
            row.status = "CREATE_FAILED"
            row.message = reason

    def requeued(self, session: Session, job: JobRow) -> None:
        if (row := session.get(ForecastResource, int(job.resource))) is not None:
            row.status = "CREATE_PENDING"

    def related(self, job: RunningJob, kind: str, arn: str) -> ForecastResource:
        """A resource this one was made from."""
        return self._related(job, kind, arn)[0]

    def related_data(
        self, job: RunningJob, kind: str, arn: str, missing: str
    ) -> tuple[ForecastResource, bytes]:
        """A resource this one was made from, and its data (the job fails with ``missing``
        when it has none)."""
        found, data = self._related(job, kind, arn)
        if data is None:
            raise JobFailed(missing)
        return found, data

    def _related(
        self, job: RunningJob, kind: str, arn: str
    ) -> tuple[ForecastResource, bytes | None]:
        with self.bench.db.reading(job.scope) as session:
            found = session.scalar(select(ForecastResource).filter_by(kind=kind, arn=arn))
            if found is None:
                raise JobFailed(f"The {resources.KINDS[kind].title} {arn} was deleted.")
            data = session.scalar(
                select(ForecastResource.payload).where(ForecastResource.id == found.id)
            )
            return found, data


def register(jobs: JobSystem, bench: Workbench, gpu: bool = False) -> None:
    """``gpu``: the network was asked to run on a GPU (decided from the setting, not from
    this machine: an API node without one still routes the steps to workers with one)."""
    for step in STEPS:
        kind = step(bench)
        kind.accelerated = gpu and step.runs_network
        jobs.register(kind)


def job_kind(resource_kind: str) -> str | None:
    """The job kind that settles a new resource of ``resource_kind`` (None: ACTIVE at once)."""
    return next((step.name for step in STEPS if step.resource_kind == resource_kind), None)


class ImportStep(Step, resource_kind="import_job"):
    def perform(self, job: RunningJob, row: ForecastResource) -> Outcome:
        dataset = self.related(job, "dataset", row.details["links"]["DatasetArn"])
        data = self._read(job, row.request["DataSource"]["S3Config"]["Path"])
        try:
            statistics, payload = _parse(data, dataset.request, row.request)
        except importing.ImportFailed as failure:
            raise JobFailed(str(failure)) from None
        return Outcome({"FieldStatistics": statistics, "DataSize": len(data) / 1024**3}, payload)

    def _read(self, job: RunningJob, path: str) -> bytes:
        try:
            bucket, key = parse_s3_uri(path)
            return self.bench.blobs.read(job.scope, bucket, key, max_bytes=MAX_IMPORT_BYTES)
        except BlobNotFound:
            raise JobFailed(
                f"The S3 path {path} does not point to an object. Make sure it exists."
            ) from None
        except BlobError as error:
            raise JobFailed(f"The data at {path} cannot be read: {error}") from None


def _parse(
    data: bytes, dataset: dict[str, Any], request: dict[str, Any]
) -> tuple[dict[str, Any], bytes | None]:
    """The import's field statistics and the data kept for training (none for metadata)."""
    schema = dataset["Schema"]["Attributes"]
    kind = dataset["DatasetType"]
    if kind not in ("TARGET_TIME_SERIES", "RELATED_TIME_SERIES"):
        return importing.validate_csv(data, schema), None
    panels, statistics = importing.parse_series_csv(
        data,
        dataset["Domain"],
        kind,
        schema,
        dataset["DataFrequency"],
        request.get("TimestampFormat"),
    )
    if kind == "TARGET_TIME_SERIES":
        return statistics, next(iter(panels.values())).to_bytes()
    return statistics, related_to_bytes(panels)


@dataclass
class Training:
    """A predictor's data and settings, as every algorithm sees them."""

    panel: Panel
    histories: list[Array]
    horizon: int
    season: int
    types: list[str]
    related: list[Array] | None
    device: str
    steps: int | None

    @property
    def quantiles(self) -> list[float]:
        return [float(kind) for kind in self.types if kind != "mean"]

    def forecaster(self, name: str) -> Forecaster:
        return make(name, self.device, self.steps)

    def evaluation(self, windows: list[evaluation.Window]) -> dict[str, Any]:
        return _evaluation(self.panel, windows, self.quantiles, self.types, self.horizon)


@dataclass
class Decision:
    plan: list[tuple[str, ...]]  # per item, as ``evaluation.Choice.plan``
    reason: str
    chosen: list[str]
    evaluations: dict[str, Any]  # an AutoPredictor's own backtest, when it has one
    calibrations: dict[str, calibration.Calibration]  # by plan label ("A" or "A+B")


@dataclass
class Backtests:
    """Each algorithm's requested backtest windows, and the older ones that only calibrate
    its band widths (``evaluation.older_backtest``)."""

    requested: dict[str, list[evaluation.Window]]
    older: dict[str, list[evaluation.Window]]
    failures: dict[str, str]  # why the algorithms that failed did


class TrainStep(Step, resource_kind="predictor"):
    runs_network = True

    def perform(self, job: RunningJob, row: ForecastResource) -> Outcome:
        training = self._training(job, row)
        metric = row.request.get("OptimizationMetric") or DEFAULT_METRIC
        backtests = self._backtests(job, row, training)
        decision = _decide(row, training, backtests, metric)
        job.check()
        predictions = forecast_plan(
            decision.plan,
            training.histories,
            training.horizon,
            training.season,
            training.forecaster,
            training.related,
        )
        predictions = calibration.apply_plan(
            decision.plan, predictions, decision.calibrations, training.histories
        )
        evaluations = decision.evaluations
        evaluations.update(
            (name, training.evaluation(calibration.cross_fitted(windows, backtests.older[name])))
            for name, windows in backtests.requested.items()
        )
        details = {
            "chosen": decision.chosen,
            "reason": decision.reason,
            "metric": metric,
            "evaluations": evaluations,
            "failures": backtests.failures,
            "frequency": training.panel.frequency,
        }
        return Outcome(details, _distribution(training.panel, predictions))

    def _training(self, job: RunningJob, row: ForecastResource) -> Training:
        _, data = self.related_data(
            job, "import_job", row.details["import_arn"], "The dataset import holds no data."
        )
        try:
            panel = Panel.from_bytes(data).grouped(row.details.get("dimensions", []))
        except (KeyError, ValueError) as error:
            raise JobFailed(f"The data cannot be grouped by ForecastDimensions: {error}") from None
        horizon = int(row.request["ForecastHorizon"])
        return Training(
            panel=panel,
            histories=panel.filled(),
            horizon=horizon,
            season=frequency(panel.frequency).season,
            types=row.request.get("ForecastTypes") or DEFAULT_TYPES,
            related=self._covariates(job, row, panel, horizon),
            device=self.bench.device,
            steps=self._deepar_steps(row.request),
        )

    def _backtests(self, job: RunningJob, row: ForecastResource, training: Training) -> Backtests:
        done = Backtests({}, {}, {})
        algorithms = row.details["algorithms"]
        windows, offset = row.details["windows"], row.details["offset"]
        for count, name in enumerate(algorithms):
            job.check()
            try:
                done.requested[name] = evaluation.backtest(
                    training.forecaster(name),
                    training.histories,
                    training.horizon,
                    training.season,
                    windows,
                    offset,
                    0,
                    training.related,
                )
            except (ValueError, FloatingPointError, RuntimeError) as error:
                done.failures[name] = str(error)
            else:
                done.older[name] = self._older(training, name, windows, offset)
            job.progress((count + 1) / (len(algorithms) + 1))
        if not done.requested:
            raise JobFailed(f"No algorithm could be trained: {done.failures}")
        return done

    def _older(
        self, training: Training, name: str, windows: int, offset: int
    ) -> list[evaluation.Window]:
        """The older windows that calibrate ``name``'s band widths (none when it cannot be
        trained on that little: the requested windows calibrate it alone)."""
        try:
            return evaluation.older_backtest(
                training.forecaster(name),
                training.histories,
                training.horizon,
                training.season,
                windows,
                offset,
                0,
                training.related,
            )
        except (ValueError, FloatingPointError, RuntimeError):
            return []

    def _covariates(
        self, job: RunningJob, row: ForecastResource, panel: Panel, horizon: int
    ) -> list[Array] | None:
        """The related time series, aligned to each target series and its horizon."""
        arn = row.details.get("related_import_arn")
        if arn is None:
            return None
        _, data = self.related_data(
            job, "import_job", arn, "The related time series import holds no data."
        )
        try:
            return related_series.covariates(panel, related_from_bytes(data), horizon)
        except related_series.RelatedDataProblem as problem:
            raise JobFailed(str(problem)) from None

    def _deepar_steps(self, request: dict[str, Any]) -> int | None:
        epochs = (request.get("TrainingParameters") or {}).get("epochs")
        if epochs is None:
            return self.bench.deepar_steps
        try:
            return max(1, int(epochs)) * STEPS_PER_EPOCH
        except ValueError:
            raise JobFailed(f"TrainingParameters epochs {epochs!r} is not a number.") from None


def _decide(
    row: ForecastResource,
    training: Training,
    backtests: Backtests,
    metric: str,
) -> Decision:
    """What each item is forecast with, and its band calibration: the one algorithm trained,
    or a backtest's choice among calibrated candidates."""
    items = len(training.histories)
    results, older = backtests.requested, backtests.older
    if len(results) == 1:
        ((name, windows),) = results.items()
        fitted = {name: calibration.fit([*windows, *older[name]])}
        return Decision([(name,)] * items, f"Trained {name} as requested.", [name], {}, fitted)
    quantiles, types = training.quantiles, training.types
    if not row.details.get("auto"):  # CreatePredictor's PerformAutoML: one for every item
        choice = evaluation.choose(
            results, metric, quantiles, types, items, 1.0, False, calibrate=True, extra=older
        )
        chosen = list(choice.algorithms)
        return Decision(choice.plan, choice.reason, chosen, {}, choice.calibrations)
    choice = evaluation.choose(
        results, metric, quantiles, types, items, calibrate=True, extra=older
    )
    own = {AUTO_PLAN: training.evaluation(choice.windows)}
    return Decision(choice.plan, choice.reason, list(choice.algorithms), own, choice.calibrations)


class ForecastStep(Step, resource_kind="forecast"):
    runs_network = True

    def perform(self, job: RunningJob, row: ForecastResource) -> Outcome:
        predictor, data = self.related_data(
            job, "predictor", row.request["PredictorArn"], "The predictor holds no model output."
        )
        stored = load_arrays(data)
        types = row.request.get("ForecastTypes") or predictor.request.get("ForecastTypes")
        types = types or DEFAULT_TYPES
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


class ExportStep(Step, resource_kind="export_job"):
    def perform(self, job: RunningJob, row: ForecastResource) -> Outcome:
        forecast, data = self.related_data(
            job, "forecast", row.request["ForecastArn"], "The forecast holds no data."
        )
        table = ForecastTable.load(data, forecast.details)
        group_arn = forecast.details["links"]["DatasetGroupArn"]
        group = self.related(job, "dataset_group", group_arn)
        identifier = importing.DOMAIN_FIELDS[group.request["Domain"]][0]
        path = row.request["Destination"]["S3Config"]["Path"]
        bucket, _, prefix = path[len("s3://") :].partition("/")
        stamp = utcnow().strftime("%Y-%m-%d-%H-%M-%S")
        key = f"{prefix.rstrip('/')}/" if prefix.strip("/") else ""
        key += f"{row.name}_{stamp}_part0.csv"
        try:
            self.bench.blobs.write(job.scope, bucket, key, _export_csv(table, identifier))
        except BlobError as error:
            raise JobFailed(
                f"The export cannot be written to s3://{bucket}/{key}: {error}"
            ) from None
        return Outcome({"files": [f"s3://{bucket}/{key}"]})


STEPS: tuple[type[Step], ...] = (ImportStep, TrainStep, ForecastStep, ExportStep)


def _export_csv(table: ForecastTable, identifier: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([identifier, *table.dimensions, "date", *table.labels])
    for index, item in enumerate(table.items):
        series = [item, *(values[index] for values in table.dimensions.values())]
        for step, moment in enumerate(table.timestamps(index)):
            cells = [repr(float(table.values[kind][index, step])) for kind in table.types]
            writer.writerow([*series, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), *cells])
    return text.getvalue().encode()


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
