"""Endpoints: a kind of job (``sagemaker.endpoint``) loads the models of an endpoint config
(Creating/Updating -> InService, or Failed); InvokeEndpoint runs them.

Each process keeps the models it has loaded, keyed by endpoint, deployment and variant; a
process that has not loaded one yet (another node, a restart) loads it from its artefact on
first use.
"""

from __future__ import annotations

import collections
import json
import random
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sensorium.blobs import Buckets, parse_s3_uri
from sensorium.context import RequestContext, Scope
from sensorium.errors import BlobError
from sensorium.jobs import JobFailed, JobKind, JobRow, RunningJob
from sensorium.models.sound.artifacts import ArtifactError, SoundModel, load
from sensorium.models.sound.classifier import SoundClassifier
from sensorium.models.sound.data import SoundDataError, decode
from sensorium.services.sagemaker import script
from sensorium.services.sagemaker.errors import ModelError, ValidationError
from sensorium.services.sagemaker.script_serving import ScriptModel
from sensorium.services.sagemaker.tables import SageMakerResource
from sensorium.storage.database import Database

KIND = "sagemaker.endpoint"
MAX_ARTIFACT_BYTES = 1024**3
MAX_INVOKE_SECONDS = 600.0
CACHED_MODELS = 16
JSON = "application/json"
AUDIO_TYPES = ("audio/", "application/octet-stream", "binary/octet-stream")


@dataclass(frozen=True)
class Deployed:
    """A variant as InvokeEndpoint needs it."""

    endpoint: str  # ARN
    generation: int
    variant: str
    artifact: str
    image: str


LoadedModel = SoundModel | ScriptModel


class LoadedModels:
    """The models this process has loaded, least recently used dropped first."""

    def __init__(self, blobs: Buckets, access: script.ScriptAccess, script_work: Path) -> None:
        self.blobs = blobs
        self.access = access
        self.script_work = script_work  # where script-mode models are unpacked
        self._models: collections.OrderedDict[Deployed, LoadedModel] = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, scope: Scope, deployed: Deployed) -> LoadedModel:
        with self._lock:
            if deployed in self._models:
                self._models.move_to_end(deployed)
                return self._models[deployed]
        return self.put(deployed, self.read(scope, deployed))

    def read(self, scope: Scope, deployed: Deployed) -> LoadedModel:
        """``ArtifactError`` for anything that stops the artefact from loading."""
        artifact = deployed.artifact
        served_script = script.is_served_script(deployed.image)
        if served_script and not self.access.allows(scope.account_id):
            # The operator may have withdrawn it since the model was created.
            raise ArtifactError(f"script mode is not enabled for account {scope.account_id}")
        try:
            bucket, key = parse_s3_uri(artifact)
            data = self.blobs.read(scope, bucket, key, max_bytes=MAX_ARTIFACT_BYTES)
        except BlobError as error:
            raise ArtifactError(f"the model data {artifact} cannot be read: {error}") from None
        if served_script:
            return ScriptModel(data, self.script_work)
        return load(data)

    def put(self, deployed: Deployed, model: LoadedModel) -> LoadedModel:
        """The model kept for ``deployed``: one loaded meanwhile (a concurrent first call)
        wins, and may be answering already."""
        dropped: list[LoadedModel] = []
        with self._lock:
            if (previous := self._models.get(deployed)) is not None and previous is not model:
                dropped.append(model)
                model = previous
            self._models[deployed] = model
            while len(self._models) > CACHED_MODELS:
                dropped.append(self._models.popitem(last=False)[1])
            for old in [key for key in self._models if _superseded(key, deployed)]:
                dropped.append(self._models.pop(old))
        for model_dropped in dropped:
            if isinstance(model_dropped, ScriptModel):
                model_dropped.close()  # its worker process
        return model

    def forget(self, endpoint: str) -> None:
        """Drop the models this process loaded for ``endpoint`` (an ARN), stopping their
        workers: a deleted endpoint's script model must not keep a process alive. Other
        server processes drop theirs as they fall out of their own caches."""
        with self._lock:
            mine = [key for key in self._models if key.endpoint == endpoint]
            dropped = [self._models.pop(key) for key in mine]
        for model in dropped:
            if isinstance(model, ScriptModel):
                model.close()


def _superseded(key: Deployed, newer: Deployed) -> bool:
    return key.endpoint == newer.endpoint and key.generation < newer.generation


