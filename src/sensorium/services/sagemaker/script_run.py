"""A script-mode training job's work: download the channels and the source directory into a
folder laid out like the container's ``/opt/ml``, run the entry point with the SageMaker
training toolkit's environment, then upload ``model.tar.gz``, ``output.tar.gz`` and the
script's log (``training.log``) to ``S3OutputPath/JOB/output/``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sensorium.blobs import Buckets
from sensorium.errors import BlobError
from sensorium.jobs import JobCancelled, JobFailed, RunningJob
from sensorium.services.sagemaker import archives, script, script_process, work_folders
from sensorium.services.sagemaker.channels import ChannelError, object_keys, split_uri
from sensorium.services.sagemaker.errors import ValidationException

MAX_CHANNEL_BYTES = 4 * 1024**3
MAX_SOURCE_BYTES = 256 * 1024**2
MAX_MODEL_BYTES = 4 * 1024**3
MAX_FAILURE_REASON = 1024  # AWS's length limit on FailureReason
HOST = "algo-1"

Step = Callable[[str, str], None]
Report = Callable[[dict[str, float]], None]


@dataclass
class ScriptResult:
    metrics: dict[str, float]
    ended_by: str | None  # "MaxRuntimeExceeded", or None: the script completed


class Expired(Exception):
    """MaxRuntimeInSeconds passed while the inputs were downloading."""


class Workspace:
    """The container's ``/opt/ml`` for one job."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.code = root / "code"
        self.config = root / "input" / "config"
        self.data = root / "input" / "data"
        self.model = root / "model"
        self.output = root / "output"
        self.output_data = root / "output" / "data"
        self.home = root / "home"
        self.tmp = root / "tmp"
        self.log = root / "training.log"
        for folder in (self.code, self.config, self.data, self.model, self.output_data):
            folder.mkdir(parents=True)
        self.home.mkdir()
        self.tmp.mkdir()


