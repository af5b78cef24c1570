from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sensorium import __version__


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sensorium", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_version() -> None:
    result = run("version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"sensorium {__version__}"


def test_public_bind_refused_with_generated_credentials(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = run("serve", "--host", "0.0.0.0", "--port", "1", "--data-dir", str(tmp_path), env=env)
    assert result.returncode == 2
    assert "refusing to bind 0.0.0.0" in result.stderr
