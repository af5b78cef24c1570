"""A local Ray cluster for the tests and benchmarks that run models on one (``-k cluster``).

``ray start --head --block`` in a temporary folder, every port chosen free, loopback only;
started once per process and stopped at exit (or by ``stop``). Stopping ends only this
cluster's processes: the blocking ``ray start`` takes its own down when terminated (``ray
stop`` would end every Ray process of the user).
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

STARTED = "Ray runtime started"


@dataclass
class RayCluster:
    address: str
    folder: Path
    process: subprocess.Popen[bytes]

    def logs(self) -> Path:
        return self.folder / "session_latest" / "logs"

    def replica_logs(self, deployment: str) -> str:
        """What the Ray Serve replicas of ``deployment`` logged (one line per request)."""
        found = sorted((self.logs() / "serve").glob(f"replica_*_{deployment}_*.log"))
        return "".join(path.read_text(errors="replace") for path in found)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_cluster: RayCluster | None = None


def environment() -> dict[str, str]:
    # Without a drain the head stops at once when terminated (else it waits up to 30 s).
    return {"RAY_USAGE_STATS_ENABLED": "0", "RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S": "0"}


def head(cpus: int = 2, gpus: int | None = 0, timeout: float = 120) -> RayCluster:
    """The running cluster (starting it the first time)."""
    global _cluster
    if _cluster is not None and _cluster.process.poll() is None:
        return _cluster
    from tests.conftest import free_port

    # Short: Ray's socket paths under it must fit in 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
    port = free_port()
    ray = Path(sys.executable).with_name("ray")
    command = [str(ray), "start", "--head", "--block", f"--num-cpus={cpus}"]
    if gpus is not None:  # None: the GPUs Ray finds
        command.append(f"--num-gpus={gpus}")
    command += [
        "--include-dashboard=false",
        "--disable-usage-stats",
        "--object-store-memory=200000000",
    ]
    command += [f"--temp-dir={folder}", "--node-ip-address=127.0.0.1", f"--port={port}"]
    for option in ("ray-client-server-port", "dashboard-agent-listen-port", "metrics-export-port"):
        command.append(f"--{option}={free_port()}")
    log = folder / "head.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env={**os.environ, **environment()}, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + timeout
    while STARTED not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"ray did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    _cluster = RayCluster(f"127.0.0.1:{port}", folder, process)
    atexit.register(_cluster.stop)
    return _cluster


def stop() -> None:
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None
