"""Models, endpoint configs and endpoints through boto3, with botocore's waiters, and
InvokeEndpoint on the small classifier the module trains."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import av
import botocore.exceptions
import numpy as np
import pytest

from sensorium.models.sound.classifier import CONFIG_FILE, unpack
from sensorium.models.stt.audio import SAMPLE_RATE, decode_audio
from tests.conftest import LiveServer
from tests.services.sagemaker.conftest import (
    BUCKET,
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


def mp3_bytes(flac: Path) -> bytes:
    """The clip as a 16 kHz mono MP3 (LAME through PyAV), skipping where FFmpeg lacks it."""
    if "libmp3lame" not in av.codecs_available:
        pytest.skip("this FFmpeg build has no MP3 encoder (libmp3lame)")
    samples = decode_audio(flac.read_bytes()).samples
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=SAMPLE_RATE, layout="mono")
        stream.bit_rate = 128_000
        frame = av.AudioFrame.from_ndarray(
            samples[None, :].astype(np.float32), format="flt", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return buffer.getvalue()


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


def test_an_mp3_body_gets_the_answer_of_the_lossless_clip(
    runtime: Any, endpoint: dict[str, str]
) -> None:
    clip = esc10_clips(count=1)[0]
    mp3 = mp3_bytes(clip)
    assert mp3.startswith(b"ID3")  # an MP3 file, not a FLAC in disguise
    answers = [
        json.loads(
            runtime.invoke_endpoint(
                EndpointName=endpoint["name"],
                Body=body,
                ContentType=kind,
                Accept="application/json",
            )["Body"].read()
        )
        for body, kind in ((clip.read_bytes(), "audio/flac"), (mp3, "audio/mpeg"))
    ]
    flac, mpeg = answers
    assert mpeg["label"] == flac["label"]
    assert [w["start_seconds"] for w in mpeg["windows"]] == [0.0, 1.0, 2.0, 3.0]
    lossless, lossy = ({s["label"]: s["score"] for s in a["scores"]} for a in answers)
    assert lossy.keys() == lossless.keys()
    # MP3 drops what it deems inaudible: close scores, not equal ones.
    assert all(abs(lossless[k] - lossy[k]) < 0.1 for k in lossless)


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


@pytest.mark.parametrize("front_end", ["whisper-tiny-en", "log-mel-stats"])
def test_another_front_end_trains_and_serves(
    server: LiveServer, sagemaker: Any, runtime: Any, front_end: str
) -> None:
    uri = class_folders(server, esc10_clips(count=4))
    request = training_request(
        unique("front"), uri, hyperparameters={**FAST, "front_end": front_end}
    )
    sagemaker.create_training_job(**request)
    job = settled(sagemaker, request["TrainingJobName"])
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    key = job["ModelArtifacts"]["S3ModelArtifacts"].removeprefix(f"s3://{BUCKET}/")
    files = unpack((server.data_dir / "s3" / BUCKET / key).read_bytes())
    assert json.loads(files[CONFIG_FILE])["settings"]["front_end"] == front_end
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
