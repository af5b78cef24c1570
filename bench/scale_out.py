"""Scale-out on one machine, loopback only: throughput with more API nodes and more replicas.

1. SearchFacesByImage on real shared photos, clients sending back to back for ``--seconds``:
   one API node (the baseline), two API nodes sharing one data directory, the same two with
   one OpenMP thread each (nodes sharing a host), and one API node whose face model runs as
   1 and 2 Ray Serve replicas on a local Ray cluster. Two clients
   per unit of capacity (an API node's own model, or a replica), so that each always has a
   request waiting and none is refused.
2. ``sensorium faces index`` of a folder of copies of the shared photos (in a temporary
   folder), 1 and 2 workers against 1 and 2 API nodes, in images/s.

Each throughput is also a ratio to the one-node baseline of the same run. Where the time
goes: the server's own time per request (its access log's ``service_ms``), the model's
(the bare pipeline in this process before any server starts, one image at a time; for the
replicas, Ray Serve's own log of each call), and CPU-seconds per request for each kind of
process (API nodes, the Ray cluster, this process's clients or the indexing command, and
the rest of the machine), from /proc.

    python bench/scale_out.py [--seconds 30] [--images 24] [--no-ray]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import ray_cluster  # noqa: E402
from tests.conftest import ACCESS_KEY, SECRET_KEY, LiveServer  # noqa: E402
from tests.services.rekognition.faces_data import faces_dir, single_person_photos  # noqa: E402

COLLECTION = "scale-out"
OPERATION = "SearchFacesByImage"
TICKS = os.sysconf("SC_CLK_TCK")
REPLICA_CALL = re.compile(r"CALL __call__ OK ([0-9.]+)ms")
NODE = {"SENSORIUM_SERVICES": "rekognition"}


# CPU accounting (/proc)


def cpu_of(pid: int) -> float:
    """CPU-seconds (user + system) of one live process; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU-seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


@dataclass
class CpuUse:
    """CPU-seconds spent during a measurement, by kind of process."""

    nodes: float
    ray: float
    clients: float
    machine_busy: float
    machine_total: float

    @property
    def other(self) -> float:
        return max(0.0, self.machine_busy - self.nodes - self.ray - self.clients)


@contextmanager
def cpu_use(
    nodes: list[LiveServer], cluster: ray_cluster.RayCluster | None, into: list[CpuUse]
) -> Iterator[None]:
    def sample() -> tuple[float, float, float, float, float]:
        node = sum(cpu_of(n.process.pid) for n in nodes if n.process is not None)
        ray = sum(cpu_of(p) for p in descendants(cluster.process.pid)) if cluster else 0.0
        own = sum(os.times()[:2])
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy, total = machine_cpu()
        return node, ray, own + child.ru_utime + child.ru_stime, busy, total

    before = sample()
    yield
    after = sample()
    into.append(CpuUse(*(b - a for a, b in zip(before, after, strict=True))))


# Logs


def offsets(nodes: list[LiveServer]) -> list[int]:
    return [n.log_path.stat().st_size if n.log_path else 0 for n in nodes]


def service_ms(nodes: list[LiveServer], since: list[int], operation: str) -> list[float]:
    found: list[float] = []
    for node, offset in zip(nodes, since, strict=True):
        assert node.log_path is not None
        with node.log_path.open("rb") as log:
            log.seek(offset)
            for line in log:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("operation") == operation and entry.get("status") == 200:
                    found.append(float(entry["service_ms"]))
    return found


def replica_ms(cluster: ray_cluster.RayCluster | None, since: int) -> list[float]:
    if cluster is None:
        return []
    calls = REPLICA_CALL.findall(cluster.replica_logs("faces"))
    return [float(ms) for ms in calls[since:]]


def replica_calls(cluster: ray_cluster.RayCluster | None) -> int:
    return len(REPLICA_CALL.findall(cluster.replica_logs("faces"))) if cluster else 0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# SearchFacesByImage throughput


@dataclass
class Row:
    config: str
    clients: int
    requests: int
    seconds: float
    refused: int
    server_ms: float
    model_ms: float
    cpu: CpuUse
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def probes() -> list[bytes]:
    people = sorted(single_person_photos().items())
    return [(faces_dir() / photos[-1]).read_bytes() for _, photos in people[:8]]


