"""Ray Serve as a model runtime: each served model one application of N replicas.

Imported only when ``SENSORIUM_RAY_SERVE_MODELS`` names models (``ray[serve]`` is in the
``cluster`` extra). A replica builds the model with the factory its service registered,
loads it on its own device (a GPU when the cluster has some: the replicas share them) and
answers ``infer`` on batches that ``@serve.batch`` collects up to the model's
``max_batch_size``. API nodes find a running application by name and deploy it otherwise,
so several nodes share one set of replicas (the last to deploy sets the replica count).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import ray
from ray import serve
from ray.serve.exceptions import RayServeException
from ray.serve.handle import DeploymentHandle

from sensorium import offline
from sensorium.cluster import connect
from sensorium.errors import ModelUnavailable
from sensorium.models.registry import Model, Servable, best_device

log = logging.getLogger(__name__)
APP_PREFIX = "sensorium-model-"
# How long a request waits for others to share its batch: small next to an inference.
BATCH_WAIT_SECONDS = 0.005
Factory = Callable[[], Model]


@dataclass(frozen=True)
class _Outcome:
    """One request's share of a batch: its result, or what it raised."""

    result: Any = None
    error: Exception | None = None


class ModelReplica:
    """One replica of a served model (the deployment is ``REPLICA`` below)."""

    def __init__(self, factory: Factory, max_batch_size: int) -> None:
        offline.enforce()
        # Ray pins a worker's OpenMP threads to its CPU reservation (one, so that replicas
        # fit beside job workers). An inference uses the node's cores, as in an API node's
        # own process: as fast, and the same results to the last bit.
        os.environ.pop("OMP_NUM_THREADS", None)
        model = factory()
        if not isinstance(model, Servable):
            raise TypeError(f"{type(model).__name__} is not Servable")
        model.load(best_device())
        self.model: Servable[Any, Any] = model
        self.batch.set_max_batch_size(max_batch_size)

    async def __call__(self, request: Any) -> Any:
        outcome: _Outcome = await self.batch(request)
        if outcome.error is not None:
            raise outcome.error
        return outcome.result

    @serve.batch(max_batch_size=1, batch_wait_timeout_s=BATCH_WAIT_SECONDS)  # type: ignore[untyped-decorator]
    async def batch(self, requests: list[Any]) -> list[_Outcome]:
        # In a thread: the replica's event loop keeps collecting the next batch meanwhile.
        return await asyncio.to_thread(self._infer, requests)

    def _infer(self, requests: list[Any]) -> list[_Outcome]:
        try:
            return [_Outcome(result) for result in self.model.infer(requests)]
        except Exception as error:
            if len(requests) == 1:
                return [_Outcome(error=error)]
        # A request that fails its batch fails alone: the others are answered one by one.
        return [self._infer([request])[0] for request in requests]


REPLICA = serve.deployment(max_constructor_retry_count=3)(ModelReplica)


class RayServe:
    """The models ``names``, each a Ray Serve application of ``replicas`` replicas on the
    cluster at ``address``."""

    def __init__(self, address: str, names: Iterable[str], replicas: int) -> None:
        self.address = address
        self.names = frozenset(names)
        self.replicas = replicas

    def serves(self, name: str) -> bool:
        return name in self.names

    def capacity(self, name: str) -> int:
        return self.replicas

    def serve(self, name: str, factory: Factory, max_batch_size: int) -> Callable[[Any], Any]:
        connect(self.address)
        app = APP_PREFIX + name
        if not self._running(app, name):
            self._deploy(app, name, factory, max_batch_size)
        handle: DeploymentHandle = serve.get_app_handle(app)
        return lambda request: _call(handle, name, request)

    def _running(self, app: str, name: str) -> bool:
        found = serve.status().applications.get(app)
        if found is None or found.status != "RUNNING" or name not in found.deployments:
            return False
        replicas: int = sum(found.deployments[name].replica_states.values())
        return replicas == self.replicas

    def _deploy(self, app: str, name: str, factory: Factory, max_batch_size: int) -> None:
        gpus = float(ray.cluster_resources().get("GPU", 0))
        options = {"num_cpus": 1, "num_gpus": min(1.0, gpus / self.replicas)}
        serve.start(proxy_location="Disabled")  # handles only: no HTTP proxy on the nodes
        deployment = REPLICA.options(
            name=name, num_replicas=self.replicas, ray_actor_options=options
        )
        log.info("deploying %s on Ray Serve: %d replicas, %s each", name, self.replicas, options)
        target = serve.RunTarget(deployment.bind(factory, max_batch_size), app, None)
        serve.run_many([target], wait_for_applications_running=False)
        self._wait(app, name)

    def _wait(self, app: str, name: str, every: float = 1.0) -> None:
        """Until the replicas are up; what Serve says meanwhile goes to the log (replicas
        that wait for resources the cluster lacks wait for good)."""
        said = ""
        while True:
            found = serve.status().applications.get(app)
            if found is not None and found.status == "RUNNING":
                return
            deployment = found.deployments.get(name) if found is not None else None
            message = deployment.message if deployment is not None else ""
            if found is not None and found.status in ("DEPLOY_FAILED", "UNHEALTHY"):
                raise RuntimeError(f"Ray Serve: {message or found.message}")
            if message and message != said:
                log.info("%s on Ray Serve: %s", name, message)
                said = message
            time.sleep(every)


def _call(handle: DeploymentHandle, name: str, request: Any) -> Any:
    try:
        return handle.remote(request).result()
    except ray.exceptions.RayTaskError:
        raise  # the model's own error (an instance of the class it raised)
    except (ray.exceptions.RayError, RayServeException) as error:
        raise ModelUnavailable(name, f"Ray Serve: {type(error).__name__}: {error}") from error
