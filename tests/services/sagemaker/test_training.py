"""Training jobs through boto3: a small classifier trained end to end, a stopped job, failed
jobs with their reasons, and the requests refused before any work."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import LiveServer
from tests.services.sagemaker.conftest import (
    ANOMALY,
    BUCKET,
    FAST,
    ROLE,
    WAIT,
    class_folders,
    esc10_clips,
    put,
    settled,
    training_request,
    unique,
)


def test_a_classifier_trains_end_to_end(
    server: LiveServer, sagemaker: Any, trained: dict[str, Any]
) -> None:
    job = trained
    name = job["TrainingJobName"]
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert job["SecondaryStatus"] == "Completed"
    steps = [step["Status"] for step in job["SecondaryStatusTransitions"]]
    assert steps == ["Starting", "Downloading", "Training", "Uploading", "Completed"]
    assert all("EndTime" in step for step in job["SecondaryStatusTransitions"])
    metrics = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert 0.0 <= metrics["validation:accuracy"] <= 1.0
    assert metrics["validation:loss"] > 0
    artifact = job["ModelArtifacts"]["S3ModelArtifacts"]
    assert artifact == f"s3://{BUCKET}/output/{name}/output/model.tar.gz"
    assert (server.data_dir / "s3" / BUCKET / "output" / name / "output" / "model.tar.gz").is_file()
    assert job["TrainingTimeInSeconds"] >= 1
    assert job["BillableTimeInSeconds"] == job["TrainingTimeInSeconds"]
    assert job["TrainingEndTime"] >= job["TrainingStartTime"] >= job["CreationTime"]
    assert job["HyperParameters"] == FAST

    listed = sagemaker.list_training_jobs(NameContains=name)["TrainingJobSummaries"]
    assert [(s["TrainingJobName"], s["TrainingJobStatus"]) for s in listed] == [(name, "Completed")]
    completed = sagemaker.list_training_jobs(StatusEquals="Completed", MaxResults=100)
    assert name in [s["TrainingJobName"] for s in completed["TrainingJobSummaries"]]


def test_training_jobs_are_listed_in_pages(server: LiveServer, sagemaker: Any) -> None:
    prefix = unique("page")
    names = [f"{prefix}-{i}" for i in range(3)]
    for job_name in names:  # refused datasets fail fast: only the listing matters here
        sagemaker.create_training_job(
            **training_request(job_name, f"s3://{BUCKET}/{prefix}-empty/")
        )
    seen, token = [], None
    while True:
        page = sagemaker.list_training_jobs(
            NameContains=prefix,
            MaxResults=2,
            SortBy="Name",
            **({"NextToken": token} if token else {}),
        )
        seen += [s["TrainingJobName"] for s in page["TrainingJobSummaries"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == names
    newest = sagemaker.list_training_jobs(NameContains=prefix, SortOrder="Descending")
    assert [s["TrainingJobName"] for s in newest["TrainingJobSummaries"]] == names[::-1]
    long_ago = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    after = sagemaker.list_training_jobs(NameContains=prefix, CreationTimeAfter=long_ago)
    assert len(after["TrainingJobSummaries"]) == 3
    before = sagemaker.list_training_jobs(NameContains=prefix, CreationTimeBefore=long_ago)
    assert before["TrainingJobSummaries"] == []


def test_a_stopped_job_ends_stopped(server: LiveServer, sagemaker: Any) -> None:
    name = unique("stop")
    uri = class_folders(server, esc10_clips(count=3))
    many_epochs = {**FAST, "epochs": "500", "patience": "500"}
    sagemaker.create_training_job(**training_request(name, uri, hyperparameters=many_epochs))
    sagemaker.stop_training_job(TrainingJobName=name)
    assert sagemaker.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] in (
        "Stopping",
        "Stopped",
    )
    sagemaker.get_waiter("training_job_completed_or_stopped").wait(
        TrainingJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 300}
    )
    job = sagemaker.describe_training_job(TrainingJobName=name)
    assert job["TrainingJobStatus"] == "Stopped"
    assert job["SecondaryStatus"] == "Stopped"
    with pytest.raises(botocore.exceptions.ClientError) as again:
        sagemaker.stop_training_job(TrainingJobName=name)
    assert again.value.response["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({}, "No audio files found in the train channel"),
        ({"dog/notes.txt": b"not audio"}, "No audio files found in the train channel"),
        ({"dog/a.wav": b"RIFF but not really a wave file", "cat/b.wav": b"x"}, "unreadable audio"),
    ],
    ids=["empty", "no-audio", "unreadable"],
)
def test_a_job_without_usable_audio_fails_with_the_reason(
    server: LiveServer, sagemaker: Any, files: dict[str, bytes], reason: str
) -> None:
    prefix = unique("bad")
    for key, data in files.items():
        put(server, f"{prefix}/{key}", data)
    name = unique("fail")
    sagemaker.create_training_job(**training_request(name, f"s3://{BUCKET}/{prefix}/"))
    job = settled(sagemaker, name)
    assert job["TrainingJobStatus"] == "Failed"
    assert job["SecondaryStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: ")
    assert reason in job["FailureReason"]
    with pytest.raises(botocore.exceptions.WaiterError):
        sagemaker.get_waiter("training_job_completed_or_stopped").wait(
            TrainingJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 2}
        )


def test_one_class_only_fails(server: LiveServer, sagemaker: Any) -> None:
    uri = class_folders(server, esc10_clips(classes=("dog",), count=3))
    job = settled(sagemaker, _created(sagemaker, training_request(unique("one"), uri)))
    assert job["TrainingJobStatus"] == "Failed"
    assert "at least two classes" in job["FailureReason"]


def _created(sagemaker: Any, request: dict[str, Any]) -> str:
    sagemaker.create_training_job(**request)
    return str(request["TrainingJobName"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                "AlgorithmSpecification": {
                    "TrainingImage": "tensorflow-training:2.13-cpu-py310",
                    "TrainingInputMode": "File",
                }
            },
            "sensorium/sound-classification:1",
        ),
        (
            {
                "AlgorithmSpecification": {
                    "TrainingImage": "pytorch-training:2.1-cpu-py310",
                    "TrainingInputMode": "File",
                }
            },
            "SENSORIUM_SAGEMAKER_SCRIPT_ACCOUNTS",
        ),
        ({"HyperParameters": {"epochs": "two"}}, "epochs"),
        ({"HyperParameters": {"learning_rat": "0.1"}}, "Unknown hyperparameter"),
        ({"HyperParameters": {"freq_mask": "-1"}}, "freq_mask=-1 is out of range"),
        ({"HyperParameters": {"refit": "2"}}, "refit=2 is out of range"),
        (
            {
                "InputDataConfig": [
                    {
                        "ChannelName": "training",
                        "DataSource": {
                            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/x/"}
                        },
                    }
                ]
            },
            "channel named 'train'",
        ),
        (
            {
                "ResourceConfig": {
                    "InstanceType": "ml.banana.large",
                    "InstanceCount": 1,
                    "VolumeSizeInGB": 1,
                }
            },
            "resourceConfig.instanceType",
        ),
    ],
    ids=[
        "image",
        "script-mode-off",
        "number",
        "unknown-hyperparameter",
        "negative-mask",
        "refit-not-0-or-1",
        "channel",
        "instance-type",
    ],
)
def test_bad_requests_are_refused_before_any_work(
    sagemaker: Any, change: dict[str, Any], message: str
) -> None:
    name = unique("refused")
    request = {**training_request(name, f"s3://{BUCKET}/x/"), **change}
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        sagemaker.create_training_job(**request)
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert message in error["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        sagemaker.describe_training_job(TrainingJobName=name)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"


def test_spec_augment_masks_may_be_turned_off(sagemaker: Any) -> None:
    name = unique("unmasked")
    hyperparameters = {**FAST, "freq_mask": "0", "time_mask": "0"}
    sagemaker.create_training_job(
        **training_request(name, f"s3://{BUCKET}/{name}-empty/", hyperparameters=hyperparameters)
    )
    job = sagemaker.describe_training_job(TrainingJobName=name)
    assert job["HyperParameters"] == hyperparameters


def test_a_duplicate_name_is_in_use(sagemaker: Any, trained: dict[str, Any]) -> None:
    request = training_request(trained["TrainingJobName"], f"s3://{BUCKET}/x/")
    with pytest.raises(botocore.exceptions.ClientError) as taken:
        sagemaker.create_training_job(**request)
    assert taken.value.response["Error"]["Code"] == "ResourceInUse"


def test_an_anomaly_detector_trains_on_normal_sounds_and_scores_clips(
    server: LiveServer, sagemaker: Any
) -> None:
    uri = class_folders(server, esc10_clips(classes=("sea_waves",), count=6))
    request = training_request(
        unique("anomaly"), uri, image=ANOMALY, hyperparameters={"epochs": "2", "n_mels": "32"}
    )
    job = settled(sagemaker, _created(sagemaker, request))
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    metrics = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert metrics["validation:threshold"] > 0
    name = unique("anomaly")
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": ANOMALY,
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
    runtime = server.client("sagemaker-runtime")
    dog = esc10_clips(classes=("dog",), count=1)[0]
    answer = json.loads(
        runtime.invoke_endpoint(EndpointName=name, Body=dog.read_bytes(), ContentType="audio/flac")[
            "Body"
        ].read()
    )
    assert set(answer) == {"anomaly_score", "threshold", "is_anomaly"}
    assert answer["threshold"] == pytest.approx(metrics["validation:threshold"], rel=1e-4)
    assert answer["is_anomaly"] == (answer["anomaly_score"] > answer["threshold"])
    sagemaker.delete_endpoint(EndpointName=name)
