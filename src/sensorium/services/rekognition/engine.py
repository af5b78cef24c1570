"""The face pipeline as a registry model (loaded once, in the background at startup).

A ``Servable`` model: in this process, or as Ray Serve replicas when
``SENSORIUM_RAY_SERVE_MODELS`` names it; the face operations call the same methods either
way. Only the image goes out and only ``FaceAnalysis`` dataclasses come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sensorium.models.faces import FaceAnalysis, FacePipeline, RGBImage
from sensorium.models.faces.dlib_models import DlibFaceModels
from sensorium.models.faces.pipeline import MAX_FACES
from sensorium.models.registry import Servable

FACE_MODEL = "faces"


@dataclass(frozen=True)
class FaceRequest:
    rgb: RGBImage
    max_faces: int
    embed: bool


class FaceEngine(Servable[FaceRequest, list[FaceAnalysis]]):
    """Detection, landmarks, pose, quality and embeddings of the faces in one image.

    One image at a time: MTCNN's pyramid depends on each image's size, and dlib embeds a
    batch of faces no faster than one by one (measured on two cores)."""

    name = FACE_MODEL

    def __init__(self, models_dir: Path | None) -> None:
        self.models_dir = models_dir
        self._pipeline: FacePipeline | None = None

    def load(self, device: str) -> None:
        pipeline = FacePipeline(models_dir=self.models_dir, device=device)
        pipeline.load()
        self._pipeline = pipeline

    def infer(self, requests: Sequence[FaceRequest]) -> list[list[FaceAnalysis]]:
        assert self._pipeline is not None, "load() first"
        return [
            self._pipeline.analyze(r.rgb, max_faces=r.max_faces, embed=r.embed) for r in requests
        ]

    @property
    def model_version(self) -> str:
        """The embedding space; store it with every embedding, compare only equal ones."""
        return DlibFaceModels.model_version

    def analyze(
        self, rgb: RGBImage, *, max_faces: int = MAX_FACES, embed: bool = True
    ) -> list[FaceAnalysis]:
        """Every face (the ``max_faces`` largest), largest first; with ``embed=False`` the
        embeddings are empty (DetectFaces needs none)."""
        return self.run(FaceRequest(rgb, max_faces, embed))

    def largest_face(self, rgb: RGBImage) -> FaceAnalysis | None:
        """The largest face with its embedding, or ``None``."""
        faces = self.analyze(rgb, max_faces=1)
        return faces[0] if faces else None
