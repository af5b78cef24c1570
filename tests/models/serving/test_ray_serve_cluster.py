"""The Ray Serve runtime with a tiny model (``pytest -k cluster``): requests that arrive
together are inferred in batches, a request that fails its batch fails alone, and without
the settings nothing imports Ray."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from sensorium.admission import Admission, GateLimits
from sensorium.models.registry import ModelRegistry
from tests import ray_cluster
from tests.models.serving.echo import Echo


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    import ray

    from sensorium.models.ray_serve import RayServe

    cluster = ray_cluster.head()
    registry = ModelRegistry(runtime=RayServe(cluster.address, ["echo"], replicas=1))
    registry.register("echo", Echo)
    try:
        yield registry.get("echo", Echo)
    finally:
        ray.shutdown()


def test_cluster_requests_sent_together_are_batched(echo: Echo) -> None:
    requests = list(range(12))
    with ThreadPoolExecutor(len(requests)) as pool:
        answers = list(pool.map(echo.run, requests))
    assert [request for request, _ in answers] == requests
    sizes = {size for _, size in answers}
    assert max(sizes) > 1
    assert max(sizes) <= Echo.max_batch_size
    assert echo.device == ""  # loaded in the replica, never here


def test_cluster_a_failing_request_fails_alone(echo: Echo) -> None:
    requests = [1, 2, -3, 4]
    with ThreadPoolExecutor(len(requests)) as pool:
        futures = [pool.submit(echo.run, request) for request in requests]
    for request, future in zip(requests, futures, strict=True):
        if request < 0:
            with pytest.raises(ValueError, match="negative"):
                future.result()
        else:
            assert future.result()[0] == request


def test_cluster_served_model_gate_admits_per_replica() -> None:
    admission = Admission(GateLimits(1, 1, 5.0), capacity=lambda name: 3 if name == "x" else 1)
    assert admission.gate("x").limits == GateLimits(3, 3, 5.0)
    assert admission.gate("y").limits == GateLimits(1, 1, 5.0)


def test_without_a_cluster_nothing_imports_ray(tmp_path: object) -> None:
    check = (
        "import sys\n"
        "from sensorium.config import Settings\n"
        "from sensorium.server.app import build_components\n"
        f"settings = Settings(data_dir={str(tmp_path)!r}, services='rekognition')\n"
        "components = build_components(settings)\n"
        "components.close()\n"
        "assert 'ray' not in sys.modules, 'ray imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
