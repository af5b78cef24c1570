"""The training script's process: started with the toolkit's environment, bounded in memory
and time, its output logged and matched against MetricDefinitions while it runs."""

from __future__ import annotations

import collections
import contextlib
import ctypes
import os
import re
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

MAX_LOG_BYTES = 16 * 1024**2
MAX_LINE = 64 * 1024
MATCHED_CHARS = 4096  # a metric regex sees at most this much of a line (bounded matching)
TAIL_LINES = 40
STOP_GRACE_SECONDS = 10.0  # AWS gives 120 between SIGTERM and SIGKILL
POLL_SECONDS = 0.2
REPORT_SECONDS = 5.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class ProcessOutcome:
    exit_code: int  # 128 + the signal for a process killed by one, as a shell reports it
    ended_by: str | None  # "stopped", "MaxRuntimeExceeded", or None: the script exited
    metrics: dict[str, float]
    tail: list[str]


@dataclass
class OutputReader:
    """Copies the script's output to its log (up to ``MAX_LOG_BYTES``), keeps its last lines
    and the last value each metric regex found."""

    log: IO[bytes]
    patterns: list[tuple[str, re.Pattern[str]]]
    metrics: dict[str, float] = field(default_factory=dict)
    tail: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=TAIL_LINES)
    )
    logged: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, stream: IO[bytes]) -> None:
        while line := stream.readline(MAX_LINE):
            self._write(line)
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            with self.lock:
                self.tail.append(text)
                for name, pattern in self.patterns:
                    found = pattern.search(text[:MATCHED_CHARS])
                    if found is None:
                        continue
                    # A group that matched something other than a number is skipped.
                    with contextlib.suppress(TypeError, ValueError):
                        self.metrics[name] = float(found.group(1))

    def _write(self, line: bytes) -> None:
        if self.logged >= MAX_LOG_BYTES:
            return
        self.logged += len(line)
        self.log.write(line)
        if self.logged >= MAX_LOG_BYTES:
            self.log.write(b"\n[log truncated: the script wrote more than 16 MiB]\n")
        self.log.flush()

    def snapshot(self) -> tuple[dict[str, float], list[str]]:
        with self.lock:
            return dict(self.metrics), list(self.tail)


def memory_limit() -> int:
    """Half this machine's memory: the script cannot starve the server of it."""
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2)


def limits(memory: int, die_with_parent: bool = True) -> Callable[[], None]:
    """What the child applies to itself before it runs the script."""
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork, not in the child

    def apply() -> None:
        # RLIMIT_DATA (heap and private writable mappings, Linux >= 4.7) rather than
        # RLIMIT_AS, which CUDA's large address-space reservations would exceed.
        resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if die_with_parent:
            # Its own session survives the server's death: this kills it then (a restarted
            # job runs it again). Linux sends it when the thread that started it ends, so
            # only a long-lived thread (a job worker's) may ask for it.
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    return apply


def run(
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    log_path: Path,
    patterns: list[tuple[str, re.Pattern[str]]],
    deadline: float | None,
    stopped: Callable[[], bool],
    report: Callable[[dict[str, float]], None],
) -> ProcessOutcome:
    with log_path.open("ab") as log:
        reader = OutputReader(log, patterns)
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it stops its children
            preexec_fn=limits(memory_limit()),
        )
        assert process.stdout is not None
        thread = threading.Thread(target=reader.read, args=(process.stdout,), daemon=True)
        thread.start()
        try:
            ended_by = _wait(process, deadline, stopped, lambda: report(reader.snapshot()[0]))
        finally:
            kill_group(process.pid, signal.SIGKILL)  # children it left behind (or all of it)
            process.wait()
            thread.join(STOP_GRACE_SECONDS)
            process.stdout.close()
    metrics, tail = reader.snapshot()
    code = process.returncode
    return ProcessOutcome(128 - code if code < 0 else code, ended_by, metrics, tail)


def _wait(
    process: subprocess.Popen[bytes],
    deadline: float | None,
    stopped: Callable[[], bool],
    report: Callable[[], None],
) -> str | None:
    reported = time.monotonic()
    while True:
        try:
            process.wait(POLL_SECONDS)
            return None
        except subprocess.TimeoutExpired:
            pass
        if stopped():
            _terminate(process)
            return "stopped"
        if deadline is not None and time.monotonic() > deadline:
            _terminate(process)
            return "MaxRuntimeExceeded"
        if time.monotonic() - reported > REPORT_SECONDS:
            report()
            reported = time.monotonic()


def _terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after a grace period, as SageMaker stops a container."""
    kill_group(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        kill_group(process.pid, signal.SIGKILL)
        process.wait()


def kill_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
        os.killpg(pid, sig)
