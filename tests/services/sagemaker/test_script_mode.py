"""Script mode through boto3: the caller's own PyTorch script trains a small network on real
data with SageMaker's environment; failures, stops and unsafe archives; the setting that
allows it per account."""

from __future__ import annotations

import csv
import io
import json
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from sensorium.auth.credentials import AccessKey
from tests.conftest import (
    ACCESS_KEY,
    OTHER_ACCESS_KEY,
    OTHER_SECRET_KEY,
    SECRET_KEY,
    LiveServer,
    shared_data,
)
from tests.services.sagemaker.conftest import BUCKET, ROLE, WAIT, put, settled, unique

SCRIPTS = Path(__file__).parent / "scripts"
SCRIPT_IMAGE = "sensorium/pytorch-script:1"
AWS_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310"
LOSS = {"Name": "train:loss", "Regex": r"loss=([0-9.]+)"}
SLEEPER = "import time\nprint('waiting', flush=True)\nwhile True:\n    time.sleep(0.2)\n"


@pytest.fixture(scope="module")
def live(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server that allows script mode for the first test account only."""
    allowed = AccessKey(ACCESS_KEY, SECRET_KEY).account_id
    env = {"SENSORIUM_SERVICES": "sagemaker", "SENSORIUM_SAGEMAKER_SCRIPT_ACCOUNTS": allowed}
    server = LiveServer(tmp_path_factory.mktemp("scripts") / "data", env=env)
    server.start(timeout=300)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sagemaker(live: LiveServer) -> Any:
    return live.client("sagemaker")


def source_dir(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def script_request(
    server: LiveServer,
    name: str,
    files: dict[str, bytes],
    program: str = "train.py",
    hyperparameters: dict[str, str] | None = None,
    image: str = SCRIPT_IMAGE,
    **extra: Any,
) -> dict[str, Any]:
    """As the SageMaker Python SDK's PyTorch estimator sends it: the source directory in S3,
    its hyperparameters JSON-encoded."""
    code = put(server, f"{name}/source/sourcedir.tar.gz", source_dir(files))
    train = put(server, f"{name}/train/hourly.csv", m4_hourly())
    return {
        "TrainingJobName": name,
        "RoleArn": ROLE,
        "AlgorithmSpecification": {
            "TrainingImage": image,
            "TrainingInputMode": "File",
            "MetricDefinitions": [LOSS],
        },
        "HyperParameters": {
            **(hyperparameters or {}),
            "sagemaker_program": json.dumps(program),
            "sagemaker_submit_directory": json.dumps(code),
            "sagemaker_region": json.dumps("us-east-1"),
        },
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": train.rpartition("/")[0]}
                },
            }
        ],
        "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/output"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        **extra,
    }


def m4_hourly() -> bytes:
    """The M4 competition's hourly test horizons: 414 series of 48 hours."""
    return shared_data("forecasting", "m4", "Hourly-test.csv").read_bytes()


def train_script() -> dict[str, bytes]:
    return {name: (SCRIPTS / name).read_bytes() for name in ("train.py", "inference.py")}


def output_file(server: LiveServer, name: str, file_name: str) -> Path:
    return server.data_dir / "s3" / BUCKET / "output" / name / "output" / file_name


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as archive:
        return {
            member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in archive
            if member.isfile()
        }


def secondary_status(sagemaker: Any, name: str, wanted: str, limit: float = 300) -> str:
    """The job's SecondaryStatus once it is ``wanted`` (or the job ended; the limit only
    guards a hang)."""
    deadline = time.monotonic() + limit
    while True:
        job = sagemaker.describe_training_job(TrainingJobName=name)
        status: str = job["SecondaryStatus"]
        if status == wanted or job["TrainingJobStatus"] != "InProgress":
            return status
        if time.monotonic() > deadline:
            return status
        time.sleep(0.2)


@pytest.fixture(scope="module")
def trained(live: LiveServer, sagemaker: Any) -> dict[str, Any]:
    """train.py trained through an AWS PyTorch training image, as the SDK would start it."""
    name = unique("script")
    hyperparameters = {"epochs": "25", "learning_rate": "0.01", "optimizer": '"adam"'}
    request = script_request(live, name, train_script(), hyperparameters=hyperparameters)
    request["AlgorithmSpecification"]["TrainingImage"] = AWS_IMAGE
    sagemaker.create_training_job(**request)
    return settled(sagemaker, name)


def test_a_script_trains_a_network_with_sagemakers_environment(
    live: LiveServer, trained: dict[str, Any]
) -> None:
    job = trained
    name = job["TrainingJobName"]
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    steps = [step["Status"] for step in job["SecondaryStatusTransitions"]]
    assert steps == ["Starting", "Downloading", "Training", "Uploading", "Completed"]

    log = output_file(live, name, "training.log").read_text()
    losses = [float(line.split("loss=")[1]) for line in log.splitlines() if "loss=" in line]
    assert len(losses) == 25
    assert losses[-1] < losses[0] / 2  # it learned
    metrics = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert metrics == {"train:loss": pytest.approx(losses[-1])}

    artifact = job["ModelArtifacts"]["S3ModelArtifacts"]
    assert artifact == f"s3://{BUCKET}/output/{name}/output/model.tar.gz"
    model = members(output_file(live, name, "model.tar.gz"))
    assert sorted(model) == ["code/inference.py", "model.pth"]
    import torch

    weights = torch.load(io.BytesIO(model["model.pth"]), weights_only=True)
    assert weights["0.weight"].shape == (32, 24)

    seen = json.loads(members(output_file(live, name, "output.tar.gz"))["seen.json"])
    assert seen["argv"] == ["--epochs", "25", "--learning_rate", "0.01", "--optimizer", "adam"]
    assert seen["hps"] == {"epochs": 25, "learning_rate": 0.01, "optimizer": "adam"}
    assert seen["hp_epochs"] == "25"
    assert seen["channels"] == ["train"]
    assert (seen["current_host"], seen["hosts"]) == ("algo-1", ["algo-1"])
    assert seen["num_gpus"] == 0  # an ml.m5 instance trains on the CPU
    assert seen["num_cpus"] >= 1
    assert seen["server_variables"] == []  # never the server's credentials
    assert seen["cwd_files"] == ["inference.py", "train.py"]


def test_a_failing_script_fails_with_its_error(live: LiveServer, sagemaker: Any) -> None:
    name = unique("broken")
    negative = {"epochs": "2", "learning_rate": "-1"}  # torch.optim refuses it
    sagemaker.create_training_job(
        **script_request(live, name, train_script(), hyperparameters=negative)
    )
    job = settled(sagemaker, name)
    assert job["TrainingJobStatus"] == "Failed"
    reason = job["FailureReason"]
    assert reason.startswith("AlgorithmError: ExecuteUserScriptError:\nExitCode 1\n")
    assert "ValueError: Invalid learning rate: -1.0" in reason
    assert len(reason) <= 1024
    assert "ValueError" in output_file(live, name, "training.log").read_text()


def test_stop_training_job_stops_a_running_script(live: LiveServer, sagemaker: Any) -> None:
    name = unique("sleeper")
    request = script_request(live, name, {"sleep.py": SLEEPER.encode()}, program="sleep.py")
    sagemaker.create_training_job(**request)
    log = output_file(live, name, "training.log")
    assert secondary_status(sagemaker, name, "Training") == "Training"
    sagemaker.stop_training_job(TrainingJobName=name)
    job = settled(sagemaker, name)
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "Stopped")
    assert "waiting" in log.read_text()  # the log of a stopped job is kept too


