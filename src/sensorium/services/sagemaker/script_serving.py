"""A script-mode model served: its ``model.tar.gz`` unpacked into a work folder and a worker
process (``inference_worker.py``) that runs its ``code/inference.py``, bounded in memory,
answering one request at a time within ``INVOKE_SECONDS``."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sensorium.models.sound.artifacts import ArtifactError
from sensorium.services.sagemaker import archives, script_process, work_folders
from sensorium.services.sagemaker.script_run import base_environment

WORKER = Path(__file__).with_name("inference_worker.py")
LOAD_SECONDS = 300.0
INVOKE_SECONDS = 60.0  # AWS's limit on a real-time invocation
MAX_ANSWER_BYTES = 6 * 1024**2  # AWS's limit on InvokeEndpoint's response payload


class WorkerError(Exception):
    """The worker died, hung or broke the protocol; ``status`` is the model's status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str
    error: str


class ScriptModel:
    def __init__(self, data: bytes, work_root: Path) -> None:
        self.root = work_folders.make(work_root, "model")
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        try:
            self.model_dir = self.root / "model"
            self.model_dir.mkdir()
            try:
                archives.unpack(data, self.model_dir)
            except archives.ArchiveError as error:
                raise ArtifactError(f"model.tar.gz cannot be unpacked safely: {error}") from None
            if not (self.model_dir / "code" / "inference.py").is_file():
                raise ArtifactError(
                    "model.tar.gz has no code/inference.py (model_fn, input_fn, predict_fn, "
                    "output_fn): save it there from the training script"
                )
            with self._lock:
                self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        (self.root / "home").mkdir(exist_ok=True)
        (self.root / "tmp").mkdir(exist_ok=True)
        code = self.model_dir / "code"
        env = base_environment(self.root / "home", self.root / "tmp", code, gpus=0)
        env["SM_MODEL_DIR"] = str(self.model_dir)
        self._log = (self.root / "worker.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, str(WORKER), str(self.model_dir)],
            cwd=code,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            # Started by a job's thread or a request's: the worker ends when its stdin
            # closes (the server is gone) rather than with the thread that started it.
            preexec_fn=script_process.limits(script_process.memory_limit(), False),
        )
        self._process = process
        assert process.stderr is not None
        reader = script_process.OutputReader(self._log, [])
        self._stderr = reader
        threading.Thread(target=reader.read, args=(process.stderr,), daemon=True).start()
        try:
            header, _ = self._receive(time.monotonic() + LOAD_SECONDS)
        except WorkerError as error:
            raise ArtifactError(f"the model's worker did not start: {error}") from None
        if header.get("status") != 200:
            raise ArtifactError(f"model_fn failed: {header.get('error', '')[-800:]}")

    def invoke(self, body: bytes, content_type: str, accept: str) -> Answer:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._stop()
                try:
                    self._start()
                except ArtifactError as error:
                    return Answer(500, b"", "", str(error))
            try:
                request = json.dumps({"content_type": content_type, "accept": accept}).encode()
                self._send(request)
                self._send(body)
                header, answer = self._receive(time.monotonic() + INVOKE_SECONDS)
            except WorkerError as error:
                self._stop()  # a fresh worker answers the next request
                return Answer(error.status, b"", "", str(error))
        status = int(header.get("status", 500))
        return Answer(status, answer, str(header.get("content_type", "")), header.get("error", ""))

    def close(self) -> None:
        with self._lock:
            self._stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            script_process.kill_group(process.pid, signal.SIGKILL)
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
            self._log.close()

    def _send(self, data: bytes) -> None:
        assert self._process is not None and self._process.stdin is not None
        try:
            self._process.stdin.write(struct.pack(">I", len(data)) + data)
            self._process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerError(500, self._died()) from None

    def _receive(self, deadline: float) -> tuple[dict[str, Any], bytes]:
        header = json.loads(self._frame(deadline, 64 * 1024))
        return header, self._frame(deadline, MAX_ANSWER_BYTES)

    def _frame(self, deadline: float, limit: int) -> bytes:
        (size,) = struct.unpack(">I", self._read(4, deadline))
        if size > limit:
            raise WorkerError(500, f"the model's answer is larger than {limit} bytes")
        return self._read(size, deadline)

    def _read(self, count: int, deadline: float) -> bytes:
        assert self._process is not None and self._process.stdout is not None
        fd = self._process.stdout.fileno()
        found = bytearray()
        while len(found) < count:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise WorkerError(
                    0, "Your invocation timed out while waiting for a response from the model."
                )
            chunk = os.read(fd, count - len(found))
            if not chunk:
                raise WorkerError(500, self._died())
            found += chunk
        return bytes(found)

    def _died(self) -> str:
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(1)  # its last words reach the log reader first
        _, tail = self._stderr.snapshot()
        return "the model's worker exited: " + "\n".join(tail)[-800:]
