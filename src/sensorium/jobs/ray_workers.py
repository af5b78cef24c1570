"""Durable jobs run on a Ray cluster (``SENSORIUM_RAY_ADDRESS``).

The job table stays the source of truth; Ray only hosts the processes that run jobs. Each
is a named, detached Ray actor that builds the server's components without HTTP (the same
settings: database, data directory, services) and runs the job system's own claim loop,
as a server's worker threads do. Leases, attempts, retries and cancellation stay the job
system's: a worker that dies mid-job loses nothing, since Ray restarts it (on the same host
it reclaims the job at once) or another worker claims the job when its lease expires.

API nodes run no workers of their own. They register the kinds (to submit and cancel) and
make sure the workers exist: the first to start creates them, the others find them by name.
This module is imported only when an address is set (``ray`` is in the ``cluster`` extra).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ray

from sensorium import offline, services
from sensorium.cluster import NAMESPACE, connect
from sensorium.components import Components
from sensorium.config import Settings
from sensorium.jobs.kinds import JobKind
from sensorium.storage.database import sqlite_url

log = logging.getLogger(__name__)
PREFIX = "sensorium-jobs"


@dataclass(frozen=True)
class Pool:
    """Workers that share one resource request and claim the same kinds."""

    role: str  # "any", "cpu" or "gpu": part of the workers' names
    size: int
    gpus: float  # per worker
    accelerated: bool | None  # claims only kinds that are (True) / are not (False); None: all

    def claims(self, kind: JobKind[Any]) -> bool:
        return self.accelerated is None or kind.accelerated == self.accelerated


def plan(workers: int, kinds: Iterable[JobKind[Any]], cluster_gpus: float) -> list[Pool]:
    """``workers`` per pool: one pool for everything, or, when the cluster has GPUs and some
    kind benefits from one, a CPU pool and a GPU pool (sharing the GPUs if fewer)."""
    if workers == 0:
        return []
    if cluster_gpus <= 0 or not any(kind.accelerated for kind in kinds):
        return [Pool("any", workers, 0.0, None)]
    share = min(1.0, cluster_gpus / workers)
    return [Pool("cpu", workers, 0.0, False), Pool("gpu", workers, share, True)]


def deployment(settings: Settings) -> str:
    """What names one deployment's workers: API nodes on the same database with the same
    services share them; another deployment on the same Ray cluster gets its own."""
    url = settings.database_url or sqlite_url(settings.data_dir)
    enabled = ",".join(services.enabled(settings.services))
    return hashlib.sha256(f"{url}\n{enabled}".encode()).hexdigest()[:12]


class JobWorker:
    """One Ray worker process of the job system (made a Ray actor by ``ensure``)."""

    def __init__(self, settings: Settings, pool: Pool) -> None:
        offline.enforce()
        from sensorium.admission import limit_arenas
        from sensorium.server import access_log

        limit_arenas()
        access_log.configure(settings.log_level)
        self.pool = pool
        self.state = "starting"
        self.components: Components | None = None
        # Built in a thread, retrying: a database that is briefly away must not kill the
        # actor (Ray would not restart one whose constructor raised).
        threading.Thread(target=self._start, args=(settings,), daemon=True).start()

    def _start(self, settings: Settings) -> None:
        from rich.console import Console

        from sensorium.models.fetch import fetch_missing
        from sensorium.server.app import build_components

        delay = 1.0
        while True:
            try:
                fetch_missing(settings, services.enabled(settings.services), Console(stderr=True))
                components = build_components(settings)
                components.jobs.start(self.pool.claims)
            except Exception as error:
                self.state = f"not started ({type(error).__name__}: {error}); retrying"
                log.exception("job worker: could not start; retrying in %.0f s", delay)
                time.sleep(delay)
                delay = min(60.0, delay * 2)
                continue
            self.components = components
            self.state = "running"
            log.info("job worker %s claims %s", components.jobs.owner, self.claimed())
            return

    def claimed(self) -> list[str]:
        if self.components is None:
            return []
        return sorted(n for n, k in self.components.jobs.kinds.items() if self.pool.claims(k))

    def describe(self) -> dict[str, Any]:
        jobs = self.components.jobs if self.components else None
        return {
            "state": self.state,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "node": ray.get_runtime_context().get_node_id(),
            "owner": jobs.owner if jobs else None,
            "running": jobs.running if jobs else 0,
            "kinds": self.claimed(),
        }

    def shutdown(self) -> None:
        """Hand running jobs back (no attempt spent) and exit for good."""
        if self.components is not None:
            self.components.close()
        ray.actor.exit_actor()


_Actor = ray.remote(JobWorker)


def names(settings: Settings, pool: Pool) -> list[str]:
    return [f"{PREFIX}-{deployment(settings)}-{pool.role}-{i}" for i in range(pool.size)]


def ensure(settings: Settings, kinds: Iterable[JobKind[Any]]) -> list[str]:
    """The deployment's workers, created where missing; their names. Workers that exist
    keep the settings they were created with (``sensorium workers stop`` ends them)."""
    gpus = float(ray.cluster_resources().get("GPU", 0))
    shipped = settings.model_copy(update={"credentials": None})  # workers serve no requests
    created = []
    for pool in plan(settings.ray.job_workers, list(kinds), gpus):
        # No resources named: Ray places the worker where a CPU is free and holds none for
        # it (it mostly waits for jobs; Serve replicas on the node must still find CPUs).
        # Naming a GPU share holds it, and a CPU, for the worker's life.
        resources = {"num_gpus": pool.gpus} if pool.gpus else {}
        for name in names(settings, pool):
            _Actor.options(
                name=name,
                namespace=NAMESPACE,
                lifetime="detached",
                get_if_exists=True,
                max_restarts=-1,
                scheduling_strategy="SPREAD",
                **resources,
            ).remote(shipped, pool)
            created.append(name)
    return created


def existing(settings: Settings) -> list[str]:
    """The names of this deployment's workers on the cluster."""
    prefix = f"{PREFIX}-{deployment(settings)}-"
    found = ray.util.list_named_actors(all_namespaces=True)
    return sorted(
        entry["name"]
        for entry in found
        if entry["namespace"] == NAMESPACE and entry["name"].startswith(prefix)
    )