def search_load(
    name: str,
    nodes: list[LiveServer],
    clients: int,
    seconds: float,
    queries: list[bytes],
    cluster: ray_cluster.RayCluster | None = None,
    model_ms: float = float("nan"),
) -> Row:
    config = Config(retries={"max_attempts": 1}, max_pool_connections=clients)
    per_node = [node.client("rekognition", config=config) for node in nodes]
    for client in per_node:  # warm: the collection's index, the first request's imports
        for query in queries[:3]:
            client.search_faces_by_image(CollectionId=COLLECTION, Image={"Bytes": query})
    since, calls = offsets(nodes), replica_calls(cluster)
    done = [0] * clients
    refused = [0] * clients
    deadline = time.monotonic() + seconds

    def client_loop(index: int) -> None:
        client = per_node[index % len(nodes)]
        for query in itertools.cycle(queries[index:] + queries[:index]):
            if time.monotonic() >= deadline:
                return
            try:
                client.search_faces_by_image(CollectionId=COLLECTION, Image={"Bytes": query})
            except ClientError as error:
                if error.response["ResponseMetadata"]["HTTPStatusCode"] < 500:
                    refused[index] += 1
                    time.sleep(0.05)
                    continue
                raise
            done[index] += 1

    use: list[CpuUse] = []
    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    with cpu_use(nodes, cluster, use):
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    replica = replica_ms(cluster, calls)
    return Row(
        name,
        clients,
        sum(done),
        elapsed,
        sum(refused),
        median(service_ms(nodes, since, OPERATION)),
        median(replica) if cluster else model_ms,
        use[0],
    )


def bare_model_ms(queries: list[bytes]) -> float:
    """The face pipeline in this process, one image at a time (as one API node runs it)."""
    from sensorium.models.faces import load_image
    from sensorium.services.rekognition.engine import FaceEngine

    engine = FaceEngine(None)
    engine.load("cpu")
    images = [load_image(query).rgb for query in queries]
    for rgb in images:
        engine.largest_face(rgb)
    times = []
    for _ in range(2):
        for rgb in images:
            started = time.perf_counter()
            engine.largest_face(rgb)
            times.append(1000 * (time.perf_counter() - started))
    return median(times)


# Indexing throughput


@dataclass
class IndexRow:
    nodes: int
    workers: int
    images: int
    rate: float
    server_ms: float
    cpu: CpuUse


def photo_folder(folder: Path, images: int) -> None:
    people = sorted(single_person_photos().items())
    sources = [faces_dir() / photos[0] for _, photos in people]
    folder.mkdir(parents=True)
    for n in range(images):
        source = sources[n % len(sources)]
        shutil.copy(source, folder / f"{n:04d}-{source.parent.name}{source.suffix}")


def index_run(
    nodes: list[LiveServer], workers: int, folder: Path, scratch: Path, images: int
) -> IndexRow:
    name = f"index-{len(nodes)}n-{workers}w"
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    command = [sys.executable, "-m", "sensorium", "faces", "index", str(folder)]
    command += ["--collection", name, "--state", str(scratch / f"{name}.jsonl")]
    command += ["--workers", str(workers), "--endpoint", ",".join(n.endpoint for n in nodes)]
    since = offsets(nodes)
    use: list[CpuUse] = []
    with cpu_use(nodes, None, use):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    found = re.search(r"(\d+) sent in ([0-9.]+) s: ([0-9.]+) images/s", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"indexing failed:\n{done.stderr}")
    return IndexRow(
        len(nodes),
        workers,
        int(found.group(1)),
        float(found.group(3)),
        median(service_ms(nodes, since, "IndexFaces")),
        use[0],
    )


# Report


def per_request(seconds: float, requests: int) -> str:
    return f"{1000 * seconds / requests:.0f}" if requests else "-"


