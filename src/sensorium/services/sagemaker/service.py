"""SageMaker's control plane: training jobs, models, endpoint configs and endpoints.

Training jobs and endpoints are settled by jobs (``training``, ``hosting``) submitted in
the transaction that creates them; models and endpoint configs are rows checked on create.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from sensorium.context import RequestContext
from sensorium.jobs import JobSystem
from sensorium.operations import Params
from sensorium.services.sagemaker import (
    algorithms,
    hosting,
    resources,
    script,
    training,
    views,
)
from sensorium.services.sagemaker.channels import ChannelError, split_uri
from sensorium.services.sagemaker.errors import ValidationException
from sensorium.services.sagemaker.tables import SageMakerResource
from sensorium.storage.database import Database
from sensorium.storage.paging import Paginator

View = Callable[[SageMakerResource], Params]
SUPPORTED_DATA_TYPES = ("S3Prefix",)


def _without(params: Params, *keys: str) -> Params:
    return {key: value for key, value in params.items() if key not in keys}


class SageMakerService:
    def __init__(
        self,
        db: Database,
        jobs: JobSystem,
        paginator: Paginator,
        scripts: script.ScriptAccess,
        loaded: hosting.LoadedModels,
    ) -> None:
        self.db = db
        self.jobs = jobs
        self.paginator = paginator
        self.scripts = scripts
        self.loaded = loaded

    def _insert(
        self,
        ctx: RequestContext,
        kind: str,
        name: str,
        status: str,
        request: Params,
        details: dict[str, Any] | None = None,
        job: str | None = None,
    ) -> str:
        resource_arn = resources.KINDS[kind].arn(ctx.scope, name)
        try:
            with self.db.transaction(ctx.scope) as session:
                row = resources.insert(
                    session, ctx.scope, kind, name, status=status, request=request, details=details
                )
                if job is not None:
                    self.jobs.submit(session, job, ctx.scope, str(row.id))
        except IntegrityError:  # a concurrent create of the same name won the race
            raise resources.already_exists(kind, resource_arn) from None
        return resource_arn

    def describe(self, ctx: RequestContext, kind: str, name: str, view: View) -> Params:
        with self.db.reading(ctx.scope) as session:
            return view(resources.find(session, ctx.scope, kind, name))

    def list(self, ctx: RequestContext, kind: str, params: Params, key: str, view: View) -> Params:
        query, listing = resources.listing_query(kind, params)
        limit = params.get("MaxResults") or resources.DEFAULT_PAGE_SIZE
        with self.db.reading(ctx.scope) as session:
            page = self.paginator.page(session, query, listing, limit, params.get("NextToken"))
            return page.output(key, view)

    # Training jobs

    def create_training_job(self, ctx: RequestContext, params: Params) -> Params:
        spec = params.get("AlgorithmSpecification")
        if not spec:
            raise ValidationException("AlgorithmSpecification with a TrainingImage is required.")
        if spec.get("AlgorithmName"):
            raise ValidationException(
                "AlgorithmName is not supported: name a built-in TrainingImage "
                f"({', '.join(algorithms.IMAGES)})."
            )
        channels = params.get("InputDataConfig") or []
        if script.is_script_image(spec.get("TrainingImage")):
            self._check_script(ctx, params)
        else:
            self._check_built_in(spec, params)
        for channel in channels:
            source = (channel.get("DataSource") or {}).get("S3DataSource")
            if not source:
                raise ValidationException(
                    f"Channel {channel['ChannelName']} needs DataSource.S3DataSource."
                )
            if source["S3DataType"] not in SUPPORTED_DATA_TYPES:
                raise ValidationException(
                    f"S3DataType {source['S3DataType']} is not supported; use S3Prefix (class "
                    "folders or a manifest.csv under the prefix)."
                )
            _check_uri(source["S3Uri"])
        _check_uri(params["OutputDataConfig"]["S3OutputPath"])
        arn = self._insert(
            ctx,
            "training_job",
            params["TrainingJobName"],
            "InProgress",
            _without(params, "TrainingJobName", "Tags"),
            {"secondary": "Starting"},
            job=training.KIND,
        )
        return {"TrainingJobArn": arn}

    def _check_script(self, ctx: RequestContext, params: Params) -> None:
        """Script mode: allowed for this account, the SDK's hyperparameters, any channels."""
        spec = params["AlgorithmSpecification"]
        self.scripts.check(ctx.account_id, spec["TrainingImage"])
        script.spec(params.get("HyperParameters") or {})
        script.metric_definitions(spec.get("MetricDefinitions") or [])
        names = [channel["ChannelName"] for channel in params.get("InputDataConfig") or []]
        for name in names:
            script.check_channel_name(name)
        if len(set(names)) != len(names):
            raise ValidationException("Channel names must be unique.")

    def _check_built_in(self, spec: Params, params: Params) -> None:
        image = algorithms.algorithm(spec.get("TrainingImage"))
        algorithms.settings(image, params.get("HyperParameters") or {})
        channels = params.get("InputDataConfig") or []
        names = [channel["ChannelName"] for channel in channels]
        if training.TRAIN not in names:
            raise ValidationException(
                f"{image} needs a channel named '{training.TRAIN}' (and optionally "
                f"'{training.VALIDATION}'); got {names or 'none'}."
            )
        if len(set(names)) != len(names):
            raise ValidationException("Channel names must be unique.")
        extra = sorted(set(names) - {training.TRAIN, training.VALIDATION})
        if extra:
            raise ValidationException(f"{image} reads only train and validation channels: {extra}.")

    def stop_training_job(self, ctx: RequestContext, name: str) -> Params:
        with self.db.transaction(ctx.scope) as session:
            row = resources.find(session, ctx.scope, "training_job", name)
            if row.status != "InProgress":
                raise ValidationException(
                    f"The training job {name} is {row.status}; only an InProgress job stops."
                )
            row.status = "Stopping"
            row.details = training.transition(row.details, "Stopping", "Stopping the training job")
            session.flush()
            self.jobs.cancel(session, training.KIND, str(row.id))
        return {}

    # Models

    def create_model(self, ctx: RequestContext, params: Params) -> Params:
        containers = params.get("Containers") or []
        primary = params.get("PrimaryContainer")
        if primary and containers:
            raise ValidationException("Give PrimaryContainer or Containers, not both.")
        chosen = [primary] if primary else containers
        if len(chosen) != 1:
            raise ValidationException("A model needs exactly one container.")
        container = chosen[0]
        if script.is_served_script(container.get("Image")):
            self.scripts.check(ctx.account_id, container["Image"])
        else:
            algorithms.algorithm(container.get("Image"))
        data = container.get("ModelDataUrl")
        if not data:
            raise ValidationException(
                "The container needs ModelDataUrl: the model.tar.gz of a training job."
            )
        _check_uri(data)
        arn = self._insert(
            ctx, "model", params["ModelName"], "Created", _without(params, "ModelName", "Tags")
        )
        return {"ModelArn": arn}

    def delete_model(self, ctx: RequestContext, name: str) -> Params:
        with self.db.transaction(ctx.scope) as session:
            session.delete(resources.find(session, ctx.scope, "model", name))
        return {}

    # Endpoint configs

    def create_endpoint_config(self, ctx: RequestContext, params: Params) -> Params:
        variants = params["ProductionVariants"]
        names = [variant["VariantName"] for variant in variants]
        if len(set(names)) != len(names):
            raise ValidationException("VariantName must be unique within an endpoint config.")
        with self.db.reading(ctx.scope) as session:
            for variant in variants:
                if not variant.get("ModelName"):
                    raise ValidationException(
                        f"Variant {variant['VariantName']} needs a ModelName."
                    )
                resources.find(session, ctx.scope, "model", variant["ModelName"])
        arn = self._insert(
            ctx,
            "endpoint_config",
            params["EndpointConfigName"],
            "Created",
            _without(params, "EndpointConfigName", "Tags"),
        )
        return {"EndpointConfigArn": arn}

    def delete_endpoint_config(self, ctx: RequestContext, name: str) -> Params:
        with self.db.transaction(ctx.scope) as session:
            session.delete(resources.find(session, ctx.scope, "endpoint_config", name))
        return {}

    # Endpoints

    def _deployment(self, ctx: RequestContext, config_name: str) -> dict[str, Any]:
        """What an endpoint config deploys: each variant with its model's image and data."""
        with self.db.reading(ctx.scope) as session:
            config = resources.find(session, ctx.scope, "endpoint_config", config_name)
            variants = []
            for variant in config.request["ProductionVariants"]:
                model = resources.find(session, ctx.scope, "model", variant["ModelName"])
                container = model.request.get("PrimaryContainer") or model.request["Containers"][0]
                variants.append(
                    {
                        "VariantName": variant["VariantName"],
                        "ModelName": variant["ModelName"],
                        "image": container["Image"],
                        "artifact": container["ModelDataUrl"],
                        "weight": float(variant.get("InitialVariantWeight", 1.0)),
                        "InstanceType": variant.get("InstanceType"),
                        "InitialInstanceCount": variant.get("InitialInstanceCount", 1),
                    }
                )
        return {"config": config_name, "variants": variants}

    def create_endpoint(self, ctx: RequestContext, params: Params) -> Params:
        pending = self._deployment(ctx, params["EndpointConfigName"])
        arn = self._insert(
            ctx,
            "endpoint",
            params["EndpointName"],
            "Creating",
            _without(params, "EndpointName", "Tags"),
            {"pending": pending, "generation": 0},
            job=hosting.KIND,
        )
        return {"EndpointArn": arn}

    def update_endpoint(self, ctx: RequestContext, params: Params) -> Params:
        pending = self._deployment(ctx, params["EndpointConfigName"])
        with self.db.transaction(ctx.scope) as session:
            row = resources.find(session, ctx.scope, "endpoint", params["EndpointName"])
            if row.status != "InService":
                raise ValidationException(
                    f'Cannot update in-progress endpoint "{row.arn}" ({row.status}).'
                )
            row.status = "Updating"
            row.details = {**row.details, "pending": pending}
            self.jobs.submit(session, hosting.KIND, ctx.scope, str(row.id))
            return {"EndpointArn": row.arn}

    def delete_endpoint(self, ctx: RequestContext, name: str) -> Params:
        with self.db.transaction(ctx.scope) as session:
            row = resources.find(session, ctx.scope, "endpoint", name)
            arn = row.arn
            self.jobs.cancel(session, hosting.KIND, str(row.id))
            session.delete(row)
        self.loaded.forget(arn)
        return {}


def _check_uri(uri: str) -> None:
    try:
        split_uri(uri)
    except ChannelError as error:
        raise ValidationException(str(error)) from None


VIEWS = {
    "training_job": (views.training_job, views.training_job_summary, "TrainingJobSummaries"),
    "model": (views.model, views.model_summary, "Models"),
    "endpoint_config": (views.endpoint_config, views.endpoint_config_summary, "EndpointConfigs"),
    "endpoint": (views.endpoint, views.endpoint_summary, "Endpoints"),
}
