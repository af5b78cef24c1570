"""Script mode's work folders under ``DATA_DIR/sagemaker-scripts``: one per training job
(``job-``) and per served script model (``model-``), removed when the job ends or the model
is dropped. A server killed mid-way cannot remove its own, so each folder's name carries the
host and process that made it, and a server starting on the same data directory removes
those of its host whose process is gone. Folders of other hosts (a shared data directory)
and of live processes are left alone."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
SEPARATOR = "~"  # not in a host name, so "kind-host~pid~random" splits back unambiguously


def _host() -> str:
    return socket.gethostname().replace(SEPARATOR, "-")


def make(work_root: Path, kind: str) -> Path:
    """A new, empty work folder of ``kind`` (``job`` or ``model``) owned by this process."""
    work_root.mkdir(parents=True, exist_ok=True)
    prefix = f"{kind}-{_host()}{SEPARATOR}{os.getpid()}{SEPARATOR}"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=work_root))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def sweep(work_root: Path) -> int:
    """Remove the folders this host's dead processes left; how many were removed."""
    if not work_root.is_dir():
        return 0
    removed = 0
    host = _host()
    for folder in work_root.iterdir():
        kind, _, rest = folder.name.partition("-")
        parts = rest.split(SEPARATOR)
        if kind not in ("job", "model") or len(parts) != 3 or parts[0] != host:
            continue
        if not parts[1].isdigit() or int(parts[1]) == os.getpid() or _alive(int(parts[1])):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    if removed:
        log.info("removed %d script-mode work folders left by stopped servers", removed)
    return removed
