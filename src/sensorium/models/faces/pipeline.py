"""Detection + landmarks + pose + quality + embedding, the one entry point for the service.

Thread safety: every model object is guarded by its own lock (dlib's and our MTCNN's
objects are not documented as thread-safe), so one :class:`FacePipeline` may be shared by
request threads; concurrent calls are serialised per model, not run in parallel. Build one
per process and call :meth:`FacePipeline.load` at start-up (takes ~1 s).
"""

from __future__ import annotations

import os
from typing import Literal

import numpy as np

from sensorium.models.faces.alignment import dlib_points
from sensorium.models.faces.detector import FaceDetector
from sensorium.models.faces.dlib_models import DlibFaceModels, landmarks_from_shape
from sensorium.models.faces.pose import estimate_pose
from sensorium.models.faces.quality import face_quality
from sensorium.models.faces.similarity import Calibration, load_calibration
from sensorium.models.faces.types import Box, DetectedFace, Embedding, FaceAnalysis, RGBImage

DetectorName = Literal["mtcnn", "dlib_hog"]
DEFAULT_DETECTOR: DetectorName = "mtcnn"
MAX_FACES = 100


def create_detector(
    name: DetectorName = DEFAULT_DETECTOR,
    *,
    models_dir: str | os.PathLike[str] | None = None,
    dlib_models: DlibFaceModels | None = None,
    device: str = "cpu",
) -> FaceDetector:
    if name == "mtcnn":
        from sensorium.models.faces.mtcnn import MtcnnDetector

        return MtcnnDetector(models_dir=models_dir, device=device)
    if name == "dlib_hog":
        from sensorium.models.faces.dlib_hog import DlibHogDetector

        return DlibHogDetector(dlib_models)
    raise ValueError(f"unknown face detector {name!r}")


def dlib_style_box(box: Box) -> Box:
    """MTCNN's box (tall, includes the forehead) turned into the square box dlib's shape
    predictor was trained on: 1.07 x the width, centre moved down by 6.3 % of the height
    (medians of HOG box / MTCNN box on the shared photos)."""
    side = box.width * 1.07
    cx = (box.left + box.right) / 2
    cy = (box.top + box.bottom) / 2 + 0.063 * box.height
    return Box(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)


class FacePipeline:
    def __init__(
        self,
        detector: FaceDetector | DetectorName = DEFAULT_DETECTOR,
        *,
        models_dir: str | os.PathLike[str] | None = None,
        dlib_models: DlibFaceModels | None = None,
        device: str = "cpu",
    ) -> None:
        """``device`` is where MTCNN runs; dlib's models run on the CPU (PyPI's dlib has no
        CUDA)."""
        self._dlib = dlib_models or DlibFaceModels()
        if isinstance(detector, str):
            detector = create_detector(
                detector, models_dir=models_dir, dlib_models=self._dlib, device=device
            )
        self.detector = detector

    @property
    def model_version(self) -> str:
        """Identifies the embedding space; store it with every embedding and only compare
        embeddings with equal versions."""
        return DlibFaceModels.model_version

    @property
    def dlib_models(self) -> DlibFaceModels:
        return self._dlib

    @property
    def calibration(self) -> Calibration:
        return load_calibration()

    def load(self) -> None:
        self._dlib.load()
        self.detector.load()

    def detect(self, rgb: RGBImage) -> list[DetectedFace]:
        """Detector output only (no embedding), largest face first."""
        faces = self.detector.detect(rgb)
        return sorted(faces, key=lambda f: -f.box.area)

    def analyze(
        self, rgb: RGBImage, *, max_faces: int = MAX_FACES, embed: bool = True
    ) -> list[FaceAnalysis]:
        """Every face (the ``max_faces`` largest), largest first. With ``embed=False`` the
        embeddings are empty arrays (DetectFaces needs none; saves ~50 ms per face)."""
        return [self._analyze_one(rgb, f, embed) for f in self.detect(rgb)[:max_faces]]

    def largest_face(self, rgb: RGBImage) -> FaceAnalysis | None:
        """The largest face with its embedding (CompareFaces' source face), or ``None``."""
        faces = self.detect(rgb)
        if not faces:
            return None
        return self._analyze_one(rgb, faces[0], embed=True)

    def _analyze_one(self, rgb: RGBImage, face: DetectedFace, embed: bool) -> FaceAnalysis:
        shape_box = face.box if self.detector.name == "dlib_hog" else dlib_style_box(face.box)
        points = dlib_points(face.landmarks) if face.landmarks is not None else None
        shape = (
            self._dlib.shape(rgb, shape_box)
            if points is None
            else self._dlib.shape_at(rgb, shape_box, points)
        )
        landmarks = face.landmarks or landmarks_from_shape(shape)
        embedding: Embedding = (
            self._dlib.embed(rgb, shape) if embed else np.zeros((0,), dtype=np.float32)
        )
        return FaceAnalysis(
            box=face.box,
            confidence=face.confidence,
            landmarks=landmarks,
            pose=estimate_pose(landmarks),
            quality=face_quality(rgb, face.box),
            embedding=embedding,
            model_version=self.model_version,
        )
