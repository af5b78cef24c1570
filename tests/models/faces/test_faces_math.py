"""Model-free parts: NMS, similarity mapping, pose, quality, weights extraction."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from sensorium.models.faces import ModelWeightsMissingError, load_calibration, similarity
from sensorium.models.faces.nms import nms
from sensorium.models.faces.pose import estimate_pose
from sensorium.models.faces.quality import brightness, face_quality, sharpness
from sensorium.models.faces.types import Box, Landmarks5, Point
from sensorium.models.faces.weights import find_mtcnn_weights


def test_nms_keeps_best_of_overlapping() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], dtype=np.float64)
    scores = np.array([0.8, 0.9, 0.7])
    assert nms(boxes, scores, 0.5).tolist() == [1, 2]
    inner = np.array([[0, 0, 10, 10], [2, 2, 6, 6]], dtype=np.float64)
    assert nms(inner, np.array([0.9, 0.8]), 0.5).tolist() == [0, 1]
    assert nms(inner, np.array([0.9, 0.8]), 0.5, mode="min").tolist() == [0]
    assert nms(np.zeros((0, 4)), np.zeros((0,)), 0.5).size == 0


def test_similarity_is_monotone_and_anchored() -> None:
    cal = load_calibration()
    assert similarity(cal.d80) == pytest.approx(80.0)
    values = [similarity(d) for d in np.linspace(0.0, 1.5, 61)]
    assert all(a >= b for a, b in itertools.pairwise(values))
    assert values[0] > 99.0 and values[-1] < 1.0
    for t in (70.0, 75.0, 80.0, 90.0, 95.0, 99.0):
        assert similarity(cal.distance_for(t)) == pytest.approx(t)


def _lm(dx: float = 0.0, roll_dy: float = 0.0, mouth: bool = True) -> Landmarks5:
    return Landmarks5(
        eye_left=Point(100, 100),
        eye_right=Point(160, 100 + roll_dy),
        nose=Point(130 + dx, 135),
        mouth_left=Point(108, 160) if mouth else None,
        mouth_right=Point(152, 160) if mouth else None,
    )


def test_pose_signs() -> None:
    frontal = estimate_pose(_lm())
    assert abs(frontal.roll) < 1e-9 and abs(frontal.yaw) < 1e-9 and abs(frontal.pitch) < 15
    assert estimate_pose(_lm(roll_dy=20)).roll > 15
    assert estimate_pose(_lm(dx=20)).yaw > 20
    assert estimate_pose(_lm(dx=-20)).yaw < -20
    no_mouth = estimate_pose(_lm(mouth=False))
    assert -90 <= no_mouth.pitch <= 90


def test_quality() -> None:
    white = np.full((50, 50, 3), 255, dtype=np.uint8)
    assert brightness(white) == pytest.approx(100.0)
    assert sharpness(white) == pytest.approx(0.0)
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 256, size=(200, 200, 3), dtype=np.uint8)
    assert sharpness(noisy) > 95
    q = face_quality(noisy, Box(-20, -20, 100, 100))  # box past the edge is clipped
    assert 0 <= q.brightness <= 100 and 0 <= q.sharpness <= 100


def test_missing_mtcnn_weights_say_how_to_fetch_them(tmp_path: Path) -> None:
    with pytest.raises(ModelWeightsMissingError, match="sensorium models fetch"):
        find_mtcnn_weights(tmp_path)