def test_max_runtime_stops_a_script(live: LiveServer, sagemaker: Any) -> None:
    name = unique("runtime")
    request = script_request(
        live,
        name,
        {"sleep.py": SLEEPER.encode()},
        program="sleep.py",
        StoppingCondition={"MaxRuntimeInSeconds": 2},
    )
    sagemaker.create_training_job(**request)
    job = settled(sagemaker, name)
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "MaxRuntimeExceeded")


@pytest.mark.parametrize(
    ("member", "reason"),
    [("../escaped.py", "outside its folder"), ("/tmp/absolute.py", "outside its folder")],
    ids=["parent", "absolute"],
)
def test_an_archive_leaving_its_folder_is_refused(
    live: LiveServer, sagemaker: Any, member: str, reason: str
) -> None:
    name = unique("unsafe")
    files = {**train_script(), member: b"print('escaped')\n"}
    sagemaker.create_training_job(**script_request(live, name, files))
    job = settled(sagemaker, name)
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: the source directory s3://")
    assert reason in job["FailureReason"]
    assert not (live.data_dir / "s3" / BUCKET / name / "escaped.py").exists()


def test_an_account_not_allowed_is_refused_before_any_work(live: LiveServer) -> None:
    other = live.client("sagemaker", access_key=OTHER_ACCESS_KEY, secret_key=OTHER_SECRET_KEY)
    name = unique("refused")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        other.create_training_job(**script_request(live, name, train_script()))
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "SENSORIUM_SAGEMAKER_SCRIPT_ACCOUNTS" in error["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        other.describe_training_job(TrainingJobName=name)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"


@pytest.mark.parametrize(
    ("hyperparameters", "message"),
    [
        ({"sagemaker_program": '"../train.py"'}, "inside the source directory"),
        ({"sagemaker_submit_directory": '"file:///tmp/code"'}, "sagemaker_submit_directory"),
    ],
    ids=["program", "submit-directory"],
)
def test_bad_script_requests_are_refused(
    live: LiveServer, sagemaker: Any, hyperparameters: dict[str, str], message: str
) -> None:
    request = script_request(live, unique("bad"), train_script())
    request["HyperParameters"].update(hyperparameters)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        sagemaker.create_training_job(**request)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert message in refused.value.response["Error"]["Message"]


def test_a_script_model_is_served_with_its_inference_code(
    live: LiveServer, sagemaker: Any, trained: dict[str, Any]
) -> None:
    name = unique("served")
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310"
    artifact = trained["ModelArtifacts"]["S3ModelArtifacts"]
    container = {"Image": image, "ModelDataUrl": artifact}
    sagemaker.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer=container)
    variant = {"VariantName": "v", "ModelName": name, "InstanceType": "ml.m5.large"}
    sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant])
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig=WAIT)
    runtime = live.client("sagemaker-runtime")

    first = list(csv.reader(io.StringIO(m4_hourly().decode())))[1]
    hours = [float(value) for value in first[1:25]]
    answer = runtime.invoke_endpoint(
        EndpointName=name, Body=json.dumps({"hours": hours}), ContentType="application/json"
    )
    assert answer["ContentType"] == "application/json"
    predicted = json.loads(answer["Body"].read())["next_hour"]
    assert predicted == pytest.approx(local_prediction(live, trained["TrainingJobName"], hours))

    with pytest.raises(botocore.exceptions.ClientError) as refused:
        runtime.invoke_endpoint(EndpointName=name, Body=b"[1, 2]", ContentType="text/csv")
    response: dict[str, Any] = refused.value.response
    assert response["Error"]["Code"] == "ModelError"
    assert response["OriginalStatusCode"] == 500
    assert "send application/json, not text/csv" in response["OriginalMessage"]
    workers = live.data_dir / "sagemaker-scripts"
    serving = set(workers.glob("model-*/worker.log"))  # its worker's folder among them
    assert serving
    sagemaker.delete_endpoint(EndpointName=name)
    # Deleting the endpoint stops its worker and removes the unpacked model.
    assert len(set(workers.glob("model-*/worker.log"))) == len(serving) - 1


def local_prediction(server: LiveServer, job_name: str, hours: list[float]) -> float:
    """What the trained weights say, computed here with the same network."""
    import torch

    weights = members(output_file(server, job_name, "model.tar.gz"))["model.pth"]
    network = torch.nn.Sequential(torch.nn.Linear(24, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    network.load_state_dict(torch.load(io.BytesIO(weights), weights_only=True))
    scale = sum(hours) / len(hours)
    with torch.no_grad():
        return float(network(torch.tensor([[h / scale for h in hours]]))[0, 0]) * scale


def test_another_account_cannot_host_a_script_model(live: LiveServer) -> None:
    other = live.client("sagemaker", access_key=OTHER_ACCESS_KEY, secret_key=OTHER_SECRET_KEY)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        other.create_model(
            ModelName=unique("hosted"),
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": SCRIPT_IMAGE, "ModelDataUrl": f"s3://{BUCKET}/m.tar.gz"},
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "SENSORIUM_SAGEMAKER_SCRIPT_ACCOUNTS" in refused.value.response["Error"]["Message"]