def search_table(rows: list[Row]) -> list[str]:
    base = rows[0].rate
    lines = [
        "| configuration | clients | requests/s | ratio | server p50 ms | model p50 ms "
        "| refused | machine CPU busy | CPU ms per request: API nodes / Ray / clients / other |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cpu = row.cpu
        busy = 100 * cpu.machine_busy / cpu.machine_total if cpu.machine_total else 0.0
        shares = " / ".join(
            per_request(s, row.requests) for s in (cpu.nodes, cpu.ray, cpu.clients, cpu.other)
        )
        lines.append(
            f"| {row.config} | {row.clients} | {row.rate:.2f} | {row.rate / base:.2f} "
            f"| {row.server_ms:.0f} | {row.model_ms:.0f} | {row.refused} | {busy:.0f} % "
            f"| {shares} |"
        )
    return lines


def index_table(rows: list[IndexRow]) -> list[str]:
    base = rows[0].rate
    lines = [
        "| API nodes | workers | images | images/s | ratio | server p50 ms | machine CPU busy "
        "| CPU ms per image: API nodes / command / other |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cpu = row.cpu
        busy = 100 * cpu.machine_busy / cpu.machine_total if cpu.machine_total else 0.0
        shares = " / ".join(per_request(s, row.images) for s in (cpu.nodes, cpu.clients, cpu.other))
        lines.append(
            f"| {row.nodes} | {row.workers} | {row.images} | {row.rate:.2f} "
            f"| {row.rate / base:.2f} | {row.server_ms:.0f} | {busy:.0f} % | {shares} |"
        )
    return lines


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--images", type=int, default=24)
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray Serve rows")
    args = parser.parse_args()
    os.environ.update(ray_cluster.environment())
    queries = probes()
    print(f"# scale-out ({platform.machine()}, {os.cpu_count()} cores, {args.seconds:g} s/row)")
    print(f"load average at start: {load_average()}")
    model_ms = bare_model_ms(queries)
    rows: list[Row] = []
    index_rows: list[IndexRow] = []
    with tempfile.TemporaryDirectory(prefix="scale-out-") as name:
        scratch = Path(name)
        data = scratch / "data"
        first = LiveServer(data, env=NODE).start().wait_ready()
        second = LiveServer(data, env=NODE)
        running = [first]
        try:
            rekognition = first.client("rekognition")
            rekognition.create_collection(CollectionId=COLLECTION)
            for person, photos in sorted(single_person_photos().items())[:8]:
                image = {"Bytes": (faces_dir() / photos[0]).read_bytes()}
                rekognition.index_faces(
                    CollectionId=COLLECTION, Image=image, ExternalImageId=person
                )
            rows.append(
                search_load("1 API node", [first], 2, args.seconds, queries, None, model_ms)
            )
            second.start().wait_ready()
            running.append(second)
            rows.append(
                search_load(
                    "2 API nodes", [first, second], 4, args.seconds, queries, None, model_ms
                )
            )
            folder = scratch / "photos"
            photo_folder(folder, args.images)
            for nodes, workers in (([first], 1), ([first], 2), ([first, second], 1)):
                index_rows.append(index_run(nodes, workers, folder, scratch, args.images))
            index_rows.append(index_run([first, second], 2, folder, scratch, args.images))
            for node in running:
                node.stop()
            # Each node's inference uses every core: nodes sharing a host compete for them.
            # The same two nodes with their cores shared out (one OpenMP thread each).
            running = [LiveServer(data, env={**NODE, "OMP_NUM_THREADS": "1"}).start().wait_ready()]
            rows.append(
                search_load(
                    "1 API node, 1 thread", running, 2, args.seconds, queries, None, model_ms
                )
            )
            running.append(
                LiveServer(data, env={**NODE, "OMP_NUM_THREADS": "1"}).start().wait_ready()
            )
            rows.append(
                search_load(
                    "2 API nodes, 1 thread each", running, 4, args.seconds, queries, None, model_ms
                )
            )
        finally:
            for node in running:
                node.stop()
        if not args.no_ray:
            cluster = ray_cluster.head(cpus=os.cpu_count() or 2)
            try:
                for replicas in (1, 2):
                    served = LiveServer(
                        data,
                        env={
                            **NODE,
                            "SENSORIUM_RAY_ADDRESS": cluster.address,
                            "SENSORIUM_RAY_SERVE_MODELS": "faces",
                            "SENSORIUM_RAY_SERVE_REPLICAS": str(replicas),
                            "SENSORIUM_RAY_JOB_WORKERS": "0",
                        },
                    )
                    try:
                        served.start().wait_ready()
                        label = f"1 API node + {replicas} Ray Serve replica" + "s" * (replicas > 1)
                        rows.append(
                            search_load(
                                label, [served], 2 * replicas, args.seconds, queries, cluster
                            )
                        )
                    finally:
                        served.stop()
            finally:
                ray_cluster.stop()
    print(f"load average at end: {load_average()}")
    print(f"bare face pipeline, one image at a time: {model_ms:.0f} ms p50")
    print()
    print("\n".join(search_table(rows)))
    print()
    print("\n".join(index_table(index_rows)))


if __name__ == "__main__":
    main()