class EndpointKind(JobKind[list[dict[str, Any]]]):
    """Loads every variant of the pending deployment; the hooks make it the endpoint's."""

    name = KIND

    def __init__(self, db: Database, models: LoadedModels) -> None:
        self.db = db
        self.models = models

    def run(self, job: RunningJob) -> list[dict[str, Any]]:
        with self.db.reading(job.scope) as session:
            row = session.get(SageMakerResource, int(job.resource))
            if row is None:
                raise JobFailed("The endpoint was deleted.")
            pending = list(row.details.get("pending", {}).get("variants", []))
            generation = int(row.details.get("generation", 0)) + 1
            endpoint = row.arn
        for variant in pending:
            job.check()
            deployed = _deployed(endpoint, generation, variant)
            try:
                model = self.models.read(job.scope, deployed)
            except ArtifactError as error:
                raise JobFailed(
                    f"The model {variant['ModelName']} of variant {variant['VariantName']} "
                    f"cannot be loaded: {error}"
                ) from None
            self.models.put(deployed, model)
        return pending

    def succeeded(
        self, session: Session, job: JobRow, outcome: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        if (row := session.get(SageMakerResource, int(job.resource))) is not None:
            pending = row.details.get("pending", {})
            details = {k: v for k, v in row.details.items() if k != "pending"}
            details.update(
                variants=outcome,
                config=pending.get("config"),
                generation=int(row.details.get("generation", 0)) + 1,
            )
            row.details = details
            row.status = "InService"
            row.failure_reason = None
        return None

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        if (row := session.get(SageMakerResource, int(job.resource))) is not None:
            row.details = {k: v for k, v in row.details.items() if k != "pending"}
            row.failure_reason = reason
            # A failed update leaves the endpoint serving what it served before.
            row.status = "InService" if row.details.get("variants") else "Failed"


def _choose(variants: list[dict[str, Any]], wanted: str | None) -> dict[str, Any]:
    if wanted is not None:
        for variant in variants:
            if variant["VariantName"] == wanted:
                return variant
        raise ValidationError(f"The endpoint has no production variant named {wanted}.")
    weights = [max(0.0, float(v.get("weight", 1.0))) for v in variants]
    if sum(weights) <= 0:
        weights = [1.0] * len(variants)
    return random.choices(variants, weights)[0]


class Invoker:
    def __init__(self, db: Database, models: LoadedModels) -> None:
        self.db = db
        self.models = models

    def invoke(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["EndpointName"]
        with self.db.reading(ctx.scope) as session:
            row = session.scalar(select(SageMakerResource).filter_by(kind="endpoint", name=name))
            if row is None:
                raise ValidationError(f"Endpoint {name} of account {ctx.account_id} not found.")
            variants = list(row.details.get("variants") or [])
            generation = int(row.details.get("generation", 0))
            status, endpoint = row.status, row.arn
        if not variants:
            raise ValidationError(f"Endpoint {name} is {status}; it answers once InService.")
        variant = _choose(variants, params.get("TargetVariant"))
        deployed = _deployed(endpoint, generation, variant)
        if script.is_served_script(deployed.image):
            return self._invoke_script(ctx, deployed, params)
        content_type = (params.get("ContentType") or "application/octet-stream").lower()
        accept = (params.get("Accept") or JSON).lower()
        if not any(
            part.strip().split(";")[0] in (JSON, "application/*", "*/*")
            for part in accept.split(",")
        ):
            raise _model_error(
                406, f"Accept {params.get('Accept')} is not supported: the model answers {JSON}."
            )
        if not content_type.startswith(AUDIO_TYPES):
            raise _model_error(
                415,
                f"Content type {params.get('ContentType')} is not supported: send audio "
                "(audio/wav, audio/flac, audio/mpeg, audio/ogg... or application/octet-stream).",
            )
        try:
            samples = decode("the request body", params.get("Body") or b"", MAX_INVOKE_SECONDS)
        except SoundDataError as error:
            raise _model_error(400, f"The body is not audio the model can read: {error}") from None
        model = self._model(ctx, deployed)
        assert not isinstance(model, ScriptModel)
        answer = predict(model, samples)
        return {
            "Body": json.dumps(answer).encode(),
            "ContentType": JSON,
            "InvokedProductionVariant": variant["VariantName"],
        }

    def _model(self, ctx: RequestContext, deployed: Deployed) -> LoadedModel:
        try:
            return self.models.get(ctx.scope, deployed)
        except ArtifactError as error:
            raise _model_error(500, f"The model cannot be loaded: {error}") from None

    def _invoke_script(
        self, ctx: RequestContext, deployed: Deployed, params: dict[str, Any]
    ) -> dict[str, Any]:
        """The PyTorch serving convention: the model's own input_fn/output_fn decide."""
        model = self._model(ctx, deployed)
        assert isinstance(model, ScriptModel)
        answer = model.invoke(
            params.get("Body") or b"",
            params.get("ContentType") or "application/json",
            params.get("Accept") or JSON,
        )
        if answer.status != 200:
            raise _model_error(answer.status, answer.error.strip())
        return {
            "Body": answer.body,
            "ContentType": answer.content_type,
            "InvokedProductionVariant": deployed.variant,
        }


def predict(model: SoundModel, samples: Any) -> dict[str, Any]:
    if isinstance(model, SoundClassifier):
        found = model.classify(samples)
        return {
            "label": found.label,
            "scores": [{"label": label, "score": round(score, 6)} for label, score in found.scores],
            "windows": [
                {
                    "start_seconds": window.start_seconds,
                    "end_seconds": window.end_seconds,
                    "label": window.label,
                    "scores": [
                        {"label": label, "score": round(score, 6)} for label, score in window.scores
                    ],
                }
                for window in found.windows
            ],
        }
    scored = model.score(samples)
    return {
        "anomaly_score": scored.anomaly_score,
        "threshold": scored.threshold,
        "is_anomaly": scored.is_anomaly,
    }


def _deployed(endpoint: str, generation: int, variant: dict[str, Any]) -> Deployed:
    return Deployed(
        endpoint, generation, variant["VariantName"], variant["artifact"], variant["image"]
    )


def _model_error(status: int, message: str) -> ModelError:
    side = "client" if 400 <= status < 500 else "server"
    return ModelError(
        f'Received {side} error ({status}) from primary with message "{message}".',
        OriginalStatusCode=status,
        OriginalMessage=message,
    )
