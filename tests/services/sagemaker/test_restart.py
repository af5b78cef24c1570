"""Training jobs and endpoints survive a restart: a job killed mid-training is run again,
and an endpoint serves after the restart (its model loaded again from its artefact)."""

from __future__ import annotations

import json

from tests.conftest import LiveServer
from tests.services.sagemaker.conftest import (
    CLASSES,
    CLASSIFICATION,
    ROLE,
    WAIT,
    class_folders,
    esc10_clips,
    settled,
    training_request,
    unique,
)


def test_a_job_and_an_endpoint_survive_restarts(fresh_server: LiveServer) -> None:
    fresh_server.start()
    sagemaker = fresh_server.client("sagemaker")
    uri = class_folders(fresh_server, esc10_clips(count=3))
    name = unique("restart")
    sagemaker.create_training_job(**training_request(name, uri))
    fresh_server.kill()  # mid-training (or before it started)
    fresh_server.start()
    sagemaker = fresh_server.client("sagemaker")
    job = settled(sagemaker, name)
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")

    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": CLASSIFICATION,
            "ModelDataUrl": job["ModelArtifacts"]["S3ModelArtifacts"],
        },
    )
    variant = {
        "VariantName": "v",
        "ModelName": name,
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1,
    }
    sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant])
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig=WAIT)
    fresh_server.stop()
    fresh_server.start()
    runtime = fresh_server.client("sagemaker-runtime")
    answer = runtime.invoke_endpoint(
        EndpointName=name, Body=esc10_clips(count=1)[0].read_bytes(), ContentType="audio/flac"
    )
    assert json.loads(answer["Body"].read())["label"] in CLASSES
    described = fresh_server.client("sagemaker").describe_training_job(TrainingJobName=name)
    assert described["TrainingJobStatus"] == "Completed"