def describe(name: str, timeout: float = 30.0) -> dict[str, Any]:
    handle = ray.get_actor(name, namespace=NAMESPACE)
    try:
        found: dict[str, Any] = ray.get(handle.describe.remote(), timeout=timeout)
    except (ray.exceptions.RayError, TimeoutError) as error:
        return {"state": f"unreachable ({type(error).__name__})"}
    return found


def stop(name: str, timeout: float = 30.0) -> None:
    """Let the worker hand its jobs back, then make sure it is gone (and not restarted)."""
    handle = ray.get_actor(name, namespace=NAMESPACE)
    # Exiting ends the call with an error; a stuck worker is killed below.
    with contextlib.suppress(ray.exceptions.RayError, TimeoutError):
        ray.get(handle.shutdown.remote(), timeout=timeout)
    ray.kill(handle, no_restart=True)


class RayJobs:
    """An API node's side: connect and make sure the workers exist, in the background and
    retrying, so that a node starts (and queues jobs) while the cluster is away."""

    def __init__(self, settings: Settings, kinds: Iterable[JobKind[Any]]) -> None:
        address = settings.ray.address
        assert address
        self.address = address
        self.settings = settings
        self.kinds = list(kinds)

    def start(self) -> None:
        threading.Thread(target=self._ensure, name="ray-jobs", daemon=True).start()

    def _ensure(self) -> None:
        delay = 1.0
        while True:
            try:
                connect(self.address)
                workers = ensure(self.settings, self.kinds)
            except Exception:
                log.exception("jobs: the Ray cluster at %s is not reachable", self.address)
                time.sleep(delay)
                delay = min(60.0, delay * 2)
                continue
            log.info("jobs run on the Ray cluster at %s: %s", self.address, workers)
            return


def command(settings: Settings, action: str) -> int:
    """``sensorium workers [status|start|stop]``."""
    assert settings.ray.address
    connect(settings.ray.address)
    if action == "start":
        from sensorium.server.app import build_components

        components = build_components(settings)  # the kinds, and the schema workers need
        ensure(settings, components.jobs.kinds.values())
        components.close()
        _wait_running(existing(settings))
    elif action == "stop":
        for name in existing(settings):
            stop(name)
            print(f"{name}: stopped")
        return 0
    found = existing(settings)
    for name in found:
        about = describe(name)
        where = f"{about['host']} pid {about['pid']}" if "pid" in about else "-"
        kinds = ", ".join(about.get("kinds", []))
        print(f"{name}  {about['state']}  {where}  running {about.get('running', 0)}  {kinds}")
    if not found:
        print(f"no job workers of this deployment on {settings.ray.address}")
    return 0 if found else 1


def _wait_running(found: list[str], limit: float = 600.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if all(describe(name)["state"] == "running" for name in found):
            return
        time.sleep(1.0)