class ScriptRunner:
    def __init__(self, blobs: Buckets, access: script.ScriptAccess, work_root: Path) -> None:
        self.blobs = blobs
        self.access = access
        self.work_root = work_root

    def run(
        self,
        job: RunningJob,
        name: str,
        arn: str,
        request: dict[str, Any],
        output_prefix: str,
        device: str,
        deadline: float | None,
        step: Step,
        report: Report,
    ) -> ScriptResult:
        spec, patterns = self._checked(job, request)
        workspace = Workspace(work_folders.make(self.work_root, "job"))
        try:
            step("Downloading", "Downloading input data")
            try:
                channels = self._download_channels(job, request, workspace, deadline)
            except Expired:
                return ScriptResult({}, "MaxRuntimeExceeded")
            self._download_source(job, spec, workspace)
            self._write_config(request, spec, channels, workspace)
            step("Training", f"Training with the script {spec.program} on {device}")
            command = [sys.executable, spec.program, *spec.arguments()]
            env = environment(name, arn, request, spec, channels, workspace, device)
            ended = script_process.run(
                command,
                workspace.code,
                env,
                workspace.log,
                patterns,
                deadline,
                lambda: job.stopped,
                report,
            )
            if ended.ended_by == "stopped":
                self._upload(job, workspace, output_prefix, model=True)
                raise JobCancelled(f"job {job.id} was stopped")
            if ended.ended_by is None and ended.exit_code != 0:
                self._upload(job, workspace, output_prefix, model=False)
                raise JobFailed(failure_reason(workspace, ended, spec))
            step("Uploading", "Uploading generated training model")
            self._upload(job, workspace, output_prefix, model=True)
            return ScriptResult(ended.metrics, ended.ended_by)
        finally:
            shutil.rmtree(workspace.root, ignore_errors=True)

    def _checked(
        self, job: RunningJob, request: dict[str, Any]
    ) -> tuple[script.ScriptSpec, list[tuple[str, Any]]]:
        """The request checked again: the setting may have changed since it was accepted."""
        specification = request["AlgorithmSpecification"]
        try:
            self.access.check(job.scope.account_id, specification["TrainingImage"])
            spec = script.spec(request.get("HyperParameters") or {})
            patterns = script.metric_definitions(specification.get("MetricDefinitions") or [])
        except ValidationException as error:
            raise JobFailed(f"ClientError: {error}") from None
        return spec, patterns

    def _download_channels(
        self, job: RunningJob, request: dict[str, Any], workspace: Workspace, deadline: float | None
    ) -> dict[str, Path]:
        found: dict[str, Path] = {}
        total = 0
        for channel in request.get("InputDataConfig") or []:
            name = channel["ChannelName"]
            uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
            folder = workspace.data / name
            folder.mkdir(parents=True, exist_ok=True)
            bucket, prefix = split_uri(uri)
            base = prefix if not prefix or prefix.endswith("/") else prefix.rpartition("/")[0]
            base = base + "/" if base and not base.endswith("/") else base
            try:
                keys = [key for key in object_keys(self.blobs, job.scope, uri) if key[-1] != "/"]
            except ChannelError as error:
                raise JobFailed(f"ClientError: {error}") from None
            if not keys:
                raise JobFailed(
                    f'ClientError: No S3 objects found under S3 URL "{uri}" given in input data '
                    f"source of the {name} channel."
                )
            for key in keys:
                job.check()
                if deadline is not None and time.monotonic() > deadline:
                    raise Expired
                try:
                    relative = archives.safe_relative(key[len(base) :])
                    data = self.blobs.read(
                        job.scope, bucket, key, max_bytes=MAX_CHANNEL_BYTES - total
                    )
                except (BlobError, archives.ArchiveError) as error:
                    raise JobFailed(
                        f"ClientError: s3://{bucket}/{key} cannot be downloaded: {error}"
                    ) from None
                total += len(data)
                target = folder.joinpath(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            found[name] = folder
        return found

    def _download_source(
        self, job: RunningJob, spec: script.ScriptSpec, workspace: Workspace
    ) -> None:
        uri = spec.submit_directory
        try:
            bucket, key = split_uri(uri)
            data = self.blobs.read(job.scope, bucket, key, max_bytes=MAX_SOURCE_BYTES)
            archives.unpack(data, workspace.code)
        except (ChannelError, BlobError) as error:
            raise JobFailed(
                f"ClientError: the source directory {uri} cannot be read: {error}"
            ) from None
        except archives.ArchiveError as error:
            raise JobFailed(
                f"ClientError: the source directory {uri} cannot be unpacked safely: {error}."
            ) from None
        if not workspace.code.joinpath(spec.program).is_file():
            raise JobFailed(
                f"ClientError: the entry point {spec.program} is not in the source directory {uri}."
            )

    def _write_config(
        self,
        request: dict[str, Any],
        spec: script.ScriptSpec,
        channels: dict[str, Path],
        workspace: Workspace,
    ) -> None:
        """``/opt/ml/input/config``: what some scripts read instead of the environment."""
        files = {
            "hyperparameters.json": spec.raw,
            "resourceconfig.json": resource_config(),
            "inputdataconfig.json": {
                name: {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated"}
                for name in channels
            },
        }
        for file_name, content in files.items():
            (workspace.config / file_name).write_text(json.dumps(content))

    def _upload(
        self, job: RunningJob, workspace: Workspace, output_prefix: str, model: bool
    ) -> None:
        bucket, prefix = split_uri(output_prefix)
        uploads = [("training.log", workspace.log.read_bytes() if workspace.log.exists() else b"")]
        try:
            uploads.append(("output.tar.gz", archives.pack(workspace.output_data, MAX_MODEL_BYTES)))
            if model:
                uploads.append(("model.tar.gz", archives.pack(workspace.model, MAX_MODEL_BYTES)))
        except archives.ArchiveError as error:
            raise JobFailed(f"ClientError: the job's output is too large: {error}") from None
        for file_name, data in uploads:
            try:
                self.blobs.write(job.scope, bucket, f"{prefix}/{file_name}", data)
            except BlobError as error:
                raise JobFailed(
                    f"ClientError: {output_prefix}/{file_name} cannot be written: {error}"
                ) from None


def resource_config() -> dict[str, Any]:
    return {"current_host": HOST, "hosts": [HOST], "network_interface_name": "lo"}


def gpu_count(device: str) -> int:
    if device != "cuda":
        return 0
    import torch

    return int(torch.cuda.device_count())


def base_environment(home: Path, tmp: Path, code: Path, gpus: int) -> dict[str, str]:
    """What the caller's code runs with: this server's Python first on the PATH, its own
    home and temporary folders, and the GPUs it may use (none: ``CUDA_VISIBLE_DEVICES=""``)."""
    python_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(code),
    }
    if gpus == 0:
        env["CUDA_VISIBLE_DEVICES"] = ""
    elif "CUDA_VISIBLE_DEVICES" in os.environ:
        env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
    return env


def environment(
    name: str,
    arn: str,
    request: dict[str, Any],
    spec: script.ScriptSpec,
    channels: dict[str, Path],
    workspace: Workspace,
    device: str,
) -> dict[str, str]:
    """A clean environment (nothing of the server's own, its credentials least of all) with
    the SageMaker training toolkit's variables."""
    env = {str(key): str(value) for key, value in (request.get("Environment") or {}).items()}
    gpus = gpu_count(device)
    env.update(base_environment(workspace.home, workspace.tmp, workspace.code, gpus))
    env.update(TRAINING_JOB_NAME=name, TRAINING_JOB_ARN=arn)
    cpus = os.cpu_count() or 1
    toolkit = {
        "SM_MODEL_DIR": str(workspace.model),
        "SM_OUTPUT_DATA_DIR": str(workspace.output_data),
        "SM_OUTPUT_DIR": str(workspace.output),
        "SM_INPUT_DIR": str(workspace.root / "input"),
        "SM_INPUT_CONFIG_DIR": str(workspace.config),
        "SM_CHANNELS": json.dumps(sorted(channels)),
        "SM_CURRENT_HOST": HOST,
        "SM_HOSTS": json.dumps([HOST]),
        "SM_NUM_GPUS": str(gpus),
        "SM_NUM_CPUS": str(cpus),
        "SM_MODULE_NAME": spec.program.removesuffix(".py"),
        "SM_USER_ENTRY_POINT": spec.program,
        "SM_MODULE_DIR": spec.submit_directory,
        "SM_USER_ARGS": json.dumps(spec.arguments()),
        "SM_RESOURCE_CONFIG": json.dumps(resource_config()),
        "SM_NETWORK_INTERFACE_NAME": "lo",
        "SM_LOG_LEVEL": "20",
        **spec.environment(),
    }
    for channel, folder in channels.items():
        toolkit[f"SM_CHANNEL_{channel.upper()}"] = str(folder)
    toolkit["SM_TRAINING_ENV"] = json.dumps(
        {
            "job_name": name,
            "current_host": HOST,
            "hosts": [HOST],
            "hyperparameters": spec.hyperparameters,
            "channel_input_dirs": {channel: str(folder) for channel, folder in channels.items()},
            "model_dir": str(workspace.model),
            "output_data_dir": str(workspace.output_data),
            "num_gpus": gpus,
            "num_cpus": cpus,
            "user_entry_point": spec.program,
        }
    )
    env.update(toolkit)
    return env


def failure_reason(
    workspace: Workspace, ended: script_process.ProcessOutcome, spec: script.ScriptSpec
) -> str:
    """As AWS words a script's failure; a ``failure`` file the script wrote wins, as there."""
    written = workspace.output / "failure"
    if written.is_file():
        text = written.read_text(errors="replace")[:MAX_FAILURE_REASON]
        return f"AlgorithmError: {text}"[:MAX_FAILURE_REASON]
    command = " ".join(["python", spec.program, *spec.arguments()])[:200]
    head = f'AlgorithmError: ExecuteUserScriptError:\nExitCode {ended.exit_code}\nErrorMessage "'
    foot = f'"\nCommand "{command}", exit code: {ended.exit_code}'
    room = MAX_FAILURE_REASON - len(head) - len(foot)
    message = "\n".join(line for line in ended.tail if line.strip())
    return head + message[-room:] + foot
