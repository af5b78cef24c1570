"""Script mode's work folders: a server starting removes those its host's dead processes
left, and nothing else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sensorium.services.sagemaker import work_folders


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_sweep_removes_only_what_dead_processes_of_this_host_left(tmp_path: Path) -> None:
    mine = work_folders.make(tmp_path, "job")
    (mine / "training.log").write_text("running")
    sep = work_folders.SEPARATOR
    host = mine.name.split("-", 1)[1].split(sep)[0]
    pid = dead_pid()
    left = tmp_path / f"model-{host}{sep}{pid}{sep}x1"
    (left / "model").mkdir(parents=True)
    elsewhere = tmp_path / f"job-another-host{sep}{pid}{sep}x2"
    elsewhere.mkdir()
    unrelated = tmp_path / "notes"
    unrelated.mkdir()

    assert work_folders.sweep(tmp_path) == 1
    assert not left.exists()
    assert mine.exists() and elsewhere.exists() and unrelated.exists()
    assert work_folders.sweep(tmp_path / "missing") == 0
