"""Rekognition's ``QualityFilter``: which detected faces are good enough to use.

AWS does not publish its bars; ours are explicit thresholds on what the models measure
(detector confidence, face size in pixels, brightness and sharpness 0-100, pose in degrees).
``AUTO`` (IndexFaces' default) drops the faces too poor to match: those in the POOR quality
band (``models/faces/bands.py``: blurred, under 28 px wide, or turned 45 degrees or more),
whose matches the evaluation found unreliable (docs/faces-models.md, "Quality bands").
"""

from __future__ import annotations

from dataclasses import dataclass

from sensorium.models.faces import FaceAnalysis
from sensorium.models.faces.bands import POOR_SHARPNESS, POOR_WIDTH_PX, POOR_YAW


@dataclass(frozen=True)
class Bar:
    min_confidence: float
    min_side_px: float
    min_brightness: float
    min_sharpness: float
    max_yaw: float
    max_pitch: float


BARS = {
    "LOW": Bar(90.0, 24.0, 5.0, 1.0, 75.0, 60.0),
    "MEDIUM": Bar(95.0, 40.0, 15.0, 4.0, 60.0, 45.0),
    "HIGH": Bar(98.0, 64.0, 25.0, 10.0, 45.0, 30.0),
}
BARS["AUTO"] = Bar(90.0, POOR_WIDTH_PX, 5.0, POOR_SHARPNESS, POOR_YAW, 60.0)


def reasons(face: FaceAnalysis, quality_filter: str) -> list[str]:
    """Why ``face`` fails the bar (empty when it passes, and always for ``NONE``)."""
    bar = BARS.get(quality_filter)
    if bar is None:
        return []
    found = []
    if face.confidence < bar.min_confidence:
        found.append("LOW_CONFIDENCE")
    if min(face.box.width, face.box.height) < bar.min_side_px:
        found.append("SMALL_BOUNDING_BOX")
    if face.quality.brightness < bar.min_brightness:
        found.append("LOW_BRIGHTNESS")
    if face.quality.sharpness < bar.min_sharpness:
        found.append("LOW_SHARPNESS")
    if abs(face.pose.yaw) > bar.max_yaw or abs(face.pose.pitch) > bar.max_pitch:
        found.append("EXTREME_POSE")
    return found
