"""The face-detector interface."""

from __future__ import annotations

import abc

from sensorium.models.faces.types import DetectedFace, RGBImage


class FaceDetector(abc.ABC):
    """Finds faces in an RGB image.

    Construct, then :meth:`load` once (reads weights; idempotent), then :meth:`detect` as
    often as needed. ``detect`` loads lazily if :meth:`load` was not called. Instances are
    not guaranteed thread-safe; :class:`~sensorium.models.faces.pipeline.FacePipeline`
    serialises calls.
    """

    name: str = "abstract"

    @abc.abstractmethod
    def load(self) -> None:
        """Read the model weights (idempotent)."""

    @abc.abstractmethod
    def detect(self, rgb: RGBImage) -> list[DetectedFace]:
        """Faces in ``rgb`` (``(h, w, 3)`` uint8), highest confidence first."""
