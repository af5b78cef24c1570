"""DetectLabels: what an image shows, as Rekognition labels, and its image properties.

General labels come from an ImageNet classifier (EfficientNet-Lite0) mapped onto our
taxonomy (``models/labels/taxonomy.json``); see ``models/labels/taxonomy.py`` for the rule:
a label's confidence is the sum of the probabilities of the ImageNet classes that are it or
its descendants, so parents are at least as confident as their children. Each label lists all
its ancestors as ``Parents``, its ``Aliases`` and ``Categories`` (AWS's category names).

``Person`` comes from the face detector (the same model and boxes as DetectFaces): one
instance per face found, its BoundingBox the face's box (not the whole body) and its
Confidence the face's; the label's confidence is its most confident instance's. A label has
``Instances`` only when a model located it, which here is only Person; every other label's
Instances is empty (the classifier sees the whole image and locates nothing).

Request members:

* ``Features``: ``GENERAL_LABELS`` (the default when omitted) and/or ``IMAGE_PROPERTIES``
  (``image_properties.py``; ``Settings.ImageProperties.MaxDominantColors``, default 10).
* ``Settings.GeneralLabels``: a label is kept when it passes the inclusion filters (if any:
  its name is in ``LabelInclusionFilters`` or one of its categories is in
  ``LabelCategoryInclusionFilters``) and matches no exclusion filter (its name in
  ``LabelExclusionFilters``, a category in ``LabelCategoryExclusionFilters``); names compare
  case-insensitively, exclusion wins.
* ``MinConfidence`` (default 55, as AWS), then ``MaxLabels`` (the most confident first; AWS
  sets no default, nor do we).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sensorium.blobs import Buckets
from sensorium.context import RequestContext
from sensorium.models.faces import FaceAnalysis
from sensorium.models.labels import LABEL_MODEL, LABEL_MODEL_VERSION, LabelEngine, load_taxonomy
from sensorium.models.labels.taxonomy import ScoredLabel
from sensorium.models.registry import ModelRegistry
from sensorium.services.rekognition.engine import FACE_MODEL, FaceEngine
from sensorium.services.rekognition.errors import InvalidParameterException
from sensorium.services.rekognition.image_properties import DEFAULT_MAX_COLORS, image_properties
from sensorium.services.rekognition.images import read_image
from sensorium.services.rekognition.shapes import bounding_box

Shape = dict[str, Any]
DEFAULT_MIN_CONFIDENCE = 55.0
GENERAL_LABELS = "GENERAL_LABELS"
IMAGE_PROPERTIES = "IMAGE_PROPERTIES"
FEATURES = (GENERAL_LABELS, IMAGE_PROPERTIES)
PERSON = "Person"


@dataclass(frozen=True)
class LabelFilters:
    """``Settings.GeneralLabels``, each list lower-cased."""

    labels_in: frozenset[str] = frozenset()
    labels_out: frozenset[str] = frozenset()
    categories_in: frozenset[str] = frozenset()
    categories_out: frozenset[str] = frozenset()

    @classmethod
    def of(cls, general: Shape | None) -> LabelFilters:
        general = general or {}

        def names(key: str) -> frozenset[str]:
            return frozenset(str(name).lower() for name in general.get(key) or ())

        return cls(
            names("LabelInclusionFilters"),
            names("LabelExclusionFilters"),
            names("LabelCategoryInclusionFilters"),
            names("LabelCategoryExclusionFilters"),
        )

    def keeps(self, name: str, categories: Sequence[str]) -> bool:
        name = name.lower()
        lowered = {category.lower() for category in categories}
        if name in self.labels_out or lowered & self.categories_out:
            return False
        if not self.labels_in and not self.categories_in:
            return True
        return name in self.labels_in or bool(lowered & self.categories_in)


class LabelService:
    def __init__(self, blobs: Buckets, models: ModelRegistry) -> None:
        self.blobs = blobs
        self.models = models

    @property
    def engine(self) -> LabelEngine:
        return self.models.get(LABEL_MODEL, LabelEngine)

    @property
    def faces(self) -> FaceEngine:
        return self.models.get(FACE_MODEL, FaceEngine)

    def detect_labels(
        self,
        ctx: RequestContext,
        image: Shape,
        max_labels: int | None,
        min_confidence: float | None,
        features: list[str] | None,
        settings: Shape | None,
    ) -> Shape:
        wanted = list(features) if features else [GENERAL_LABELS]
        unknown = [feature for feature in wanted if feature not in FEATURES]
        if unknown:
            raise InvalidParameterException(
                f"Unknown Features {', '.join(unknown)}: use {' or '.join(FEATURES)}."
            )
        floor = DEFAULT_MIN_CONFIDENCE if min_confidence is None else float(min_confidence)
        if not 0 <= floor <= 100:
            raise InvalidParameterException("MinConfidence must be between 0 and 100.")
        if max_labels is not None and max_labels < 0:
            raise InvalidParameterException("MaxLabels must be 0 or more.")
        settings = settings or {}
        filters = LabelFilters.of(settings.get("GeneralLabels"))
        colors = (settings.get("ImageProperties") or {}).get("MaxDominantColors")
        colors = DEFAULT_MAX_COLORS if colors is None else int(colors)
        if not 0 <= colors <= 20:
            raise InvalidParameterException("MaxDominantColors must be between 0 and 20.")
        loaded, _ = read_image(self.blobs, ctx.scope, image)
        answer: Shape = {}
        if GENERAL_LABELS in wanted and max_labels != 0:
            scored = load_taxonomy().score(self.engine.classify(loaded.rgb))
            person = load_taxonomy().get(PERSON)
            # The face detector only says Person: not run when the filters leave Person out.
            faces = (
                self.faces.analyze(loaded.rgb, embed=False)
                if filters.keeps(PERSON, person.categories)
                else []
            )
            answer["Labels"] = labels(
                scored, faces, loaded.width, loaded.height, filters, floor, max_labels
            )
        else:
            answer["Labels"] = []
        answer["LabelModelVersion"] = LABEL_MODEL_VERSION
        if IMAGE_PROPERTIES in wanted:
            answer["ImageProperties"] = image_properties(loaded.rgb, colors)
        return answer


def labels(
    scored: Sequence[ScoredLabel],
    faces: Sequence[FaceAnalysis],
    width: int,
    height: int,
    filters: LabelFilters | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    max_labels: int | None = None,
) -> list[Shape]:
    """``Labels``: the classifier's labels and Person (from the faces), most confident first."""
    filters = filters or LabelFilters()
    shapes: list[Shape] = []
    if faces:
        instances = [
            {"BoundingBox": bounding_box(face.box, width, height), "Confidence": face.confidence}
            for face in faces
        ]
        person = load_taxonomy().get(PERSON)
        shapes.append(
            {
                "Name": PERSON,
                "Confidence": max(face.confidence for face in faces),
                "Instances": instances,
                "Parents": [{"Name": name} for name in person.parents],
                "Aliases": [{"Name": name} for name in person.aliases],
                "Categories": [{"Name": name} for name in person.categories],
            }
        )
    for entry in scored:
        label = entry.label
        if label.name == PERSON:
            continue  # only the face detector says Person
        shapes.append(
            {
                "Name": label.name,
                "Confidence": entry.confidence,
                "Instances": [],
                "Parents": [{"Name": name} for name in label.parents],
                "Aliases": [{"Name": name} for name in label.aliases],
                "Categories": [{"Name": name} for name in label.categories],
            }
        )
    kept = [
        shape
        for shape in shapes
        if shape["Confidence"] >= min_confidence
        and filters.keeps(shape["Name"], [c["Name"] for c in shape["Categories"]])
    ]
    kept.sort(key=lambda shape: (-shape["Confidence"], shape["Name"]))
    return kept if max_labels is None else kept[:max_labels]
