"""Shared fixtures: a live Sensorium server on a free loopback port, and boto3 clients."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from sensorium.storage.database import Database, sqlite_url
from tests import fidelity, postgres

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


# Every test that stores anything runs against both stores of record: SQLite (the embedded
# default) and PostgreSQL. ``pytest -k postgres`` selects the PostgreSQL runs.
DATABASES = ("sqlite", "postgres")
# Pure model tests touch no database; the fresh-install test builds its own environment;
# the cluster tests run on PostgreSQL of their own; the fidelity check is tested on answers
# made up in the test.
SINGLE_DATABASE = ("models", "test_fresh_install.py", "cluster", "test_fidelity.py")
_postgres: postgres.PostgresCluster | None = None


def database_url(key: str | Path) -> str | None:
    """The database of the running backend for ``key`` (a data directory): None means the
    server's default, SQLite in its data directory."""
    return None if _postgres is None else _postgres.database(str(key))


def store_url(folder: Path) -> str:
    """The URL of the running backend's database for ``folder``: the one a server on that
    data directory uses (SQLite inside it, or the PostgreSQL database keyed by it)."""
    return database_url(folder) or sqlite_url(folder)


def migrated(folder: Path) -> Database:
    """A database of the running backend for ``folder``, at the newest schema."""
    db = Database(store_url(folder))
    db.migrate()
    return db


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    where = metafunc.definition.path.relative_to(ROOT / "tests").parts
    if "database" in metafunc.fixturenames and where[0] not in SINGLE_DATABASE:
        metafunc.parametrize("database", DATABASES, indirect=True, scope="session")


@pytest.fixture(scope="session", autouse=True)
def database(request: pytest.FixtureRequest) -> Iterator[str]:
    """The store of record of the servers this test starts ("sqlite" or "postgres").
    Fixtures of module or session scope that hold a server or its resources take it too, so
    that they are made again for each backend."""
    global _postgres
    name = getattr(request, "param", "sqlite")
    _postgres = None
    if name == "postgres":
        _postgres = postgres.cluster()
    yield name
    _postgres = None


@pytest.fixture(scope="session", autouse=True)
def _stop_postgres() -> Iterator[None]:
    yield
    postgres.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """In the server's process before it starts: end it when the test process ends, however
    that ends (a killed pytest otherwise leaves servers holding memory and ports)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class LiveServer:
    """A ``sensorium serve`` subprocess; restartable on the same data directory."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    database_url: str | None = field(default=None)

    def __post_init__(self) -> None:
        if self.database_url is None and "SENSORIUM_DATABASE_URL" not in self.env:
            self.database_url = database_url(self.data_dir)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> LiveServer:
        env = {**os.environ, "SENSORIUM_CREDENTIALS": CREDENTIALS, **self.env}
        if self.database_url is not None:
            env.setdefault("SENSORIUM_DATABASE_URL", self.database_url)
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
            preexec_fn=_die_with_parent,
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
        while not self._answers_ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"models did not load:\n{self.log()}")
            time.sleep(0.5)
        return self

    def _answers_ready(self) -> bool:
        # A model's import can hold the interpreter's lock for seconds while it loads, and
        # the answer waits for it: a slow answer is a "not yet".
        try:
            return httpx.get(f"{self.endpoint}/ready", timeout=5).status_code == 200
        except httpx.TimeoutException:
            return False

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
        """A boto3 client of this server whose every answer is checked against the
        operation's output shape (tests/fidelity.py)."""
        return fidelity.attach(
            boto3.client(
                service,
                endpoint_url=self.endpoint,
                region_name=region,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                config=config or Config(retries={"total_max_attempts": 1}),
                **kwargs,
            )
        )


_CALL_FAILED = pytest.StashKey[bool]()
_LOG_LINES = 150
_ACCESS = '"logger": "sensorium.access"'  # one line per request: the rest is what matters


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Notes whether the test itself failed, for ``_response_fidelity``; a failed test's
    report ends with the last lines of its servers' logs (CI keeps nothing else)."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            if isinstance(value, LiveServer) and value.log_path is not None:
                lines = [line for line in value.log().splitlines() if _ACCESS not in line]
                tail = "\n".join(lines[-_LOG_LINES:])
                report.sections.append((f"server log, port {value.port} (last lines)", tail))
    return report


@pytest.fixture(autouse=True)
def _response_fidelity(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a test that passed although one of its clients got an answer that breaks the
    output shape (tests/fidelity.py): the AssertionError was swallowed on its way (a worker
    thread, a broad ``except``)."""
    before = len(fidelity.VIOLATIONS)
    yield
    found = fidelity.VIOLATIONS[before:]
    if found and not request.node.stash.get(_CALL_FAILED, True):
        pytest.fail("answers broke their output shape:\n" + "\n".join(found), pytrace=False)


@pytest.fixture(scope="session")
def server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
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
