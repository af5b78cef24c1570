"""dlib's 5-point shape predictor and face-recognition ResNet, behind locks.

dlib's Python objects are not documented as thread-safe (the DNN keeps per-layer output
buffers inside the network object), so each model is guarded by its own lock; calls from
several threads are serialised, never concurrent on one object.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from sensorium.models.faces.types import Box, Embedding, Landmarks5, Point, RGBImage
from sensorium.models.faces.weights import DlibWeights, find_dlib_weights

EMBEDDING_DIM = 128


def dlib_rect(box: Box, width: int, height: int) -> Any:
    """``dlib.rectangle`` for ``box`` (rounded; dlib's right/bottom are inclusive)."""
    import dlib

    return dlib.rectangle(
        round(box.left), round(box.top), round(box.right) - 1, round(box.bottom) - 1
    )


def landmarks_from_shape(shape: Any) -> Landmarks5:
    """Eye centres and nose from a 5-point ``full_object_detection``.

    dlib's 5-point model: parts 0-1 are the corners of the eye on the image's right
    (outer, inner), 2-3 the corners of the eye on the image's left (outer, inner), 4 the
    base of the nose. Eye centre = mean of its two corners. It has no mouth points, so
    ``mouth_left``/``mouth_right`` stay ``None``.
    """
    p = [(float(shape.part(i).x), float(shape.part(i).y)) for i in range(5)]
    right_eye = Point((p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2)
    left_eye = Point((p[2][0] + p[3][0]) / 2, (p[2][1] + p[3][1]) / 2)
    return Landmarks5(eye_left=left_eye, eye_right=right_eye, nose=Point(p[4][0], p[4][1]))


class DlibFaceModels:
    """Loads dlib's 5-point predictor and ResNet once; :meth:`shape` and :meth:`embed`."""

    model_version = "dlib_resnet_v1"

    def __init__(self, weights: DlibWeights | None = None) -> None:
        self._weights = weights
        self._predictor: Any = None
        self._recogniser: Any = None
        self._load_lock = threading.Lock()
        self._shape_lock = threading.Lock()
        self._embed_lock = threading.Lock()

    def load(self) -> None:
        with self._load_lock:
            if self._recogniser is not None:
                return
            import dlib

            weights = self._weights or find_dlib_weights()
            self._predictor = dlib.shape_predictor(str(weights.shape_predictor_5))
            self._recogniser = dlib.face_recognition_model_v1(str(weights.face_recognition))

    def shape(self, rgb: RGBImage, box: Box) -> Any:
        """dlib's 5-point ``full_object_detection`` for the face in ``box``."""
        if self._predictor is None:
            self.load()
        rect = dlib_rect(box, int(rgb.shape[1]), int(rgb.shape[0]))
        with self._shape_lock:
            return self._predictor(rgb, rect)

    def shape_at(self, rgb: RGBImage, box: Box, points: list[Point]) -> Any:
        """A 5-point ``full_object_detection`` with the points given (dlib's order)."""
        import dlib

        rect = dlib_rect(box, int(rgb.shape[1]), int(rgb.shape[0]))
        parts = dlib.points([dlib.point(round(p.x), round(p.y)) for p in points])
        return dlib.full_object_detection(rect, parts)

    def embed(self, rgb: RGBImage, shape: Any, num_jitters: int = 0) -> Embedding:
        """128-d descriptor of the face aligned by ``shape`` (dlib's 150x150 face chip,
        padding 0.25). Same-person pairs are usually below 0.6 Euclidean distance."""
        if self._recogniser is None:
            self.load()
        with self._embed_lock:
            vec = self._recogniser.compute_face_descriptor(rgb, shape, num_jitters)
        out = np.asarray(vec, dtype=np.float32).reshape(EMBEDDING_DIM)
        return out
