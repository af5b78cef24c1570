"""Face search and indexing speed, each against a baseline measured in the same run.

1. The search step of SearchFacesByImage over 10 k, 100 k and 1 M faces (synthetic
   embeddings drawn to match the real ones' per-dimension statistics; real query faces),
   p50/p99, against naive numpy (distance to every row, then a full sort).
2. IndexFaces throughput through the server (boto3) against the bare pipeline in-process on
   the same photos: our server overhead.

    python bench/faces_search.py [--sizes 10000,100000,1000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sensorium.models.faces import FacePipeline, load_image  # noqa: E402
from sensorium.services.rekognition.vector_index import CollectionIndex  # noqa: E402
from sensorium.services.rekognition.vector_store import VectorStore  # noqa: E402
from tests.conftest import CREDENTIALS, SHARED_DATA, LiveServer  # noqa: E402

PHOTOS = [
    "face_recognition/examples/obama.jpg",
    "face_recognition/examples/obama2.jpg",
    "face_recognition/examples/biden.jpg",
    "face_recognition/examples/alex-lacamoire.png",
    "face_recognition/examples/lin-manuel-miranda.png",
    "face_recognition/examples/two_people.jpg",
    "facenet_pytorch/data/multiface.jpg",
    "facenet_pytorch/data/test_images/angelina_jolie/1.jpg",
]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def search_step(pipeline: FacePipeline, sizes: list[int], queries: int) -> list[str]:
    real = []
    for relative in PHOTOS:
        path = SHARED_DATA / "faces" / relative
        if path.exists():
            real += [f.embedding for f in pipeline.analyze(load_image(path.read_bytes()).rgb)]
    stack = np.stack(real)
    mean, std = stack.mean(axis=0), stack.std(axis=0) + 1e-3
    cutoff = pipeline.calibration.distance_for(80.0)
    rows = []
    rng = np.random.default_rng(0)
    for size in sizes:
        matrix = (rng.normal(size=(size, 128)) * std + mean).astype(np.float32)
        # Exact search (no graph): bench/faces_scale.py measures the approximate one.
        pks = np.arange(1, size + 1, dtype=np.int64)
        index = CollectionIndex(128, store=VectorStore(128, pks, matrix))
        ours, naive = [], []
        count = queries if size < 1_000_000 else max(queries // 4, 20)
        for i in range(count):
            query = real[i % len(real)]
            started = time.perf_counter()
            index.nearest(query, 100, cutoff)
            ours.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            distances = np.linalg.norm(matrix - query, axis=1)
            order = np.argsort(distances)[:100]
            _ = order[distances[order] <= cutoff]
            naive.append((time.perf_counter() - started) * 1000)
        rows.append(
            f"| {size:,} | {percentile(ours, 50):.1f} | {percentile(ours, 99):.1f} | "
            f"{percentile(naive, 50):.1f} | {percentile(naive, 99):.1f} | "
            f"{statistics.median(ours) / statistics.median(naive):.2f} |"
        )
        del matrix, index
    return rows


def index_throughput(pipeline: FacePipeline, rounds: int) -> str:
    photos = [
        (SHARED_DATA / "faces" / p).read_bytes()
        for p in PHOTOS
        if (SHARED_DATA / "faces" / p).exists()
    ]
    with tempfile.TemporaryDirectory() as scratch:
        server = LiveServer(Path(scratch) / "data", env={"SENSORIUM_CREDENTIALS": CREDENTIALS})
        server.start().wait_ready()
        try:
            client = server.client("rekognition")
            client.create_collection(CollectionId="bench")
            client.index_faces(CollectionId="bench", Image={"Bytes": photos[0]})  # warm up
            bare_times, server_times = [], []
            for round_number in range(rounds):
                started = time.perf_counter()
                for data in photos:
                    pipeline.analyze(load_image(data).rgb)
                bare_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                for n, data in enumerate(photos):
                    client.index_faces(
                        CollectionId="bench",
                        Image={"Bytes": data},
                        ExternalImageId=f"r{round_number}-{n}",
                    )
                server_times.append(time.perf_counter() - started)
        finally:
            server.stop()
    bare = len(photos) / statistics.median(bare_times)
    ours = len(photos) / statistics.median(server_times)
    return (
        f"| {len(photos)} photos x {rounds} rounds | {bare:.2f} | {ours:.2f} | "
        f"{(bare / ours - 1) * 100:+.1f} % |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not (SHARED_DATA / "faces").exists():
        raise SystemExit(f"shared data not found at {SHARED_DATA}")
    pipeline = FacePipeline()  # weights from the configured models directory
    pipeline.load()
    print(f"# faces ({platform.machine()}, {os.cpu_count()} cores)")
    print("\n| faces | ours p50 ms | ours p99 ms | naive p50 ms | naive p99 ms | ratio p50 |")
    print("|---|---|---|---|---|---|")
    for row in search_step(pipeline, [int(s) for s in args.sizes.split(",")], args.queries):
        print(row, flush=True)
    print("\n| IndexFaces | bare pipeline photos/s | server photos/s | overhead |")
    print("|---|---|---|---|")
    print(index_throughput(pipeline, args.rounds))


if __name__ == "__main__":
    main()
