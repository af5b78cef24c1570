"""What Describe and List operations say of each kind of resource, from its row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sensorium.operations import Params
from sensorium.services.sagemaker.tables import SageMakerResource
from sensorium.services.sagemaker.training import artifact_uri, parse_time
from sensorium.storage.owned import aware

DEFAULT_STOPPING = {"MaxRuntimeInSeconds": 86400}
ECHOED_TRAINING = (
    "HyperParameters",
    "AlgorithmSpecification",
    "RoleArn",
    "InputDataConfig",
    "OutputDataConfig",
    "ResourceConfig",
    "VpcConfig",
    "EnableNetworkIsolation",
    "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining",
    "CheckpointConfig",
    "Environment",
    "RetryStrategy",
)


def _times(row: SageMakerResource) -> dict[str, dt.datetime]:
    return {"CreationTime": aware(row.created_at), "LastModifiedTime": aware(row.updated_at)}


def training_job(row: SageMakerResource) -> Params:
    details = row.details
    result: Params = {
        "TrainingJobName": row.name,
        "TrainingJobArn": row.arn,
        "ModelArtifacts": {"S3ModelArtifacts": artifact_uri(row.request, row.name)},
        "TrainingJobStatus": row.status,
        "SecondaryStatus": details.get("secondary", "Starting"),
        "StoppingCondition": row.request.get("StoppingCondition") or DEFAULT_STOPPING,
        **_times(row),
        **{key: row.request[key] for key in ECHOED_TRAINING if key in row.request},
    }
    if row.failure_reason:
        result["FailureReason"] = row.failure_reason
    if (start := parse_time(details.get("training_start"))) is not None:
        result["TrainingStartTime"] = start
    if (end := parse_time(details.get("training_end"))) is not None:
        result["TrainingEndTime"] = end
    if "training_seconds" in details:
        result["TrainingTimeInSeconds"] = details["training_seconds"]
        result["BillableTimeInSeconds"] = details["training_seconds"]
    if details.get("transitions"):
        result["SecondaryStatusTransitions"] = [
            {
                key: parse_time(value) if key.endswith("Time") else value
                for key, value in step.items()
            }
            for step in details["transitions"]
        ]
    if details.get("metrics"):
        result["FinalMetricDataList"] = [
            {**metric, "Timestamp": parse_time(metric["Timestamp"])}
            for metric in details["metrics"]
        ]
    return result


def training_job_summary(row: SageMakerResource) -> Params:
    result: Params = {
        "TrainingJobName": row.name,
        "TrainingJobArn": row.arn,
        "TrainingJobStatus": row.status,
        "SecondaryStatus": row.details.get("secondary", "Starting"),
        **_times(row),
    }
    if (end := parse_time(row.details.get("training_end"))) is not None:
        result["TrainingEndTime"] = end
    return result


def model(row: SageMakerResource) -> Params:
    return {
        "ModelName": row.name,
        "ModelArn": row.arn,
        "CreationTime": aware(row.created_at),
        **{
            key: row.request[key]
            for key in (
                "PrimaryContainer",
                "Containers",
                "ExecutionRoleArn",
                "EnableNetworkIsolation",
            )
            if key in row.request
        },
    }


def model_summary(row: SageMakerResource) -> Params:
    return {"ModelName": row.name, "ModelArn": row.arn, "CreationTime": aware(row.created_at)}


def endpoint_config(row: SageMakerResource) -> Params:
    return {
        "EndpointConfigName": row.name,
        "EndpointConfigArn": row.arn,
        "ProductionVariants": row.request["ProductionVariants"],
        "CreationTime": aware(row.created_at),
        **{key: row.request[key] for key in ("KmsKeyId",) if key in row.request},
    }


def endpoint_config_summary(row: SageMakerResource) -> Params:
    return {
        "EndpointConfigName": row.name,
        "EndpointConfigArn": row.arn,
        "CreationTime": aware(row.created_at),
    }


def endpoint(row: SageMakerResource) -> Params:
    details = row.details
    result: Params = {
        "EndpointName": row.name,
        "EndpointArn": row.arn,
        "EndpointStatus": row.status,
        **_times(row),
    }
    config = details.get("config") or details.get("pending", {}).get("config")
    if config:
        result["EndpointConfigName"] = config
    if details.get("variants"):
        result["ProductionVariants"] = [_variant(v) for v in details["variants"]]
    if row.failure_reason:
        result["FailureReason"] = row.failure_reason
    return result


def _variant(variant: dict[str, Any]) -> Params:
    count = int(variant.get("InitialInstanceCount") or 1)
    return {
        "VariantName": variant["VariantName"],
        "DeployedImages": [{"SpecifiedImage": variant["image"], "ResolvedImage": variant["image"]}],
        "CurrentWeight": float(variant.get("weight", 1.0)),
        "DesiredWeight": float(variant.get("weight", 1.0)),
        "CurrentInstanceCount": count,
        "DesiredInstanceCount": count,
    }


def endpoint_summary(row: SageMakerResource) -> Params:
    return {
        "EndpointName": row.name,
        "EndpointArn": row.arn,
        "EndpointStatus": row.status,
        **_times(row),
    }
