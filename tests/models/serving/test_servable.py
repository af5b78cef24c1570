"""The registry's side of models that may run elsewhere, with a runtime that is a function
in this process (no Ray): the same object answers either way, and misconfigurations say so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sensorium.config import RaySettings
from sensorium.errors import ConfigurationError, ModelUnavailable
from sensorium.models.registry import Model, ModelRegistry, Servable, runtime
from tests.models.serving.echo import Echo


class InThisProcess:
    """A runtime whose 'replica' is a model loaded here: what crosses is recorded."""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.sent: list[Any] = []
        self.batch_sizes: list[int] = []

    def serves(self, name: str) -> bool:
        return name in self.names

    def capacity(self, name: str) -> int:
        return 2

    def serve(
        self, name: str, factory: Callable[[], Model], max_batch_size: int
    ) -> Callable[[Any], Any]:
        model = factory()
        assert isinstance(model, Servable)
        model.load("elsewhere")
        self.batch_sizes.append(max_batch_size)

        def send(request: Any) -> Any:
            self.sent.append(request)
            return model.infer([request])[0]

        return send


class Plain(Model):
    name = "plain"

    def load(self, device: str) -> None:
        pass


def test_in_process_a_servable_model_infers_itself() -> None:
    registry = ModelRegistry(device="cpu")
    registry.register("echo", Echo)
    echo = registry.get("echo", Echo)
    assert echo.device == "cpu"
    assert echo.run(7) == (7, 1)
    assert registry.capacity("echo") == 1


def test_a_served_model_sends_its_requests_to_the_runtime() -> None:
    elsewhere = InThisProcess({"echo"})
    registry = ModelRegistry(device="cpu", runtime=elsewhere)
    registry.register("echo", Echo)
    echo = registry.get("echo", Echo)
    assert echo.run(7) == (7, 1)
    assert echo.device == ""  # this object loaded nothing
    assert elsewhere.sent == [7]
    assert elsewhere.batch_sizes == [Echo.max_batch_size]
    assert registry.capacity("echo") == 2
    assert registry.status() == {"echo": "loaded"}


def test_a_model_that_cannot_run_elsewhere_is_unavailable_with_the_reason() -> None:
    registry = ModelRegistry(device="cpu", runtime=InThisProcess({"plain"}))
    registry.register("plain", Plain)
    with pytest.raises(ModelUnavailable, match="cannot run elsewhere"):
        registry.get("plain", Plain)
    assert registry.status()["plain"].startswith("failed: Plain cannot run elsewhere")


def test_runtime_settings() -> None:
    assert runtime(RaySettings()) is None
    assert runtime(RaySettings(address="127.0.0.1:6379")) is None
    with pytest.raises(ConfigurationError, match="SENSORIUM_RAY_ADDRESS"):
        runtime(RaySettings(serve_models="faces"))
