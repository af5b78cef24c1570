"""``sensorium image text``: DetectText's answer offline, from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.models.ocr.render import rendered

pytest.importorskip("rapidocr", reason="the ocr extra is not installed")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sensorium", "image", "text", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_lines_json_and_drawing(tmp_path: Path) -> None:
    picture = tmp_path / "sign.png"
    picture.write_bytes(rendered(["Car park", "Level 2"], angle=10))
    drawn = tmp_path / "out" / "drawn.png"
    result = run(str(picture), "--draw", str(drawn))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Car park", "Level 2"]
    with Image.open(drawn) as image, Image.open(picture) as source:
        assert image.width > source.width  # the image, and the text beside it
    answer = json.loads(run(str(picture), "--json").stdout)
    assert answer["TextModelVersion"] == "ppocrv6_small_v1"
    assert [(d["Type"], d["DetectedText"]) for d in answer["TextDetections"]] == [
        ("LINE", "Car park"),
        ("LINE", "Level 2"),
        ("WORD", "Car"),
        ("WORD", "park"),
        ("WORD", "Level"),
        ("WORD", "2"),
    ]


def test_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    result = run(str(bad))
    assert result.returncode == 1
    assert "bad.png" in result.stderr
    assert run(str(tmp_path / "absent.png")).returncode == 1
