"""The text pipeline as a registry model (loaded once, in the background at startup).

A ``Servable`` model: in this process, or as Ray Serve replicas when
``SENSORIUM_RAY_SERVE_MODELS`` names it; DetectText calls the same method either way. Only
the image goes out and only ``TextLine`` dataclasses come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sensorium.models.ocr.ppocr import TEXT_MODEL_VERSION, PpOcr, RGBImage
from sensorium.models.ocr.types import TextLine
from sensorium.models.registry import Servable

TEXT_MODEL = "rekognition-text"


@dataclass(frozen=True)
class TextRequest:
    rgb: RGBImage


class TextEngine(Servable[TextRequest, list[TextLine]]):
    """Every line of text in one image, with its words.

    One image at a time: the detector's input size depends on each image, and the
    recogniser already batches the lines of one image."""

    name = TEXT_MODEL
    model_version = TEXT_MODEL_VERSION

    def __init__(self) -> None:
        self._ocr: PpOcr | None = None

    def load(self, device: str) -> None:
        ocr = PpOcr()
        ocr.load(device)
        self._ocr = ocr

    def infer(self, requests: Sequence[TextRequest]) -> list[list[TextLine]]:
        assert self._ocr is not None, "load() first"
        return [self._ocr.read(request.rgb) for request in requests]

    def read(self, rgb: RGBImage) -> list[TextLine]:
        """Every line, top to bottom then left to right, in pixel coordinates."""
        return self.run(TextRequest(rgb))
