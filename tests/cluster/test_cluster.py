"""Many machines, on one: a real PostgreSQL, a Ray cluster of two nodes (a head and one more,
each its own processes), and two API nodes sharing the database and one buckets folder.
Durable jobs run on Ray workers, never on the API nodes; killing an API node or the Ray
worker running a job loses no job. ``pytest -k cluster`` selects these tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sensorium.context import Scope
from sensorium.jobs import JobKind, JobRow, JobState, JobSystem, RunningJob
from sensorium.jobs.ray_workers import Pool, plan
from sensorium.storage.database import Database, sqlite_url
from sensorium.storage.owned import UNSCOPED
from tests import postgres
from tests.conftest import LiveServer, free_port
from tests.services.rekognition.faces_data import photo, single_person_photos

SERVICES = "rekognition,polly"
POLLY = "polly.synthesis"
SENTENCE = "The quick brown fox jumps over the lazy dog, and then it runs far into the forest. "
# Long enough to be caught running (several seconds of synthesis on two cores).
LONG_TEXT = SENTENCE * 8


class RayNode:
    """``ray start --block`` and the processes it starts, which ``stop`` kills by their ids
    (``ray stop`` would stop every Ray on the machine)."""

    def __init__(self, folder: Path, *arguments: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "ray-start.log"
        ports = {
            "node-manager-port": free_port(),
            "object-manager-port": free_port(),
            "dashboard-agent-listen-port": free_port(),
            "dashboard-agent-grpc-port": free_port(),
            "runtime-env-agent-port": free_port(),
            "metrics-export-port": free_port(),
        }
        command = [
            str(Path(sys.executable).with_name("ray")),
            "start",
            *arguments,
            "--num-cpus=1",
            "--object-store-memory=80000000",
            f"--temp-dir={folder}",
            "--disable-usage-stats",
            "--block",
            *(f"--{name}={port}" for name, port in ports.items()),
        ]
        self.process = subprocess.Popen(
            command,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"},
            start_new_session=True,
        )

    def wait(self, limit: float = 120) -> RayNode:
        wait_until(
            lambda: b"--block" in self.log.read_bytes() or self.process.poll() is not None, limit
        )
        assert self.process.poll() is None, self.log.read_text(errors="replace")
        return self

    def stop(self) -> None:
        """Kills the node's processes, workers included (a graceful stop takes half a
        minute)."""
        for pid in [*descendants(self.process.pid), self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
            children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class Cluster:
    a: LiveServer
    b: LiveServer
    database: Database
    env: dict[str, str]

    def up(self, node: LiveServer) -> LiveServer:
        return node if node.process is not None else node.start()

    def job(self, resource: str) -> JobRow:
        with self.database.reading(UNSCOPED) as session:
            found = session.scalar(select(JobRow).filter_by(kind=POLLY, resource=resource))
            assert found is not None
            return found


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("cluster")
    url = postgres.cluster().database(str(root))
    with contextlib.ExitStack() as stack:
        # Ray's socket paths must stay under the Unix limit (107 bytes): a short folder if
        # the test's own is too deep.
        short = root
        if len(str(root)) >= 40:
            short = Path(tempfile.mkdtemp(prefix="ray-"))
            stack.callback(shutil.rmtree, short, ignore_errors=True)
        port = free_port()
        head = RayNode(
            short / "head",
            "--head",
            f"--port={port}",
            "--include-dashboard=false",
            f"--dashboard-port={free_port()}",
            f"--ray-client-server-port={free_port()}",
        )
        stack.callback(head.stop)
        head.wait()
        other = RayNode(short / "other", f"--address=127.0.0.1:{port}")
        stack.callback(other.stop)
        env = {
            "SENSORIUM_DATABASE_URL": url,
            "SENSORIUM_RAY_ADDRESS": f"127.0.0.1:{port}",
            "SENSORIUM_RAY_JOB_WORKERS": "2",
            "SENSORIUM_SERVICES": SERVICES,
            # One job at a time per Ray worker; a short lease, so that a job whose worker
            # is gone is claimed again soon.
            "SENSORIUM_JOBS_WORKERS": "1",
            "SENSORIUM_JOBS_LEASE_SECONDS": "10",
            "SENSORIUM_JOBS_POLL_SECONDS": "0.2",
            "RAY_USAGE_STATS_ENABLED": "0",
        }
        database = Database(url)
        stack.callback(database.dispose)
        data = root / "data"  # both nodes: one buckets folder
        a, b = LiveServer(data, env=env), LiveServer(data, env=env)
        stack.callback(a.stop)
        stack.callback(b.stop)
        a.start()  # migrates the database first
        other.wait()
        b.start()
        yield Cluster(a, b, database, env)


def wait_until(condition: Callable[[], bool], limit: float = 180) -> None:
    """Polls (the limit only guards a hang; nothing is asserted about time)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "the condition never became true"
        time.sleep(0.1)


