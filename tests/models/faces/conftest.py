"""Shared fixtures: the shared photos and the models, loaded once per test session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sensorium.models.faces import FacePipeline, load_image
from sensorium.models.faces.pipeline import DetectorName
from sensorium.models.faces.types import RGBImage

ROOT = Path(__file__).resolve().parents[3]
DATA = (ROOT / ".." / "shared" / "data" / "faces").resolve()


@pytest.fixture(scope="session")
def faces_data() -> Path:
    if not (DATA / "manifest.csv").is_file():
        pytest.skip(f"shared face photos absent ({DATA})")
    return DATA


@pytest.fixture(scope="session")
def read_rgb(faces_data: Path) -> Callable[[str], RGBImage]:
    def read(rel: str) -> RGBImage:
        return load_image((faces_data / rel).read_bytes()).rgb

    return read


def _pipeline(detector: DetectorName) -> FacePipeline:
    # The weights come from the configured models directory (`sensorium models fetch`, which
    # `make test` runs): missing ones fail the tests rather than skip them.
    pipe = FacePipeline(detector)
    pipe.load()
    return pipe


@pytest.fixture(scope="session")
def pipeline() -> FacePipeline:
    """The default pipeline (MTCNN + dlib), as the server builds it."""
    return _pipeline("mtcnn")


@pytest.fixture(scope="session")
def hog_pipeline() -> FacePipeline:
    return _pipeline("dlib_hog")
