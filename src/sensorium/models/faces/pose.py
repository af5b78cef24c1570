"""Head pose (degrees) estimated from five 2-D landmarks. An estimate, not a 3-D fit.

Sign conventions (Rekognition documents ranges, -180..180 roll, -90..90 yaw/pitch, but not
signs; these follow its published sample responses where they agree):

* **Roll** = angle of the line from ``eyeLeft`` to ``eyeRight`` against the horizontal,
  ``atan2(dy, dx)`` in image coordinates (y down): positive when the eye on the image's
  right is lower (head tilted clockwise as seen in the image).
* **Yaw**: in the roll-corrected face frame, the nose's horizontal offset from the eye
  midpoint ``o`` (as a fraction of the eye distance) is ``(z / e) * tan(yaw)`` for a nose
  tip protruding ``z`` in front of eyes ``e`` apart; with the anthropometric ``z / e ~= 0.5``,
  ``yaw = atan(o / 0.5)``. Positive when the nose is towards the image's right.
* **Pitch**: with mouth corners, ``t`` = the nose's height between the eye line (0) and the
  mouth line (1); ``pitch = atan((t0 - t) * k)`` with neutral ``t0`` and ``k`` = face height
  over nose depth. Without mouth points (dlib HOG), the nose-base drop below the eye line
  over the eye distance is used the same way. Positive = face tilted up (nose rises towards
  the eyes). Both neutral values are medians over the project's frontal test photos.
"""

from __future__ import annotations

import math

from sensorium.models.faces.types import Landmarks5, Pose

NOSE_DEPTH_OVER_EYE_DISTANCE = 0.5
# Neutral (frontal) positions, measured as medians over the shared frontal photos.
NEUTRAL_NOSE_T_MTCNN = 0.58
FACE_HEIGHT_OVER_NOSE_DEPTH = 2.0
NEUTRAL_NOSE_DROP_DLIB = 0.74
EYE_DISTANCE_OVER_NOSE_BASE_DEPTH = 2.5


def estimate_pose(lm: Landmarks5) -> Pose:
    dx = lm.eye_right.x - lm.eye_left.x
    dy = lm.eye_right.y - lm.eye_left.y
    eye_dist = math.hypot(dx, dy)
    if eye_dist < 1e-6:
        return Pose(roll=0.0, yaw=0.0, pitch=0.0)
    roll = math.degrees(math.atan2(dy, dx))
    ux, uy = dx / eye_dist, dy / eye_dist  # along the eye line
    vx, vy = -uy, ux  # perpendicular, pointing down the face

    mid_x = (lm.eye_left.x + lm.eye_right.x) / 2
    mid_y = (lm.eye_left.y + lm.eye_right.y) / 2

    def frame(px: float, py: float) -> tuple[float, float]:
        rx, ry = px - mid_x, py - mid_y
        return (rx * ux + ry * uy) / eye_dist, (rx * vx + ry * vy) / eye_dist

    nose_u, nose_v = frame(lm.nose.x, lm.nose.y)
    yaw = math.degrees(math.atan(nose_u / NOSE_DEPTH_OVER_EYE_DISTANCE))

    if lm.mouth_left is not None and lm.mouth_right is not None:
        mouth_x = (lm.mouth_left.x + lm.mouth_right.x) / 2
        mouth_y = (lm.mouth_left.y + lm.mouth_right.y) / 2
        _, mouth_v = frame(mouth_x, mouth_y)
        if mouth_v > 1e-6:
            t = nose_v / mouth_v
            pitch = math.degrees(
                math.atan((NEUTRAL_NOSE_T_MTCNN - t) * FACE_HEIGHT_OVER_NOSE_DEPTH)
            )
        else:
            pitch = 0.0
    else:
        pitch = math.degrees(
            math.atan((NEUTRAL_NOSE_DROP_DLIB - nose_v) * EYE_DISTANCE_OVER_NOSE_BASE_DEPTH)
        )
    return Pose(roll=_clamp(roll, 180.0), yaw=_clamp(yaw, 90.0), pitch=_clamp(pitch, 90.0))


def _clamp(angle: float, limit: float) -> float:
    return max(-limit, min(limit, angle))
