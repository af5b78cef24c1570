"""Where dlib's five alignment points lie, predicted from the detector's five landmarks.

dlib's ResNet embeds the face chip its 5-point shape predictor aligns; that predictor was
trained on dlib's own detector boxes and strays on turned, blurred and small faces found by
MTCNN (its eyes are 0.31 eye-distances off MTCNN's at 45 degrees of yaw or more). Mapping
MTCNN's landmarks onto dlib's points through one similarity transform aligns those faces
better: on the quality evaluation the equal-error rate fell from 4.3 to 3.3 % (clean
reference vs probe) and from 4.8 to 3.5 % (two degraded faces), most for profiles and
blurred faces, about even on clean frontal ones (``bench/faces_alignment.py``,
docs/faces-models.md "Alignment").
"""

from __future__ import annotations

import numpy as np

from sensorium.models.faces.types import Landmarks5, Point

# In a frame with MTCNN's eye midpoint at 0 and eye distance 1 (x right, y down), fitted on
# 133 clean frontal faces: MTCNN's mean landmarks (eyes, nose, mouth corners) ...
_MTCNN_TEMPLATE = np.array(
    [-0.5 + 0j, 0.5 + 0j, 0.0230 + 0.5887j, -0.4528 + 1.0503j, 0.4736 + 1.0460j]
)
# ... and dlib's five points (image-right eye outer, inner; image-left eye outer, inner;
# nose base) in the same frame.
_DLIB_POINTS = np.array(
    [0.6635 + 0.0333j, 0.2845 + 0.0410j, -0.6825 + 0.0340j, -0.2965 + 0.0415j, 0.0117 + 0.7562j]
)
_TEMPLATE_CENTRED = _MTCNN_TEMPLATE - _MTCNN_TEMPLATE.mean()


def dlib_points(landmarks: Landmarks5) -> list[Point] | None:
    """dlib's five points for a face with these landmarks (the least-squares similarity
    transform of the template onto them); ``None`` without mouth corners."""
    if landmarks.mouth_left is None or landmarks.mouth_right is None:
        return None
    found = [
        landmarks.eye_left,
        landmarks.eye_right,
        landmarks.nose,
        landmarks.mouth_left,
        landmarks.mouth_right,
    ]
    z = np.array([complex(p.x, p.y) for p in found])
    scale_rotation = np.sum((z - z.mean()) * np.conj(_TEMPLATE_CENTRED)) / np.sum(
        np.abs(_TEMPLATE_CENTRED) ** 2
    )
    shift = z.mean() - scale_rotation * _MTCNN_TEMPLATE.mean()
    return [Point(float(w.real), float(w.imag)) for w in scale_rotation * _DLIB_POINTS + shift]
