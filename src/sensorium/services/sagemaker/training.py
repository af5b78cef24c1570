"""Training jobs, a kind of job (``sagemaker.training``): read the channels, train the
built-in algorithm, upload ``S3OutputPath/JOB/output/model.tar.gz``.

The row's ``details`` keep SecondaryStatusTransitions (``transitions``), the metrics and the
measured times; the hooks settle TrainingJobStatus in the job system's transactions.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from sensorium.blobs import Buckets
from sensorium.errors import BlobError
from sensorium.jobs import JobFailed, JobKind, JobRow, RunningJob
from sensorium.models.sound.anomaly import AnomalyEpoch, AnomalySettings, train_detector
from sensorium.models.sound.classifier import (
    ClassifierSettings,
    EpochReport,
    train_classifier,
)
from sensorium.models.sound.data import Clip, SoundDataError, decode, split
from sensorium.models.sound.encoder import EncoderUnavailable
from sensorium.services.sagemaker import algorithms, script
from sensorium.services.sagemaker.channels import ChannelError, audio_objects, split_uri
from sensorium.services.sagemaker.script_run import ScriptRunner
from sensorium.services.sagemaker.tables import SageMakerResource
from sensorium.storage.database import Database
from sensorium.storage.owned import utcnow

KIND = "sagemaker.training"
TRAIN, VALIDATION = "train", "validation"


class RuntimeExceeded(Exception):
    """StoppingCondition.MaxRuntimeInSeconds has passed."""


@dataclass
class Outcome:
    status: str  # Completed, or Stopped when the runtime ran out
    details: dict[str, Any]


def now_text() -> str:
    return utcnow().isoformat()


def transition(details: dict[str, Any], status: str, message: str) -> dict[str, Any]:
    """``details`` with a new secondary status (the previous one ended now)."""
    stamp = now_text()
    steps = [dict(step) for step in details.get("transitions", [])]
    if steps and "EndTime" not in steps[-1]:
        steps[-1]["EndTime"] = stamp
    if status in ("Completed", "Failed", "Stopped", "MaxRuntimeExceeded"):
        steps.append(
            {"Status": status, "StartTime": stamp, "EndTime": stamp, "StatusMessage": message}
        )
    else:
        steps.append({"Status": status, "StartTime": stamp, "StatusMessage": message})
    return {**details, "transitions": steps, "secondary": status}


def artifact_uri(request: dict[str, Any], name: str) -> str:
    return f"{request['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{name}/output/model.tar.gz"


class TrainingKind(JobKind[Outcome]):
    name = KIND
    accelerated = True

    def __init__(
        self,
        db: Database,
        blobs: Buckets,
        gpu_available: Callable[[], bool],
        scripts: ScriptRunner,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.gpu_available = gpu_available
        self.scripts = scripts

    # The work

    def run(self, job: RunningJob) -> Outcome:
        with self.db.reading(job.scope) as session:
            row = session.get(SageMakerResource, int(job.resource))
            if row is None:
                raise JobFailed("The training job was deleted.")
            name, arn, request = row.name, row.arn, dict(row.request)
        if script.is_script_image(request["AlgorithmSpecification"].get("TrainingImage")):
            return self._run_script(job, name, arn, request)
        image = algorithms.algorithm(request["AlgorithmSpecification"].get("TrainingImage"))
        network_settings, job_settings = algorithms.settings(
            image, request.get("HyperParameters") or {}
        )
        limit = (request.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
        started = time.monotonic()
        deadline = started + limit if limit else None
        self._step(job, "Downloading", "Downloading input data")
        channels = self._channels(job, request, job_settings["max_clip_seconds"])
        device = algorithms.device(
            (request.get("ResourceConfig") or {}).get("InstanceType"), self.gpu_available()
        )
        self._step(job, "Training", f"Training the {image} algorithm on {device}")
        training_start = now_text()
        try:
            trained, metrics = self._train(
                job, image, network_settings, job_settings, channels, device, deadline
            )
        except RuntimeExceeded:
            return Outcome(
                "Stopped",
                {
                    "training_start": training_start,
                    "training_seconds": round(time.monotonic() - started),
                    "stop": "MaxRuntimeExceeded",
                },
            )
        except SoundDataError as error:
            raise JobFailed(f"ClientError: {error}") from None
        except EncoderUnavailable as error:
            raise JobFailed(f"AlgorithmError: {error}") from None
        self._step(job, "Uploading", "Uploading generated training model")
        uri = artifact_uri(request, name)
        bucket, key = split_uri(uri)
        try:
            self.blobs.write(job.scope, bucket, key, trained)
        except BlobError as error:
            raise JobFailed(f"ClientError: the model cannot be written to {uri}: {error}") from None
        return Outcome(
            "Completed",
            {
                "training_start": training_start,
                "training_seconds": max(1, round(time.monotonic() - started)),
                "artifact": uri,
                "metrics": metrics,
                "device": device,
            },
        )

    def _run_script(self, job: RunningJob, name: str, arn: str, request: dict[str, Any]) -> Outcome:
        limit = (request.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
        started = time.monotonic()
        training_start = now_text()
        device = algorithms.device(
            (request.get("ResourceConfig") or {}).get("InstanceType"), self.gpu_available()
        )
        uri = artifact_uri(request, name)
        result = self.scripts.run(
            job,
            name,
            arn,
            request,
            uri.rpartition("/")[0],
            device,
            started + limit if limit else None,
            lambda status, message: self._step(job, status, message),
            lambda values: self._record(job, values),
        )
        details: dict[str, Any] = {
            "training_start": training_start,
            "training_seconds": max(1, round(time.monotonic() - started)),
            "metrics": _metrics(result.metrics),
            "device": device,
        }
        if result.ended_by is not None:
            return Outcome("Stopped", {**details, "stop": result.ended_by})
        return Outcome("Completed", {**details, "artifact": uri})

    def _channels(
        self, job: RunningJob, request: dict[str, Any], max_seconds: float
    ) -> dict[str, list[Clip]]:
        found: dict[str, list[Clip]] = {}
        total = 0
        for channel in request.get("InputDataConfig") or []:
            name = channel["ChannelName"]
            uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
            try:
                objects = audio_objects(self.blobs, job.scope, name, uri)
            except ChannelError as error:
                raise JobFailed(f"ClientError: {error}") from None
            clips = []
            for item in objects:
                job.check()
                try:
                    data = self.blobs.read(job.scope, item.bucket, item.key)
                except BlobError as error:
                    raise JobFailed(f"ClientError: {item.uri} cannot be read: {error}") from None
                total += len(data)
                if total > algorithms.MAX_TRAINING_BYTES:
                    raise JobFailed(
                        f"ClientError: the channels hold more than "
                        f"{algorithms.MAX_TRAINING_BYTES} bytes of audio."
                    )
                try:
                    samples = decode(item.uri, data, max_seconds)
                except SoundDataError as error:
                    raise JobFailed(f"ClientError: unreadable audio file {error}") from None
                clips.append(Clip(item.uri, samples, item.label))
            found[name] = clips
        return found

    def _train(
        self,
        job: RunningJob,
        image: str,
        network_settings: Any,
        job_settings: dict[str, float],
        channels: dict[str, list[Clip]],
        device: str,
        deadline: float | None,
    ) -> tuple[bytes, list[dict[str, Any]]]:
        train = channels.get(TRAIN, [])
        validation = channels.get(VALIDATION) or []
        if not validation:
            train, validation = split(
                train, job_settings["validation_fraction"], getattr(network_settings, "seed", 0)
            )

        def checked(epoch: int, epochs: int, values: dict[str, float]) -> None:
            job.check()
            job.progress(epoch / epochs)
            self._record(job, {**values, "train:progress": epoch / epochs})
            if deadline is not None and time.monotonic() > deadline:
                raise RuntimeExceeded

        if image == algorithms.CLASSIFICATION:
            assert isinstance(network_settings, ClassifierSettings)

            def report(epoch: EpochReport) -> None:
                values = {
                    "train:loss": epoch.train_loss,
                    "validation:loss": epoch.validation_loss,
                    "validation:accuracy": epoch.validation_accuracy,
                }
                checked(epoch.epoch, epoch.epochs, values)

            result = train_classifier(train, validation, network_settings, report, device)
            final = {
                "train:loss": result.train_loss,
                "validation:loss": result.validation_loss,
                "validation:accuracy": result.validation_accuracy,
            }
            return result.classifier.to_tar_gz(), _metrics(final)
        assert isinstance(network_settings, AnomalySettings)

        def report_anomaly(epoch: AnomalyEpoch) -> None:
            values = {"train:loss": epoch.train_loss, "validation:loss": epoch.validation_loss}
            checked(epoch.epoch, epoch.epochs, values)

        detector = train_detector(train, validation, network_settings, report_anomaly, device)
        final = {
            "train:loss": detector.train_loss,
            "validation:loss": detector.validation_loss,
            "validation:threshold": detector.detector.threshold,
        }
        return detector.detector.to_tar_gz(), _metrics(final)

    # Writing progress into the row, outside the hooks

    def _update(self, job: RunningJob, change: Callable[[SageMakerResource], None]) -> None:
        with self.db.transaction(job.scope) as session:
            row = session.get(SageMakerResource, int(job.resource))
            if row is None:
                raise JobFailed("The training job was deleted.")
            change(row)

    def _step(self, job: RunningJob, status: str, message: str) -> None:
        job.check()

        def change(row: SageMakerResource) -> None:
            row.details = transition(row.details, status, message)

        self._update(job, change)

    def _record(self, job: RunningJob, values: dict[str, float]) -> None:
        def change(row: SageMakerResource) -> None:
            row.details = {**row.details, "metrics": _metrics(values)}

        self._update(job, change)

    # Hooks: the row follows the job

    def started(self, session: Session, job: JobRow) -> None:
        if (row := session.get(SageMakerResource, int(job.resource))) is not None:
            row.status = "InProgress"
            row.details = transition(
                row.details, "Starting", "Preparing the instances for training"
            )

    def succeeded(self, session: Session, job: JobRow, outcome: Outcome) -> dict[str, Any] | None:
        if (row := session.get(SageMakerResource, int(job.resource))) is not None:
            secondary = outcome.details.pop("stop", None) or "Completed"
            message = (
                "Training job completed"
                if secondary == "Completed"
                else "Training job stopped: MaxRuntimeInSeconds was reached"
            )
            details = transition({**row.details, **outcome.details}, secondary, message)
            details["training_end"] = now_text()
            row.details = details
            row.status = outcome.status
        return None

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        if (row := session.get(SageMakerResource, int(job.resource))) is not None:
            row.status = "Failed"
            row.failure_reason = reason
            details = transition(row.details, "Failed", "Training job failed")
            details["training_end"] = now_text()
            row.details = details

    def cancelled(self, session: Session, job: JobRow) -> None:
        if (row := session.get(SageMakerResource, int(job.resource))) is not None:
            row.status = "Stopped"
            details = transition(row.details, "Stopped", "Training job stopped")
            details["training_end"] = now_text()
            row.details = details

    def requeued(self, session: Session, job: JobRow) -> None:
        if (row := session.get(SageMakerResource, int(job.resource))) is not None:
            row.details = transition(row.details, "Starting", "Restarting the training job")


def _metrics(values: dict[str, float]) -> list[dict[str, Any]]:
    stamp = now_text()
    # A diverged loss is left out: JSON (and PostgreSQL) has no NaN or infinity.
    return [
        {"MetricName": name, "Value": float(value), "Timestamp": stamp}
        for name, value in values.items()
        if math.isfinite(value)
    ]


def parse_time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None
