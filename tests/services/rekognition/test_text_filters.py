"""DetectText's answer from lines the model found: Ids, parents, filters, regions and the
100-word limit (no model, no server: lines made up here)."""

from __future__ import annotations

from typing import Any

import pytest

from sensorium.models.ocr import TextLine, TextWord
from sensorium.models.ocr.types import Quad
from sensorium.services.rekognition import regions
from sensorium.services.rekognition.errors import InvalidParameterException
from sensorium.services.rekognition.text import TextFilters, text_detections

WIDTH, HEIGHT = 1000, 500


def rect(left: float, top: float, width: float, height: float) -> Quad:
    return (
        (left, top),
        (left + width, top),
        (left + width, top + height),
        (left, top + height),
    )


def line(top: float, *words: tuple[str, float, float, float]) -> TextLine:
    """A line at ``top`` (pixels, 20 high) of (text, confidence, left, width) words."""
    placed = tuple(
        TextWord(text, conf, rect(left, top, width, 20)) for text, conf, left, width in words
    )
    left = min(word.polygon[0][0] for word in placed)
    right = max(word.polygon[1][0] for word in placed)
    confidence = sum(word.confidence for word in placed) / len(placed)
    return TextLine(
        " ".join(word.text for word in placed),
        confidence,
        rect(left, top, right - left, 20),
        placed,
    )


LINES = [
    line(10, ("IT'S", 0.95, 100, 80)),
    line(60, ("but", 0.97, 100, 60), ("keep", 0.70, 180, 80)),
    line(110, ("Smiling", 0.99, 100, 200)),
]


def texts(detections: list[dict[str, Any]], kind: str) -> list[str]:
    return [d["DetectedText"] for d in detections if d["Type"] == kind]


def test_lines_first_then_words_with_their_parents() -> None:
    detections = text_detections(LINES, WIDTH, HEIGHT)
    assert [d["Type"] for d in detections] == ["LINE"] * 3 + ["WORD"] * 4
    assert [d["Id"] for d in detections] == list(range(7))
    assert all("ParentId" not in d for d in detections[:3])
    assert [d["ParentId"] for d in detections[3:]] == [0, 1, 1, 2]
    assert texts(detections, "LINE") == ["IT'S", "but keep", "Smiling"]
    keep = detections[5]
    assert keep["DetectedText"] == "keep"
    assert keep["Confidence"] == pytest.approx(70.0)
    assert keep["Geometry"]["BoundingBox"] == pytest.approx(
        {"Left": 0.18, "Top": 0.12, "Width": 0.08, "Height": 0.04}
    )
    assert keep["Geometry"]["Polygon"][2] == pytest.approx({"X": 0.26, "Y": 0.16})


def test_no_confidence_floor_without_a_word_filter() -> None:
    assert "keep" in texts(text_detections(LINES, WIDTH, HEIGHT, TextFilters.of({})), "WORD")


def test_word_filter_confidence_default_and_explicit() -> None:
    default = TextFilters.of({"WordFilter": {"MinBoundingBoxHeight": 0.0}})
    assert default.min_confidence == 80.0  # AWS's documented default
    detections = text_detections(LINES, WIDTH, HEIGHT, default)
    assert texts(detections, "WORD") == ["IT'S", "but", "Smiling"]
    # The line stays whole (as detected) while one of its words is kept.
    assert texts(detections, "LINE") == ["IT'S", "but keep", "Smiling"]
    strict = TextFilters.of({"WordFilter": {"MinConfidence": 98}})
    detections = text_detections(LINES, WIDTH, HEIGHT, strict)
    assert texts(detections, "LINE") == ["Smiling"]
    assert detections[1]["ParentId"] == detections[0]["Id"] == 0  # renumbered


def test_word_filter_sizes() -> None:
    wide = TextFilters.of({"WordFilter": {"MinConfidence": 0, "MinBoundingBoxWidth": 0.1}})
    assert texts(text_detections(LINES, WIDTH, HEIGHT, wide), "WORD") == ["Smiling"]
    tall = TextFilters.of({"WordFilter": {"MinConfidence": 0, "MinBoundingBoxHeight": 0.05}})
    assert text_detections(LINES, WIDTH, HEIGHT, tall) == []


