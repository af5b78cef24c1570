"""Shared fixtures: a live Sensorium server on a free loopback port, and boto3 clients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

ACCESS_KEY = "AKIDSENSORIUMTEST1"
SECRET_KEY = "test-secret-key-one"
OTHER_ACCESS_KEY = "AKIDSENSORIUMTEST2"
OTHER_SECRET_KEY = "test-secret-key-two"
TOKEN_ACCESS_KEY = "ASIASENSORIUMTOKEN"
TOKEN_SECRET_KEY = "test-secret-key-token"
SESSION_TOKEN = "test-session-token"
CREDENTIALS = (
    f"{ACCESS_KEY}:{SECRET_KEY},{OTHER_ACCESS_KEY}:{OTHER_SECRET_KEY},"
    f"{TOKEN_ACCESS_KEY}:{TOKEN_SECRET_KEY}:{SESSION_TOKEN}"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """A ``sensorium serve`` subprocess; restartable on the same data directory."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> LiveServer:
        env = {**os.environ, "SENSORIUM_CREDENTIALS": CREDENTIALS, **self.env}
        self.log_path = self.data_dir.parent / f"server-{self.port}.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sensorium",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.endpoint}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def wait_ready(self, timeout: float = 300) -> LiveServer:
        """Until every model is loaded (benchmarks: the background preload would compete)."""
        deadline = time.monotonic() + timeout
        while httpx.get(f"{self.endpoint}/ready", timeout=5).status_code != 200:
            if time.monotonic() > deadline:
                raise RuntimeError(f"models did not load:\n{self.log()}")
            time.sleep(0.5)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None

    def restart(self) -> LiveServer:
        self.stop()
        return self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def client(
        self,
        service: str,
        access_key: str = ACCESS_KEY,
        secret_key: str = SECRET_KEY,
        region: str = "us-east-1",
        config: Config | None = None,
        **kwargs: Any,
    ) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=config or Config(retries={"max_attempts": 1}),
            **kwargs,
        )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("server") / "data").start()
    yield live
    live.stop()


@pytest.fixture
def fresh_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """A server of the test's own, for restarts and kills. It loads only the service the
    test is about (tests/services/<service>/...; Rekognition otherwise): every loaded service
    preloads its models, which costs memory and start-up time the test does not need."""
    parts = request.path.relative_to(ROOT / "tests").parts
    service = parts[1] if parts[0] == "services" and len(parts) > 2 else "rekognition"
    live = LiveServer(tmp_path / "data", env={"SENSORIUM_SERVICES": service})
    yield live
    live.stop()


@pytest.fixture
def client_for(server: LiveServer) -> Callable[..., Any]:
    return server.client


@pytest.fixture
def rekognition(server: LiveServer) -> Any:
    return server.client("rekognition")


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; skips the test when the shared data is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    return path
