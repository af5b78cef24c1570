"""Models, endpoint configs and endpoints through boto3, with botocore's waiters, and
InvokeEndpoint on the small classifier the module trains."""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import LiveServer
from tests.services.sagemaker.conftest import (
    CLASSES,
    CLASSIFICATION,
    FAST,
    ROLE,
    WAIT,
    class_folders,
    esc10_clips,
    settled,
    training_request,
    unique,
    wav_bytes,
)


@pytest.fixture(scope="module")
def endpoint(sagemaker: Any, trained: dict[str, Any]) -> Any:
    """An endpoint serving the trained classifier; deleted (and waited for) at the end."""
    model = unique("model")
    sagemaker.create_model(
        ModelName=model,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": CLASSIFICATION,
            "ModelDataUrl": trained["ModelArtifacts"]["S3ModelArtifacts"],
        },
    )
    config = unique("config")
    sagemaker.create_endpoint_config(
        EndpointConfigName=config,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": model,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    name = unique("endpoint")
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config)
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig=WAIT)
    yield {"name": name, "model": model, "config": config}
    sagemaker.delete_endpoint(EndpointName=name)
    sagemaker.get_waiter("endpoint_deleted").wait(EndpointName=name, WaiterConfig=WAIT)


def test_an_endpoint_is_described_and_listed(sagemaker: Any, endpoint: dict[str, str]) -> None:
    described = sagemaker.describe_endpoint(EndpointName=endpoint["name"])
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == endpoint["config"]
    (variant,) = described["ProductionVariants"]
    assert variant["VariantName"] == "AllTraffic"
    assert variant["DeployedImages"][0]["SpecifiedImage"] == CLASSIFICATION
    listed = sagemaker.list_endpoints(NameContains=endpoint["name"])["Endpoints"]
    assert [e["EndpointStatus"] for e in listed] == ["InService"]
    model = sagemaker.describe_model(ModelName=endpoint["model"])
    assert model["PrimaryContainer"]["Image"] == CLASSIFICATION
    assert endpoint["model"] in [
        m["ModelName"] for m in sagemaker.list_models(MaxResults=100)["Models"]
    ]
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["config"])
    assert config["ProductionVariants"][0]["ModelName"] == endpoint["model"]


@pytest.mark.parametrize("encoding", ["flac", "wav"])
def test_invoke_endpoint_classifies_a_clip(
    runtime: Any, endpoint: dict[str, str], encoding: str
) -> None:
    clip = esc10_clips(count=1)[0]
    body = clip.read_bytes() if encoding == "flac" else wav_bytes(clip)
    answer = runtime.invoke_endpoint(
        EndpointName=endpoint["name"],
        Body=body,
        ContentType=f"audio/{encoding}",
        Accept="application/json",
    )
    assert answer["ContentType"] == "application/json"
    assert answer["InvokedProductionVariant"] == "AllTraffic"
    result = json.loads(answer["Body"].read())
    assert result["label"] in CLASSES
    assert result["scores"][0]["label"] == result["label"]
    assert sorted(s["label"] for s in result["scores"]) == sorted(CLASSES)
    assert sum(s["score"] for s in result["scores"]) == pytest.approx(1.0, abs=1e-3)
    # A 5 s clip in 2 s windows, half overlapping: 0-2, 1-3, 2-4, 3-5.
    assert [w["start_seconds"] for w in result["windows"]] == [0.0, 1.0, 2.0, 3.0]
    assert result["windows"][-1]["end_seconds"] == pytest.approx(5.0, abs=0.05)


def test_the_same_audio_gets_the_same_answer_in_both_encodings(
    runtime: Any, endpoint: dict[str, str]
) -> None:
    clip = esc10_clips(count=1)[0]
    answers = [
        json.loads(
            runtime.invoke_endpoint(EndpointName=endpoint["name"], Body=body, ContentType=kind)[
                "Body"
            ].read()
        )
        for body, kind in ((clip.read_bytes(), "audio/flac"), (wav_bytes(clip), "audio/wav"))
    ]
    first, second = ({s["label"]: s["score"] for s in a["scores"]} for a in answers)
    assert first.keys() == second.keys()
    assert all(abs(first[k] - second[k]) < 0.05 for k in first)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [(b"this is not audio", "audio/wav", 400), (b"a,b\n1,2\n", "text/csv", 415)],
    ids=["not-audio", "not-an-audio-type"],
)
def test_a_bad_body_is_a_model_error(
    runtime: Any, endpoint: dict[str, str], body: bytes, content_type: str, status: int
) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        runtime.invoke_endpoint(EndpointName=endpoint["name"], Body=body, ContentType=content_type)
    response = refused.value.response
    assert response["Error"]["Code"] == "ModelError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert response["OriginalStatusCode"] == status
    assert response["OriginalMessage"]


