"""How much a face can say about who it is: a quality band from what the pipeline measured
(its width in pixels, its sharpness, its yaw).

dlib's embeddings of two poor faces (blurred, small, in profile) lie closer together than
those of two good ones, whoever they show: two blurred profiles of different people reach
distances a clean pair of the same person has. So Similarity is calibrated per pair of
bands (``similarity.Calibration``). The limits below were chosen on the quality evaluation
(``bench/faces_quality.py``, docs/faces-models.md "Quality bands").
"""

from __future__ import annotations

from enum import StrEnum

from sensorium.models.faces.types import FaceAnalysis


class Band(StrEnum):
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


# A face is POOR below any of the first limits, FAIR below any of the second.
POOR_SHARPNESS, FAIR_SHARPNESS = 10.0, 30.0
POOR_WIDTH_PX, FAIR_WIDTH_PX = 28.0, 48.0
POOR_YAW, FAIR_YAW = 45.0, 25.0
_ORDER = (Band.GOOD, Band.FAIR, Band.POOR)


def band_of(face: FaceAnalysis) -> Band:
    sharpness, width, yaw = face.quality.sharpness, face.box.width, abs(face.pose.yaw)
    if sharpness < POOR_SHARPNESS or width < POOR_WIDTH_PX or yaw >= POOR_YAW:
        return Band.POOR
    if sharpness < FAIR_SHARPNESS or width < FAIR_WIDTH_PX or yaw >= FAIR_YAW:
        return Band.FAIR
    return Band.GOOD


def pair_cell(a: Band, b: Band) -> str:
    """The calibration cell of a pair: its two bands, better first (``"good-poor"``)."""
    first, second = sorted((a, b), key=_ORDER.index)
    return f"{first}-{second}"


def stored_band(value: str | None) -> Band:
    """A stored face's band; faces indexed before bands existed count as GOOD (the
    calibration they were matched with then)."""
    return Band(value) if value in {band.value for band in Band} else Band.GOOD
