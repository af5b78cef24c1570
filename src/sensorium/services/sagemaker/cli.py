"""``sensorium sound train DIR --kind classification|anomaly`` and ``sensorium sound classify
FILE --endpoint NAME [--plot out.png]``, through a running server.

``train`` uploads DIR (one folder per class; for anomaly detection, normal recordings in any
folders) to a bucket, runs a SageMaker training job with a progress bar (loss and accuracy
per epoch), and with ``--deploy NAME`` serves the model on an endpoint. ``classify`` sends a
file to an endpoint and prints its answer; ``--plot`` draws the clip's log-mel spectrogram
with the score of each window.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from sensorium.client import client, default_endpoint
from sensorium.services.sagemaker.algorithms import ANOMALY, CLASSIFICATION
from sensorium.services.sagemaker.channels import AUDIO_EXTENSIONS

ROLE = "arn:aws:iam::000000000000:role/sensorium-sagemaker"
IMAGES = {"classification": CLASSIFICATION, "anomaly": ANOMALY}
CONTENT_TYPES = {".wav": "audio/wav", ".flac": "audio/flac", ".mp3": "audio/mpeg"}


def add_commands(commands: Any) -> None:
    sound = commands.add_parser("sound", help="train sound models and classify sounds")
    sub = sound.add_subparsers(dest="sound_command", required=True)
    train = sub.add_parser("train", help="train a sound model on a folder of recordings")
    train.add_argument("dir", type=Path, help="one folder per class (or of normal sounds)")
    train.add_argument("--kind", choices=sorted(IMAGES), default="classification")
    train.add_argument("--name", help="training job name (default: generated)")
    train.add_argument("--bucket", default="sensorium-sound", help="bucket for data and model")
    train.add_argument(
        "--hyperparameter", "-p", action="append", default=[], help="NAME=VALUE (repeatable)"
    )
    train.add_argument("--deploy", metavar="ENDPOINT", help="serve the model on this endpoint")
    _connection_options(train)
    train.set_defaults(run=train_command)
    classify = sub.add_parser("classify", help="send an audio file to an endpoint")
    classify.add_argument("file", type=Path)
    classify.add_argument("--endpoint", required=True, help="endpoint name")
    classify.add_argument("--plot", type=Path, help="draw the log-mel and window scores (PNG)")
    _connection_options(classify)
    classify.set_defaults(run=classify_command)


def _connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint-url", default=default_endpoint(), help="the server")
    parser.add_argument("--data-dir", type=Path, default=None, help="server's data dir (keys)")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def train_command(args: argparse.Namespace) -> int:
    root: Path = args.dir
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS)
    if not files:
        return _fail(f"no audio files under {root}")
    hyperparameters = {}
    for item in args.hyperparameter:
        name, _, value = item.partition("=")
        if not value:
            return _fail(f"--hyperparameter {item!r} is not NAME=VALUE")
        hyperparameters[name] = value
    name = args.name or f"sound-{uuid.uuid4().hex[:8]}"
    s3 = client("s3", args.endpoint_url, args.data_dir)
    sagemaker = client("sagemaker", args.endpoint_url, args.data_dir)
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=args.bucket)
    prefix = f"{name}/train"
    for path in files:
        relative = path.relative_to(root).as_posix()
        if "/" not in relative:  # a file directly in DIR: its class is the folder's name
            relative = f"{root.resolve().name}/{relative}"
        s3.put_object(Bucket=args.bucket, Key=f"{prefix}/{relative}", Body=path.read_bytes())
    sagemaker.create_training_job(
        TrainingJobName=name,
        RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": IMAGES[args.kind], "TrainingInputMode": "File"},
        HyperParameters=hyperparameters,
        InputDataConfig=[
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": f"s3://{args.bucket}/{prefix}/",
                    }
                },
            }
        ],
        OutputDataConfig={"S3OutputPath": f"s3://{args.bucket}/output"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 86400},
    )
    job = _follow(sagemaker, name, len(files))
    if job["TrainingJobStatus"] != "Completed":
        return _fail(f"{name} {job['TrainingJobStatus']}: {job.get('FailureReason', '')}")
    print(f"model: {job['ModelArtifacts']['S3ModelArtifacts']}")
    if args.deploy:
        _deploy(sagemaker, name, IMAGES[args.kind], job, args.deploy)
        print(f"endpoint: {args.deploy} (InService)")
    return 0


def _follow(sagemaker: Any, name: str, files: int) -> dict[str, Any]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns) as progress:
        task = progress.add_task(f"{name}: {files} files", total=1.0)
        while True:
            job: dict[str, Any] = sagemaker.describe_training_job(TrainingJobName=name)
            metrics = {m["MetricName"]: m["Value"] for m in job.get("FinalMetricDataList", [])}
            done = metrics.pop("train:progress", 0.0)
            shown = "  ".join(f"{k}={v:.3f}" for k, v in sorted(metrics.items()))
            progress.update(task, completed=done, description=f"{job['SecondaryStatus']} {shown}")
            if job["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
                return job
            time.sleep(1)


def _deploy(sagemaker: Any, name: str, image: str, job: dict[str, Any], endpoint: str) -> None:
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": image,
            "ModelDataUrl": job["ModelArtifacts"]["S3ModelArtifacts"],
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": name,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=name)
    sagemaker.get_waiter("endpoint_in_service").wait(
        EndpointName=endpoint, WaiterConfig={"Delay": 1, "MaxAttempts": 600}
    )


def classify_command(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as error:
        return _fail(f"{args.file}: {error.strerror or error}")
    runtime = client("sagemaker-runtime", args.endpoint_url, args.data_dir)
    content_type = CONTENT_TYPES.get(args.file.suffix.lower(), "application/octet-stream")
    answer = runtime.invoke_endpoint(
        EndpointName=args.endpoint, Body=data, ContentType=content_type, Accept="application/json"
    )
    result = json.loads(answer["Body"].read())
    print(json.dumps(result if "label" not in result else _summary(result), indent=2))
    if args.plot and "windows" in result:
        return _plot(args.plot, data, result)
    return 0


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    return {"label": result["label"], "scores": result["scores"][:5]}


def _plot(path: Path, data: bytes, result: dict[str, Any]) -> int:
    try:
        matplotlib: Any = importlib.import_module("matplotlib")
    except ImportError:
        return _fail("--plot needs matplotlib: pip install matplotlib")
    matplotlib.use("Agg")
    pyplot: Any = importlib.import_module("matplotlib.pyplot")
    from sensorium.models.sound.features import MelSettings, log_mel
    from sensorium.models.stt.audio import decode_audio

    mel = MelSettings()
    spectrogram = log_mel(decode_audio(data).samples, mel).numpy()
    labels = [s["label"] for s in result["scores"][:3]]
    figure, (top, bottom) = pyplot.subplots(2, 1, figsize=(10, 6), sharex=True)
    seconds = spectrogram.shape[1] / mel.frames_per_second
    top.imshow(spectrogram, origin="lower", aspect="auto", extent=(0, seconds, 0, mel.n_mels))
    top.set_ylabel("mel band")
    top.set_title(f"{path.stem}: {result['label']}")
    for label in labels:
        centres, scores = [], []
        for window in result["windows"]:
            centres.append((window["start_seconds"] + window["end_seconds"]) / 2)
            scores.append(next(s["score"] for s in window["scores"] if s["label"] == label))
        bottom.plot(centres, scores, marker="o", label=label)
    bottom.set_ylim(0, 1)
    bottom.set_xlabel("seconds")
    bottom.set_ylabel("window score")
    bottom.legend()
    figure.tight_layout()
    figure.savefig(path)
    print(f"plot: {path}")
    return 0
