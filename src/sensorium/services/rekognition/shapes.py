"""Face analyses (pixel coordinates) as Rekognition's shapes (ratios of the image).

Only what the models compute is filled: BoundingBox, Confidence, the five default Landmarks,
Pose and Quality. AgeRange, Smile, Gender, Emotions, Eyeglasses... are omitted, never guessed.
"""

from __future__ import annotations

from typing import Any

from sensorium.models.faces import Box, FaceAnalysis

Shape = dict[str, Any]


def bounding_box(box: Box, width: int, height: int) -> Shape:
    return {
        "Width": box.width / width,
        "Height": box.height / height,
        "Left": box.left / width,
        "Top": box.top / height,
    }


def face_detail(face: FaceAnalysis, width: int, height: int) -> Shape:
    """A FaceDetail / ComparedFace: both share these members."""
    return {
        "BoundingBox": bounding_box(face.box, width, height),
        "Confidence": face.confidence,
        "Landmarks": [
            {"Type": name, "X": point.x / width, "Y": point.y / height}
            for name, point in face.landmarks.as_dict().items()
        ],
        "Pose": {"Roll": face.pose.roll, "Yaw": face.pose.yaw, "Pitch": face.pose.pitch},
        "Quality": {
            "Brightness": face.quality.brightness,
            "Sharpness": face.quality.sharpness,
        },
    }


def box_from_stored(left: float, top: float, width: float, height: float) -> Shape:
    return {"Width": width, "Height": height, "Left": left, "Top": top}
