"""The face pipeline as a registry model (loaded once, in the background at startup)."""

from __future__ import annotations

from pathlib import Path

from sensorium.models.faces import FacePipeline
from sensorium.models.registry import Model

FACE_MODEL = "faces"


class FaceEngine(Model):
    name = FACE_MODEL

    def __init__(self, models_dir: Path | None) -> None:
        self.models_dir = models_dir
        self._pipeline: FacePipeline | None = None

    def load(self, device: str) -> None:
        pipeline = FacePipeline(models_dir=self.models_dir, device=device)
        pipeline.load()
        self._pipeline = pipeline

    @property
    def pipeline(self) -> FacePipeline:
        assert self._pipeline is not None, "load() first"
        return self._pipeline