def test_a_word_more_than_half_in_a_region_is_kept() -> None:
    # "Smiling" spans x 100..300 px: a region ending at 210 px holds 55 % of it, 190 px 45 %.
    def kept(right: float) -> list[str]:
        region = {"BoundingBox": {"Left": 0.0, "Top": 0.0, "Width": right / WIDTH, "Height": 1}}
        filters = TextFilters.of({"RegionsOfInterest": [region]})
        return texts(text_detections(LINES, WIDTH, HEIGHT, filters), "WORD")

    assert "Smiling" in kept(210)
    assert "Smiling" not in kept(190)
    assert kept(190) == ["IT'S", "but"]  # keep (x 180..260) has an eighth inside


def test_regions_count_one_by_one_never_summed() -> None:
    # Two regions each holding 40 % of "Smiling" (x 100..180 and 220..300): not kept.
    halves = [
        {"BoundingBox": {"Left": 0.1, "Top": 0.2, "Width": 0.08, "Height": 0.06}},
        {"BoundingBox": {"Left": 0.22, "Top": 0.2, "Width": 0.08, "Height": 0.06}},
    ]
    assert (
        text_detections(LINES, WIDTH, HEIGHT, TextFilters.of({"RegionsOfInterest": halves})) == []
    )


def test_polygon_region_concave() -> None:
    # An L-shaped region: the top band (y < 0.1) and a left column (x < 0.15) below it.
    shape = [(0, 0), (1, 0), (1, 0.1), (0.15, 0.1), (0.15, 1), (0, 1)]
    region = {"Polygon": [{"X": x, "Y": y} for x, y in shape]}
    filters = TextFilters.of({"RegionsOfInterest": [region]})
    # IT'S (y 0.02..0.06) lies in the band; "but" (x 0.1..0.16) mostly in the column;
    # "keep" and "Smiling" outside.
    assert texts(text_detections(LINES, WIDTH, HEIGHT, filters), "WORD") == ["IT'S", "but"]


def test_at_most_100_words_by_whole_lines() -> None:
    many = [line(20 * n, *((f"w{n}-{k}", 0.9, 60 * k, 50) for k in range(7))) for n in range(20)]
    detections = text_detections(many, WIDTH, HEIGHT * 10)
    words = [d for d in detections if d["Type"] == "WORD"]
    assert len(words) == 98  # 14 lines of 7; the 15th would pass 100
    assert texts(detections, "LINE")[-1].startswith("w13-0")


@pytest.mark.parametrize(
    "filters",
    [
        {"RegionsOfInterest": [{}]},
        {
            "RegionsOfInterest": [
                {
                    "BoundingBox": {"Left": 0, "Top": 0, "Width": 1, "Height": 1},
                    "Polygon": [{"X": 0, "Y": 0}, {"X": 1, "Y": 0}, {"X": 1, "Y": 1}],
                }
            ]
        },
        {"RegionsOfInterest": [{"BoundingBox": {"Left": 0, "Top": 0, "Width": 1}}]},
        {"RegionsOfInterest": [{"BoundingBox": {"Left": 0, "Top": 0, "Width": 0, "Height": 1}}]},
        {"RegionsOfInterest": [{"Polygon": [{"X": 0, "Y": 0}, {"X": 1, "Y": 1}]}]},
        {"RegionsOfInterest": [{"Polygon": [{"X": k / 11, "Y": k % 2} for k in range(11)]}]},
        {"RegionsOfInterest": [{"Polygon": [{"X": 0}, {"X": 1, "Y": 0}, {"X": 1, "Y": 1}]}]},
    ],
)
def test_malformed_regions_are_refused(filters: dict[str, Any]) -> None:
    with pytest.raises(InvalidParameterException):
        TextFilters.of(filters)


def test_region_geometry() -> None:
    square = regions.box(0, 0, 2, 2)
    assert regions.area(square) == pytest.approx(4)
    assert regions.share_inside(square, regions.box(1, 0, 5, 5)) == pytest.approx(0.5)
    assert regions.share_inside(square, regions.box(3, 3, 1, 1)) == 0
    # Clockwise or anticlockwise, the same share.
    assert regions.share_inside(square[::-1], regions.box(1, 0, 5, 5)) == pytest.approx(0.5)
    # A degenerate item counts by its centre.
    assert regions.share_inside([(1, 1), (1, 1), (1, 1), (1, 1)], square) == 1.0
    assert regions.contains([(0, 0), (4, 0), (4, 1), (1, 1), (1, 4), (0, 4)], (2, 2)) is False