def start_task(node: LiveServer, text: str) -> str:
    task = node.client("polly").start_speech_synthesis_task(
        Text=text, VoiceId="Joanna", OutputFormat="pcm", OutputS3BucketName="cluster-out"
    )["SynthesisTask"]
    return str(task["TaskId"])


def task(node: LiveServer, task_id: str) -> dict[str, Any]:
    found: dict[str, Any] = node.client("polly").get_speech_synthesis_task(TaskId=task_id)[
        "SynthesisTask"
    ]
    return found


def finished(node: LiveServer, task_id: str) -> dict[str, Any]:
    wait_until(lambda: task(node, task_id)["TaskStatus"] in ("completed", "failed"))
    return task(node, task_id)


def output(node: LiveServer, task_id: str) -> Path:
    return node.data_dir / "s3" / "cluster-out" / f"{task_id}.pcm"


def running_worker(cluster: Cluster, task_id: str) -> int:
    """The process id of the worker holding the task's job (its lease owner is
    ``host:pid:token``)."""
    owners: list[str] = []

    def held() -> bool:
        job = cluster.job(task_id)
        if job.state == JobState.RUNNING and job.lease_owner:
            owners.append(job.lease_owner)
        return bool(owners)

    wait_until(held)
    return int(owners[0].split(":")[1])


def test_cluster_collection_made_on_one_node_is_searched_on_the_other(cluster: Cluster) -> None:
    a, b = cluster.up(cluster.a).client("rekognition"), cluster.up(cluster.b).client("rekognition")
    first, second = two_photos_of_one_person()
    a.create_collection(CollectionId="cluster-people")
    indexed = a.index_faces(CollectionId="cluster-people", Image={"Bytes": photo(first)})
    face_id = indexed["FaceRecords"][0]["Face"]["FaceId"]

    assert "cluster-people" in b.list_collections()["CollectionIds"]
    found = b.search_faces_by_image(CollectionId="cluster-people", Image={"Bytes": photo(second)})
    assert [match["Face"]["FaceId"] for match in found["FaceMatches"]] == [face_id]


def test_cluster_faces_indexed_on_one_node_reach_a_node_that_searched_before(
    cluster: Cluster,
) -> None:
    a, b = cluster.up(cluster.a).client("rekognition"), cluster.up(cluster.b).client("rekognition")
    first, second = two_photos_of_one_person()
    a.create_collection(CollectionId="cluster-later")
    search = {"CollectionId": "cluster-later", "Image": {"Bytes": photo(second)}}
    # B holds the collection's index in memory from here on.
    assert b.search_faces_by_image(**search)["FaceMatches"] == []
    indexed = a.index_faces(CollectionId="cluster-later", Image={"Bytes": photo(first)})
    face_id = indexed["FaceRecords"][0]["Face"]["FaceId"]

    found = b.search_faces_by_image(**search)
    assert [match["Face"]["FaceId"] for match in found["FaceMatches"]] == [face_id]


def two_photos_of_one_person() -> tuple[str, str]:
    photos = next(p for p in single_person_photos().values() if len(p) >= 2)
    return photos[0], photos[1]


def test_cluster_job_started_on_one_node_is_run_by_ray_and_read_on_the_other(
    cluster: Cluster,
) -> None:
    task_id = start_task(cluster.up(cluster.a), "Started on one node, read on the other.")
    done = finished(cluster.up(cluster.b), task_id)
    assert done["TaskStatus"] == "completed", done.get("TaskStatusReason")
    assert output(cluster.b, task_id).stat().st_size > 16000
    assert cluster.job(task_id).attempts == 1


def test_cluster_killing_the_ray_worker_running_a_job_loses_it_not(cluster: Cluster) -> None:
    b = cluster.up(cluster.b)
    task_id = start_task(b, LONG_TEXT)
    pid = running_worker(cluster, task_id)
    assert Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"ray::")  # a Ray worker
    os.kill(pid, signal.SIGKILL)

    done = finished(b, task_id)
    # Ray restarts the worker, which reclaims the job at once (another would claim it when
    # its lease expired); the lost attempt counts.
    assert done["TaskStatus"] == "completed", done.get("TaskStatusReason")
    assert cluster.job(task_id).attempts == 2
    assert output(b, task_id).stat().st_size > 16000


