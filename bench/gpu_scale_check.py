"""For a machine with a GPU (about 3 minutes): the face model on CPU against CUDA, and as 1
against 2 Ray Serve replicas sharing the GPU.

    python bench/gpu_scale_check.py [--seconds 20]   # after `sensorium models fetch`

1. ``FaceEngine`` (MTCNN + dlib, what Rekognition's face operations run) on each device, one
   image at a time over the shared photos: ms per image, and whether both devices find the
   same faces (face counts, largest box difference in pixels, largest embedding distance).
2. A local Ray cluster with the machine's GPUs; the face model deployed by the Ray Serve
   runtime with 1, then 2 replicas (each a share of the GPU), this process calling it from
   two threads per replica for ``--seconds``: requests/s and the ratio to one replica.

Prints one JSON line per check. Without CUDA it says so and runs the CPU side only (it never
requires a GPU). SENSORIUM_BENCH_DATA overrides ../shared/data (copy the face photos there
when the machine has no shared folder).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SENSORIUM_BENCH_DATA", ROOT.parent / "shared" / "data"))
sys.path.insert(0, str(ROOT))

from sensorium.models.faces import FaceAnalysis, load_image  # noqa: E402
from sensorium.models.faces.types import RGBImage  # noqa: E402
from sensorium.models.registry import ModelRegistry  # noqa: E402
from sensorium.services.rekognition.engine import FACE_MODEL, FaceEngine  # noqa: E402


def photos() -> list[RGBImage]:
    folder = DATA / "faces"
    found = sorted((folder / "face_recognition" / "examples").glob("*.jpg"))
    found += sorted((folder / "facenet_pytorch" / "data" / "test_images").glob("*/*.jpg"))
    return [load_image(path.read_bytes()).rgb for path in found]


def faces_on(device: str, images: list[RGBImage]) -> tuple[float, list[list[FaceAnalysis]]]:
    engine = FaceEngine(None)
    engine.load(device)
    for rgb in images:
        engine.analyze(rgb)  # warm-up (CUDA kernels, allocations)
    times: list[float] = []
    found: list[list[FaceAnalysis]] = []
    for _ in range(2):
        found = []
        for rgb in images:
            started = time.perf_counter()
            found.append(engine.analyze(rgb))
            times.append(time.perf_counter() - started)
    return 1000 * float(np.median(times)), found


def devices(images: list[RGBImage]) -> dict[str, Any]:
    import torch

    result: dict[str, Any] = {"check": "devices", "images": len(images)}
    result["cpu_threads"] = torch.get_num_threads()
    result["cpu_ms_per_image"], on_cpu = faces_on("cpu", images)
    if not torch.cuda.is_available():
        result["cuda"] = "not available: CPU only"
        return result
    result["gpu"] = torch.cuda.get_device_name(0)
    result["cuda_ms_per_image"], on_cuda = faces_on("cuda", images)
    result["speedup"] = result["cpu_ms_per_image"] / result["cuda_ms_per_image"]
    result["same_face_counts"] = all(len(a) == len(b) for a, b in zip(on_cpu, on_cuda, strict=True))
    boxes, embeddings = [0.0], [0.0]
    for a, b in zip(on_cpu, on_cuda, strict=True):
        for x, y in zip(a, b, strict=False):  # compared where both found faces
            boxes.append(
                max(
                    abs(x.box.left - y.box.left),
                    abs(x.box.top - y.box.top),
                    abs(x.box.right - y.box.right),
                    abs(x.box.bottom - y.box.bottom),
                )
            )
            embeddings.append(float(np.linalg.norm(x.embedding - y.embedding)))
    result["max_box_difference_px"] = max(boxes)
    result["max_embedding_distance"] = max(embeddings)
    return result


def throughput(engine: FaceEngine, images: list[RGBImage], clients: int, seconds: float) -> float:
    """Requests a second from ``clients`` threads sending back to back for ``seconds``."""
    done = [0] * clients
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        turn = index
        while time.monotonic() < deadline:
            engine.largest_face(images[turn % len(images)])
            done[index] += 1
            turn += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - began)


def replicas(images: list[RGBImage], seconds: float) -> list[dict[str, Any]]:
    import ray

    from sensorium.models.ray_serve import RayServe
    from tests import ray_cluster

    os.environ.update(ray_cluster.environment())
    cluster = ray_cluster.head(cpus=os.cpu_count() or 2, gpus=None)
    rows: list[dict[str, Any]] = []
    try:
        for count in (1, 2):
            registry = ModelRegistry(runtime=RayServe(cluster.address, [FACE_MODEL], count))
            registry.register(FACE_MODEL, lambda: FaceEngine(None))
            started = time.perf_counter()
            engine = registry.get(FACE_MODEL, FaceEngine)
            deployed = time.perf_counter() - started
            for rgb in images[: 2 * count]:
                engine.largest_face(rgb)
            rows.append(
                {
                    "check": "ray_serve_replicas",
                    "replicas": count,
                    "gpus": ray.cluster_resources().get("GPU", 0),
                    "deploy_s": deployed,
                    "requests_per_s": throughput(engine, images, 2 * count, seconds),
                }
            )
            rows[-1]["ratio"] = rows[-1]["requests_per_s"] / rows[0]["requests_per_s"]
    finally:
        ray.shutdown()
        ray_cluster.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    images = photos()
    if not images:
        raise SystemExit(f"no face photos under {DATA}/faces (set SENSORIUM_BENCH_DATA)")
    print(json.dumps(devices(images)), flush=True)
    for row in replicas(images, args.seconds):
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
