"""DetectText through boto3 on the live server: the real model on a scanned page from the
shared data and on rendered signs."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from PIL import Image

from tests.conftest import LiveServer
from tests.models.ocr.render import rendered
from tests.services.rekognition.faces_data import photo

pytest.importorskip("rapidocr", reason="the ocr extra is not installed")

PAGE = "no_face_skimage/page.png"  # a photographed book page (scikit-image's sample)
NO_TEXT = "no_face_skimage/brick.png"
# The page's lines as a person reads them (the last, half cut off, is left out).
PAGE_LINES = [
    "Region-based segmentation",
    "Let us first determine markers of the coins and the",
    "background. These markers are pixels that we can label",
    "unambiguously as either object or background. Here,",
    "the markers are found at the two extreme parts of the",
    "histogram of grey values:",
]


@pytest.fixture(scope="module")
def page(server: LiveServer) -> dict[str, Any]:
    """The page's answer without filters (one model run shared by the tests here)."""
    answer: dict[str, Any] = server.client("rekognition").detect_text(Image={"Bytes": photo(PAGE)})
    return answer


def of_type(answer: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [d for d in answer["TextDetections"] if d["Type"] == kind]


def word(answer: dict[str, Any], text: str) -> dict[str, Any]:
    return next(d for d in of_type(answer, "WORD") if d["DetectedText"] == text)


def test_page_lines_then_words_linked_to_them(page: dict[str, Any]) -> None:
    assert page["TextModelVersion"] == "ppocrv6_small_v1"
    detections = page["TextDetections"]
    lines, words = of_type(page, "LINE"), of_type(page, "WORD")
    assert detections == lines + words  # every LINE first
    assert [d["Id"] for d in detections] == list(range(len(detections)))
    assert [line["DetectedText"] for line in lines][: len(PAGE_LINES)] == PAGE_LINES
    for line in lines:
        assert "ParentId" not in line
        children = [w for w in words if w["ParentId"] == line["Id"]]
        assert " ".join(w["DetectedText"] for w in children) == line["DetectedText"]
        outer = line["Geometry"]["BoundingBox"]
        for child in children:
            inner = child["Geometry"]["BoundingBox"]
            assert outer["Left"] - 0.01 <= inner["Left"]
            assert inner["Left"] + inner["Width"] <= outer["Left"] + outer["Width"] + 0.01
    assert len(words) == sum(len(text.split()) for text in PAGE_LINES) + len(
        " ".join(line["DetectedText"] for line in lines[len(PAGE_LINES) :]).split()
    )
    for detection in detections:
        assert 50 <= detection["Confidence"] <= 100
        polygon = detection["Geometry"]["Polygon"]
        assert len(polygon) == 4
        assert all(0 <= p["X"] <= 1 and 0 <= p["Y"] <= 1 for p in polygon)
    # Reading order: "segmentation" right of "Region-based", "Let" below both.
    first, second = word(page, "Region-based"), word(page, "segmentation")
    assert first["Geometry"]["BoundingBox"]["Left"] < second["Geometry"]["BoundingBox"]["Left"]
    assert (
        word(page, "Let")["Geometry"]["BoundingBox"]["Top"]
        > (first["Geometry"]["BoundingBox"]["Top"])
    )


def test_word_filter(rekognition: Any, page: dict[str, Any]) -> None:
    wide = rekognition.detect_text(
        Image={"Bytes": photo(PAGE)},
        Filters={"WordFilter": {"MinConfidence": 0, "MinBoundingBoxWidth": 0.3}},
    )
    # Only the title's words are that wide (segmentation: 0.37 of the page's width).
    assert [d["DetectedText"] for d in of_type(wide, "WORD")] == ["Region-based", "segmentation"]
    assert [d["DetectedText"] for d in of_type(wide, "LINE")] == [PAGE_LINES[0]]
    sure = rekognition.detect_text(
        Image={"Bytes": photo(PAGE)}, Filters={"WordFilter": {"MinConfidence": 99.9}}
    )
    kept = of_type(sure, "WORD")
    assert kept
    assert len(kept) < len(of_type(page, "WORD"))
    assert all(d["Confidence"] >= 99.9 for d in kept)


def test_regions_of_interest(rekognition: Any, page: dict[str, Any]) -> None:
    """A word counts when more than half of it lies in a region."""
    target = word(page, "segmentation")["Geometry"]["BoundingBox"]

    def words_left_of(share: float) -> list[str]:
        right = target["Left"] + share * target["Width"]
        region = {"BoundingBox": {"Left": 0, "Top": 0, "Width": right, "Height": 0.2}}
        answer = rekognition.detect_text(
            Image={"Bytes": photo(PAGE)}, Filters={"RegionsOfInterest": [region]}
        )
        return [d["DetectedText"] for d in of_type(answer, "WORD")]

    assert words_left_of(0.6) == ["Region-based", "segmentation"]
    assert words_left_of(0.4) == ["Region-based"]
    # A triangle over the page's lower left corner keeps only words there, and the lines
    # they belong to.
    triangle = [{"X": 0, "Y": 0.55}, {"X": 0.6, "Y": 1}, {"X": 0, "Y": 1}]
    answer = rekognition.detect_text(
        Image={"Bytes": photo(PAGE)}, Filters={"RegionsOfInterest": [{"Polygon": triangle}]}
    )
    words = of_type(answer, "WORD")
    assert words
    assert {w["ParentId"] for w in words} == {d["Id"] for d in of_type(answer, "LINE")}
    for kept in words:
        box = kept["Geometry"]["BoundingBox"]
        centre_x, centre_y = box["Left"] + box["Width"] / 2, box["Top"] + box["Height"] / 2
        assert centre_y > 0.55 + 0.75 * centre_x - 0.1  # on the triangle's side of its edge


def test_rotated_lines(rekognition: Any) -> None:
    answer = rekognition.detect_text(
        Image={"Bytes": rendered(["NO ENTRY", "except buses"], size=36, angle=20)}
    )
    assert [d["DetectedText"] for d in of_type(answer, "LINE")] == ["NO ENTRY", "except buses"]
    assert [(d["DetectedText"], d["ParentId"]) for d in of_type(answer, "WORD")] == [
        ("NO", 0),
        ("ENTRY", 0),
        ("except", 1),
        ("buses", 1),
    ]
    # The polygon follows the text: its top edge rises to the right; the box holds it.
    for detection in answer["TextDetections"]:
        top_left, top_right = detection["Geometry"]["Polygon"][:2]
        assert top_right["Y"] < top_left["Y"]
        box = detection["Geometry"]["BoundingBox"]
        assert box["Top"] <= top_right["Y"] <= top_left["Y"] <= box["Top"] + box["Height"]


VOCABULARY = [
    word
    for row in (
        "apple river stone cloud green light north paper table window garden market",
        "silver orange winter summer bridge castle forest island valley harbor tower",
        "yellow purple basket candle doctor engine farmer ladder mirror pencil rocket",
    )
    for word in row.split()
]


def test_at_most_100_words(rekognition: Any) -> None:
    words_in = [VOCABULARY[n % len(VOCABULARY)] for n in range(14 * 8)]
    lines = [" ".join(words_in[n * 8 : n * 8 + 8]) for n in range(14)]  # 112 words
    answer = rekognition.detect_text(Image={"Bytes": rendered(lines, size=22)})
    words = of_type(answer, "WORD")
    assert 90 <= len(words) <= 100
    read = [d["DetectedText"] for d in of_type(answer, "LINE")]
    assert len(read) < len(lines)
    # Whole lines, in reading order: every line kept keeps all its words.
    for line in of_type(answer, "LINE"):
        children = [w["DetectedText"] for w in words if w["ParentId"] == line["Id"]]
        assert " ".join(children) == line["DetectedText"]
    assert read[0] == lines[0]


def test_a_photo_without_text(rekognition: Any) -> None:
    answer = rekognition.detect_text(Image={"Bytes": photo(NO_TEXT)})
    assert answer["TextDetections"] == []
    assert answer["TextModelVersion"] == "ppocrv6_small_v1"


def test_image_from_s3(server: LiveServer, rekognition: Any) -> None:
    s3 = server.client("s3")
    bucket = f"pages-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="scans/page.png", Body=photo(PAGE))
    answer = rekognition.detect_text(
        Image={"S3Object": {"Bucket": bucket, "Name": "scans/page.png"}}
    )
    assert [d["DetectedText"] for d in of_type(answer, "LINE")][:1] == PAGE_LINES[:1]
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        rekognition.detect_text(Image={"S3Object": {"Bucket": bucket, "Name": "absent.png"}})


def test_bad_images_get_detect_faces_errors(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_text(Image={"Bytes": b"this is not an image"})
    page = photo(PAGE)
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_text(Image={"Bytes": page[: len(page) // 3]})
    gif = io.BytesIO()
    Image.new("RGB", (100, 100)).save(gif, "GIF")
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_text(Image={"Bytes": gif.getvalue()})
    with pytest.raises(rekognition.exceptions.ImageTooLargeException):
        rekognition.detect_text(Image={"Bytes": page + b"\x00" * (6 * 1024 * 1024)})
    tiny = io.BytesIO()
    Image.new("RGB", (60, 60), "white").save(tiny, "PNG")
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.detect_text(Image={"Bytes": tiny.getvalue()})


def test_bad_filters(rekognition: Any) -> None:
    malformed: list[dict[str, Any]] = [
        {"RegionsOfInterest": [{}]},
        {"RegionsOfInterest": [{"Polygon": [{"X": 0, "Y": 0}, {"X": 1, "Y": 1}]}]},
    ]
    for filters in malformed:
        with pytest.raises(rekognition.exceptions.InvalidParameterException):
            rekognition.detect_text(Image={"Bytes": photo(PAGE)}, Filters=filters)
