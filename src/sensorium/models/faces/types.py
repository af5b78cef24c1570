"""Plain data returned by the face models (pixel coordinates, no HTTP concerns)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

RGBImage = npt.NDArray[np.uint8]
"""An ``(height, width, 3)`` uint8 array, RGB order, C-contiguous."""

Embedding = npt.NDArray[np.float32]
"""A ``(128,)`` float32 face descriptor."""


@dataclass(frozen=True, slots=True)
class Point:
    """A position in pixels, ``x`` from the image's left edge, ``y`` from its top edge."""

    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned box in pixels: ``left``/``top`` inclusive, ``right``/``bottom`` exclusive.

    It may extend past the image edges (a face cut by the border); :meth:`clipped` clamps it.
    """

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    def clipped(self, width: int, height: int) -> Box:
        return Box(
            left=min(max(self.left, 0.0), float(width)),
            top=min(max(self.top, 0.0), float(height)),
            right=min(max(self.right, 0.0), float(width)),
            bottom=min(max(self.bottom, 0.0), float(height)),
        )


@dataclass(frozen=True, slots=True)
class Landmarks5:
    """Rekognition's five default landmarks, named as Rekognition names them.

    Rekognition's ``eyeLeft`` is the eye on the *image's* left (smaller x), i.e. the
    subject's right eye on a frontal face; likewise ``mouthLeft``. (AWS's published
    responses all have ``eyeLeft.X < eyeRight.X``.) ``None`` means the detector does not
    locate that point; it is omitted rather than invented.
    """

    eye_left: Point
    eye_right: Point
    nose: Point
    mouth_left: Point | None = None
    mouth_right: Point | None = None

    def as_dict(self) -> dict[str, Point]:
        """``{Rekognition landmark type: point}`` for the points that are present."""
        out = {"eyeLeft": self.eye_left, "eyeRight": self.eye_right, "nose": self.nose}
        if self.mouth_left is not None:
            out["mouthLeft"] = self.mouth_left
        if self.mouth_right is not None:
            out["mouthRight"] = self.mouth_right
        return out


@dataclass(frozen=True, slots=True)
class DetectedFace:
    """One face found by a detector.

    ``confidence`` is 0-100 and comes from the detector's own score (see each detector's
    documentation for how it is mapped). ``landmarks`` is ``None`` when the detector does
    not provide any (the pipeline then fills them from dlib's 5-point shape predictor).
    """

    box: Box
    confidence: float
    landmarks: Landmarks5 | None = None


@dataclass(frozen=True, slots=True)
class Pose:
    """Head pose estimate in degrees, Rekognition's sign conventions (see ``pose.py``)."""

    roll: float
    yaw: float
    pitch: float


@dataclass(frozen=True, slots=True)
class Quality:
    """Rekognition-style image quality of the face crop, each 0-100 (see ``quality.py``)."""

    brightness: float
    sharpness: float


@dataclass(frozen=True, slots=True)
class FaceAnalysis:
    """Everything the service layer needs about one face, in pixel coordinates."""

    box: Box
    confidence: float
    landmarks: Landmarks5
    pose: Pose
    quality: Quality
    embedding: Embedding = field(repr=False)
    model_version: str = ""
