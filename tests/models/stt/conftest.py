"""The Whisper engine, loaded once per test session, and the shared speech clips."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

from sensorium.models.stt import WhisperEngine, default_model_dir
from tests.conftest import shared_data


@dataclass(frozen=True)
class Clip:
    path: Path
    duration: float
    reference: str


def speech_clips() -> list[Clip]:
    """The manifest's clips that have speech (null.wav is tested on its own)."""
    root = shared_data("speech")
    with (root / "manifest.tsv").open(newline="") as rows:
        return [
            Clip(root / row["path"], float(row["duration_s"]), row["reference_text"])
            for row in csv.DictReader(rows, delimiter="\t")
            if row["reference_text"].strip()
        ]


@pytest.fixture(scope="session")
def engine() -> WhisperEngine:
    whisper = WhisperEngine(default_model_dir())
    whisper.load("cpu")
    return whisper
