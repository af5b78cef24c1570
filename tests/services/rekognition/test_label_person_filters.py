"""DetectLabels runs the face detector (Person's only source) only when Person can be answered."""

from __future__ import annotations

import io
from typing import Any, cast

import numpy as np
from PIL import Image

from sensorium.context import RequestContext
from sensorium.models.registry import ModelRegistry
from sensorium.services.rekognition.engine import FACE_MODEL
from sensorium.services.rekognition.labels import LabelService


class Classifier:
    def classify(self, rgb: Any) -> np.ndarray:
        probabilities = np.zeros(1000, np.float32)
        probabilities[281] = 1.0  # ImageNet's tabby cat
        return probabilities


class Faces:
    calls = 0

    def analyze(self, rgb: Any, embed: bool) -> list[Any]:
        self.calls += 1
        return []


class Registry:
    def __init__(self) -> None:
        self.faces = Faces()
        self.asked: list[str] = []

    def get(self, name: str, kind: type) -> Any:
        self.asked.append(name)
        return self.faces if name == FACE_MODEL else Classifier()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 120), (90, 120, 150)).save(out, "PNG")
    return out.getvalue()


def ask(settings: dict[str, Any] | None, max_labels: int | None = None) -> tuple[Any, Registry]:
    registry = Registry()
    service = LabelService(cast(Any, None), cast(ModelRegistry, registry))
    context = RequestContext("request", "111122223333", "us-east-1")
    answer = service.detect_labels(context, {"Bytes": png()}, max_labels, 0.0, None, settings)
    return answer, registry


def test_the_face_detector_runs_when_person_may_be_answered() -> None:
    answer, registry = ask(None)
    assert registry.faces.calls == 1
    assert "Cat" in [label["Name"] for label in answer["Labels"]]


def test_filters_that_leave_person_out_skip_the_face_detector() -> None:
    for general in (
        {"LabelInclusionFilters": ["Cat"]},
        {"LabelExclusionFilters": ["Person"]},
        {"LabelCategoryInclusionFilters": ["Animals and Pets"]},
    ):
        answer, registry = ask({"GeneralLabels": general})
        assert registry.faces.calls == 0, general
        assert FACE_MODEL not in registry.asked
        assert "Cat" in [label["Name"] for label in answer["Labels"]], general


def test_no_labels_asked_for_runs_no_model() -> None:
    answer, registry = ask(None, max_labels=0)
    assert answer["Labels"] == []
    assert registry.asked == []