class Stand(JobKind[None]):
    """Stands for Polly's kind in this process, which cancels but runs nothing."""

    name = POLLY

    def run(self, job: RunningJob) -> None:
        raise AssertionError("the test process runs no jobs")


def test_cluster_cancelling_reaches_a_job_running_on_ray(cluster: Cluster) -> None:
    # Long enough to outlast the heartbeat that carries the cancellation (a third of the
    # lease) on a busy machine; the job stops at its next check, so the test does not wait.
    task_id = start_task(cluster.up(cluster.b), LONG_TEXT * 4)
    running_worker(cluster, task_id)
    jobs = JobSystem(cluster.database)
    jobs.register(Stand())
    with cluster.database.transaction(UNSCOPED) as session:
        assert jobs.cancel(session, POLLY, task_id) == 1

    wait_until(lambda: cluster.job(task_id).state in (JobState.CANCELLED, JobState.SUCCEEDED))
    assert cluster.job(task_id).state == JobState.CANCELLED
    assert not output(cluster.b, task_id).exists()  # stopped before writing its audio


def test_cluster_workers_command_lists_the_job_workers(cluster: Cluster) -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "sensorium", "workers", "status"],
        env={**os.environ, **cluster.env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert len(listed) == 2  # SENSORIUM_RAY_JOB_WORKERS, one pool (no GPUs)
    for line in listed:
        assert "-any-" in line and " running " in line
        assert POLLY in line.rsplit("  ", 1)[-1].split(", ")  # the job kinds it runs


def test_cluster_killing_an_api_node_mid_jobs_loses_none(cluster: Cluster) -> None:
    a, b = cluster.up(cluster.a), cluster.up(cluster.b)
    ids = [start_task(a, f"Job number {n}. " + SENTENCE * 2) for n in range(3)]
    wait_until(lambda: any(cluster.job(i).state == JobState.RUNNING for i in ids))
    a.kill()

    for task_id in ids:
        done = finished(b, task_id)
        assert done["TaskStatus"] == "completed", done.get("TaskStatusReason")
        assert output(b, task_id).exists()


class CpuWork(JobKind[None]):
    name = "test.cpu"

    def run(self, job: RunningJob) -> None:
        return None


class GpuWork(CpuWork):
    name = "test.gpu"
    accelerated = True


def test_cluster_gpu_work_goes_to_gpu_workers_when_the_cluster_has_gpus() -> None:
    kinds = [CpuWork(), GpuWork()]
    assert plan(2, kinds, 0) == [Pool("any", 2, 0.0, None)]
    assert plan(2, [CpuWork()], 4) == [Pool("any", 2, 0.0, None)]
    assert plan(0, kinds, 4) == []
    cpu, gpu = plan(2, kinds, 1)
    assert (cpu.gpus, gpu.gpus) == (0.0, 0.5)  # two workers share the one GPU
    assert cpu.claims(CpuWork()) and not cpu.claims(GpuWork())
    assert gpu.claims(GpuWork()) and not gpu.claims(CpuWork())


def test_cluster_a_worker_claims_only_its_pools_kinds(tmp_path: Path) -> None:
    database = Database(sqlite_url(tmp_path))
    database.migrate()
    jobs = JobSystem(database, workers=1, poll_seconds=0.05)
    for kind in (CpuWork(), GpuWork()):
        jobs.register(kind)
    scope = Scope("123456789012", "us-east-1")
    with database.transaction(UNSCOPED) as session:
        cpu_job = jobs.submit(session, CpuWork.name, scope, "one")
        gpu_job = jobs.submit(session, GpuWork.name, scope, "two")
    jobs.start(Pool("cpu", 1, 0.0, False).claims)
    try:

        def state(job_id: int) -> str:
            with database.reading(UNSCOPED) as session:
                row = session.get(JobRow, job_id)
                assert row is not None
                return row.state

        wait_until(lambda: state(cpu_job.id) == JobState.SUCCEEDED)
        assert state(gpu_job.id) == JobState.QUEUED
    finally:
        jobs.stop()
        database.dispose()


def test_cluster_support_is_not_imported_without_an_address() -> None:
    """The server and the command run without Ray installed (it is the `cluster` extra)."""
    code = "import sys, sensorium.cli, sensorium.server.app; assert 'ray' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
