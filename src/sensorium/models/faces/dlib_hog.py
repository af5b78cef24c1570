"""dlib's HOG + linear-SVM frontal face detector.

Confidence: dlib returns the SVM margin (``score``; its default acceptance threshold is 0,
real faces here score about 0.3-3). It is not a probability. We report
``100 * sigmoid(3 * score)``: score 0 (dlib's own threshold) -> 50, 0.5 -> 82, 1 -> 95,
2 -> 99.8. Treat it as a monotone ranking, not a calibrated probability.

Landmarks come from dlib's 5-point shape predictor (eye corners and nose base): eye
centres are the mean of each eye's two corners; the model has no mouth points, so
``mouthLeft``/``mouthRight`` are omitted rather than invented.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

from sensorium.models.faces.detector import FaceDetector
from sensorium.models.faces.dlib_models import DlibFaceModels, landmarks_from_shape
from sensorium.models.faces.types import Box, DetectedFace, RGBImage


def hog_confidence(score: float) -> float:
    """dlib HOG SVM margin -> 0-100 (logistic, slope 3, centred on dlib's threshold 0)."""
    return 100.0 / (1.0 + math.exp(-3.0 * score))


class DlibHogDetector(FaceDetector):
    name = "dlib_hog"

    def __init__(
        self,
        models: DlibFaceModels | None = None,
        *,
        upsample: int = 1,
        threshold: float = 0.0,
        max_image_side: int | None = 1600,
    ) -> None:
        """``upsample``: how many times dlib doubles the image first (1 finds faces down to
        about 40 px); ``threshold``: SVM margin to accept (dlib's default 0)."""
        self._models = models or DlibFaceModels()
        self.upsample = upsample
        self.threshold = threshold
        self.max_image_side = max_image_side
        self._detector: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._detector is None:
                import dlib

                self._detector = dlib.get_frontal_face_detector()
        self._models.load()

    def detect(self, rgb: RGBImage) -> list[DetectedFace]:
        if self._detector is None:
            self.load()
        image, scale = _maybe_shrink(rgb, self.max_image_side)
        with self._lock:
            rects, scores, _ = self._detector.run(image, self.upsample, self.threshold)
        faces: list[DetectedFace] = []
        inv = 1.0 / scale
        for rect, score in zip(rects, scores, strict=True):
            box = Box(
                rect.left() * inv,
                rect.top() * inv,
                (rect.right() + 1) * inv,
                (rect.bottom() + 1) * inv,
            )
            shape = self._models.shape(rgb, box)
            faces.append(
                DetectedFace(
                    box=box,
                    confidence=hog_confidence(float(score)),
                    landmarks=landmarks_from_shape(shape),
                )
            )
        faces.sort(key=lambda f: -f.confidence)
        return faces


def _maybe_shrink(rgb: RGBImage, max_side: int | None) -> tuple[RGBImage, float]:
    h, w = int(rgb.shape[0]), int(rgb.shape[1])
    if max_side is None or max(h, w) <= max_side:
        return np.ascontiguousarray(rgb), 1.0
    from PIL import Image

    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = Image.fromarray(rgb).resize(size, Image.Resampling.BOX)
    return np.ascontiguousarray(np.asarray(small, dtype=np.uint8)), scale
