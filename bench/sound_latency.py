"""InvokeEndpoint latency for a 5 s ESC-10 clip through the server (boto3, loopback) against
the bare model in this process (decoding the same bytes, classifying), for each front end;
and DescribeEndpoint through the same server, the floor any signed call pays (no body, no model).
The models are trained for two epochs on a few clips: latency does not depend on accuracy.

    nice .venv/bin/python -m bench.sound_latency [--calls 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sensorium.models.sound.artifacts import load  # noqa: E402
from sensorium.models.sound.classifier import SoundClassifier  # noqa: E402
from sensorium.models.sound.data import decode  # noqa: E402
from tests.conftest import LiveServer  # noqa: E402
from tests.services.sagemaker.conftest import (  # noqa: E402
    BUCKET,
    CLASSIFICATION,
    ROLE,
    WAIT,
    class_folders,
    esc10_clips,
    settled,
    training_request,
    unique,
)


def deploy(server: LiveServer, front_end: str) -> tuple[str, bytes]:
    """An endpoint of a quickly trained classifier; (its name, the artefact's bytes)."""
    sagemaker = server.client("sagemaker")
    request = training_request(
        unique("latency"),
        class_folders(server, esc10_clips(count=4)),
        hyperparameters={"epochs": "2", "front_end": front_end},
    )
    sagemaker.create_training_job(**request)
    job = settled(sagemaker, request["TrainingJobName"])
    artifact = job["ModelArtifacts"]["S3ModelArtifacts"]
    name = unique("latency")
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": CLASSIFICATION, "ModelDataUrl": artifact},
    )
    variant = {"VariantName": "v", "ModelName": name, "InstanceType": "ml.m5.large"}
    sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant])
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig=WAIT)
    key = artifact.removeprefix(f"s3://{BUCKET}/")
    return name, (server.data_dir / "s3" / BUCKET / key).read_bytes()


def timed(call: Any, calls: int) -> float:
    call()  # warm
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    clip = esc10_clips(count=1)[0].read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder) / "data", env={"SENSORIUM_SERVICES": "sagemaker"}).start()
        try:
            runtime = server.client("sagemaker-runtime")
            sagemaker = server.client("sagemaker")
            for front_end in ("log-mel", "whisper-tiny-en"):
                endpoint, artefact = deploy(server, front_end)
                model = load(artefact)
                assert isinstance(model, SoundClassifier)

                def bare(model: SoundClassifier = model) -> None:
                    model.classify(decode("clip", clip, 600))

                def served(endpoint: str = endpoint) -> None:
                    runtime.invoke_endpoint(
                        EndpointName=endpoint, Body=clip, ContentType="audio/flac"
                    )["Body"].read()

                def described(endpoint: str = endpoint) -> None:
                    sagemaker.describe_endpoint(EndpointName=endpoint)

                bare_ms, served_ms = timed(bare, args.calls), timed(served, args.calls)
                floor_ms = timed(described, args.calls)
                print(
                    json.dumps(
                        {
                            "front_end": front_end,
                            "bare_model_ms": round(bare_ms, 1),
                            "invoke_endpoint_ms": round(served_ms, 1),
                            "overhead": round(served_ms / bare_ms - 1, 3),
                            "describe_endpoint_ms": round(floor_ms, 1),
                            "body_kib": round(len(clip) / 1024),
                        }
                    ),
                    flush=True,
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
