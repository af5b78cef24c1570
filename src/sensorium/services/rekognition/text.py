"""DetectText: the lines and words of text in an image, as Rekognition returns them.

``TextDetections`` holds every LINE first (Ids 0, 1, ...; in reading order: top to bottom,
then left to right, as the text itself runs), then every WORD (Ids continuing after the last
line's, line by line, each line's words in reading order), each word's ``ParentId`` the Id of
its line, as in AWS's documented example. A line's ``DetectedText`` is its words joined by
single spaces. Polygons start at the text's own top-left corner and go round clockwise (as
read), so rotated text has rotated polygons; BoundingBox is the polygon's axis-aligned bounds.
Confidence is the recogniser's mean character probability, in percent.

``Filters`` narrow the words, as AWS documents (``DetectTextFilters``):

* ``WordFilter``: a word is dropped when its Confidence is below ``MinConfidence`` or its
  BoundingBox is less high or wide than ``MinBoundingBoxHeight`` / ``MinBoundingBoxWidth``
  (ratios of the image). A WordFilter without ``MinConfidence`` uses AWS's documented default,
  80; without any WordFilter no confidence floor applies (AWS's own example answer lists a
  word at 59 %).
* ``RegionsOfInterest`` (boxes or polygons, ratios of the image): a word is kept when more
  than half of its polygon lies inside at least one region (``regions.py``).

A line is returned when at least one of its words is, unchanged (its text, geometry and
confidence as detected). At most ``MAX_WORDS`` words are returned (AWS: "DetectText can
detect up to 100 words in an image"): whole lines in reading order while their words fit;
the line that would pass the limit and every line after it are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sensorium.blobs import Buckets
from sensorium.context import RequestContext
from sensorium.models.ocr import TEXT_MODEL, TextEngine, TextLine
from sensorium.models.ocr.types import Quad
from sensorium.models.registry import ModelRegistry
from sensorium.services.rekognition.errors import InvalidParameterException
from sensorium.services.rekognition.images import read_image
from sensorium.services.rekognition.regions import Point, box, more_than_half_in_any

Shape = dict[str, Any]
MAX_WORDS = 100
DEFAULT_MIN_CONFIDENCE = 80.0  # AWS's documented default for a WordFilter
MAX_REGION_POINTS = 10


@dataclass(frozen=True)
class TextFilters:
    """``DetectTextFilters``, checked: confidence in percent, sizes and regions in ratios."""

    min_confidence: float | None = None
    min_height: float = 0.0
    min_width: float = 0.0
    regions: tuple[tuple[Point, ...], ...] = ()

    @classmethod
    def of(cls, filters: Shape | None) -> TextFilters:
        if not filters:
            return cls()
        word = filters.get("WordFilter")
        min_confidence = None
        min_height = min_width = 0.0
        if word is not None:
            min_confidence = float(word.get("MinConfidence", DEFAULT_MIN_CONFIDENCE))
            min_height = float(word.get("MinBoundingBoxHeight", 0.0))
            min_width = float(word.get("MinBoundingBoxWidth", 0.0))
        shapes = tuple(_region(region) for region in filters.get("RegionsOfInterest") or ())
        return cls(min_confidence, min_height, min_width, shapes)

    def keeps(self, confidence: float, bounds: Shape, polygon: Sequence[Point]) -> bool:
        if self.min_confidence is not None and confidence < self.min_confidence:
            return False
        if bounds["Height"] < self.min_height or bounds["Width"] < self.min_width:
            return False
        return not self.regions or more_than_half_in_any(polygon, self.regions)


def _region(region: Shape) -> tuple[Point, ...]:
    has_box, has_polygon = "BoundingBox" in region, "Polygon" in region
    if has_box == has_polygon:
        raise InvalidParameterException(
            "Each RegionOfInterest needs either a BoundingBox or a Polygon (not both)."
        )
    if has_box:
        bounds = region["BoundingBox"]
        missing = [key for key in ("Left", "Top", "Width", "Height") if key not in bounds]
        if missing:
            raise InvalidParameterException(
                f"RegionOfInterest BoundingBox needs {', '.join(missing)}."
            )
        if bounds["Width"] <= 0 or bounds["Height"] <= 0:
            raise InvalidParameterException(
                "RegionOfInterest BoundingBox Width and Height must be positive."
            )
        return tuple(box(bounds["Left"], bounds["Top"], bounds["Width"], bounds["Height"]))
    points = region["Polygon"]
    if not 3 <= len(points) <= MAX_REGION_POINTS:
        raise InvalidParameterException(
            f"RegionOfInterest Polygon needs 3 to {MAX_REGION_POINTS} points; got {len(points)}."
        )
    if any("X" not in point or "Y" not in point for point in points):
        raise InvalidParameterException("Every Polygon point needs X and Y.")
    return tuple((float(point["X"]), float(point["Y"])) for point in points)


class TextService:
    def __init__(self, blobs: Buckets, models: ModelRegistry) -> None:
        self.blobs = blobs
        self.models = models

    @property
    def engine(self) -> TextEngine:
        return self.models.get(TEXT_MODEL, TextEngine)

    def detect_text(self, ctx: RequestContext, image: Shape, filters: Shape | None) -> Shape:
        wanted = TextFilters.of(filters)  # refuse bad filters before any work
        loaded, _ = read_image(self.blobs, ctx.scope, image)
        engine = self.engine
        lines = engine.read(loaded.rgb)
        return {
            "TextDetections": text_detections(lines, loaded.width, loaded.height, wanted),
            "TextModelVersion": engine.model_version,
        }


def text_detections(
    lines: Sequence[TextLine], width: int, height: int, filters: TextFilters | None = None
) -> list[Shape]:
    """``TextDetections`` for lines found in an image of ``width`` x ``height`` pixels."""
    filters = filters or TextFilters()
    kept: list[tuple[Shape, list[Shape]]] = []
    total = 0
    for line in lines:
        words = []
        for word in line.words:
            detection = _detection(word.text, "WORD", word.confidence, word.polygon, width, height)
            geometry = detection["Geometry"]
            polygon = [(point["X"], point["Y"]) for point in geometry["Polygon"]]
            if filters.keeps(detection["Confidence"], geometry["BoundingBox"], polygon):
                words.append(detection)
        if not words:
            continue
        if total + len(words) > MAX_WORDS:
            break
        total += len(words)
        kept.append(
            (_detection(line.text, "LINE", line.confidence, line.polygon, width, height), words)
        )
    detections = []
    for line_id, (line_shape, _) in enumerate(kept):
        detections.append({**line_shape, "Id": line_id})
    next_id = len(kept)
    for line_id, (_, word_shapes) in enumerate(kept):
        for word_shape in word_shapes:
            detections.append({**word_shape, "Id": next_id, "ParentId": line_id})
            next_id += 1
    return detections


def _detection(
    text: str, kind: str, confidence: float, quad: Quad, width: int, height: int
) -> Shape:
    points = [(x / width, y / height) for x, y in quad]
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return {
        "DetectedText": text,
        "Type": kind,
        "Confidence": min(100.0, max(0.0, confidence * 100.0)),
        "Geometry": {
            "BoundingBox": {
                "Width": max(xs) - min(xs),
                "Height": max(ys) - min(ys),
                "Left": min(xs),
                "Top": min(ys),
            },
            "Polygon": [{"X": x, "Y": y} for x, y in points],
        },
    }