def test_an_unknown_endpoint_is_a_validation_error(runtime: Any, sagemaker: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        runtime.invoke_endpoint(EndpointName="no-such-endpoint", Body=b"x", ContentType="audio/wav")
    assert missing.value.response["Error"]["Code"] == "ValidationError"
    assert "no-such-endpoint" in missing.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as described:
        sagemaker.describe_endpoint(EndpointName="no-such-endpoint")
    assert described.value.response["Error"]["Code"] == "ValidationException"


def test_a_model_needs_a_supported_image(sagemaker: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        sagemaker.create_model(
            ModelName=unique("m"),
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": "my/own:latest", "ModelDataUrl": "s3://b/model.tar.gz"},
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_an_endpoint_whose_model_data_is_missing_fails(server: LiveServer, sagemaker: Any) -> None:
    model, config, name = unique("m"), unique("c"), unique("e")
    sagemaker.create_model(
        ModelName=model,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": CLASSIFICATION,
            "ModelDataUrl": "s3://sagemaker-tests/none/model.tar.gz",
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=config,
        ProductionVariants=[
            {
                "VariantName": "v",
                "ModelName": model,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config)
    with pytest.raises(botocore.exceptions.WaiterError):
        sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig=WAIT)
    described = sagemaker.describe_endpoint(EndpointName=name)
    assert described["EndpointStatus"] == "Failed"
    assert "cannot be loaded" in described["FailureReason"]
    sagemaker.delete_endpoint(EndpointName=name)
    sagemaker.delete_endpoint_config(EndpointConfigName=config)
    sagemaker.delete_model(ModelName=model)
    with pytest.raises(botocore.exceptions.ClientError) as gone:
        sagemaker.describe_model(ModelName=model)
    assert gone.value.response["Error"]["Code"] == "ValidationException"


def test_an_endpoint_updates_to_a_new_config(
    sagemaker: Any, runtime: Any, endpoint: dict[str, str]
) -> None:
    config = unique("config2")
    sagemaker.create_endpoint_config(
        EndpointConfigName=config,
        ProductionVariants=[
            {
                "VariantName": "Blue",
                "ModelName": endpoint["model"],
                "InstanceType": "ml.g5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sagemaker.update_endpoint(EndpointName=endpoint["name"], EndpointConfigName=config)
    sagemaker.get_waiter("endpoint_in_service").wait(
        EndpointName=endpoint["name"], WaiterConfig=WAIT
    )
    described = sagemaker.describe_endpoint(EndpointName=endpoint["name"])
    assert described["EndpointConfigName"] == config
    answer = runtime.invoke_endpoint(
        EndpointName=endpoint["name"],
        Body=esc10_clips(count=1)[0].read_bytes(),
        ContentType="audio/flac",
    )
    assert answer["InvokedProductionVariant"] == "Blue"


def test_the_pretrained_front_end_trains_and_serves(
    server: LiveServer, sagemaker: Any, runtime: Any
) -> None:
    uri = class_folders(server, esc10_clips(count=4))
    request = training_request(
        unique("whisper"), uri, hyperparameters={**FAST, "front_end": "whisper-tiny-en"}
    )
    sagemaker.create_training_job(**request)
    job = settled(sagemaker, request["TrainingJobName"])
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    model, config, name = unique("m"), unique("c"), unique("e")
    sagemaker.create_model(
        ModelName=model,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": CLASSIFICATION,
            "ModelDataUrl": job["ModelArtifacts"]["S3ModelArtifacts"],
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=config,
        ProductionVariants=[
            {
                "VariantName": "v",
                "ModelName": model,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config)
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig=WAIT)
    answer = runtime.invoke_endpoint(
        EndpointName=name, Body=esc10_clips(count=1)[0].read_bytes(), ContentType="audio/flac"
    )
    result = json.loads(answer["Body"].read())
    assert result["label"] in CLASSES
    assert len(result["windows"]) == 4
    sagemaker.delete_endpoint(EndpointName=name)
