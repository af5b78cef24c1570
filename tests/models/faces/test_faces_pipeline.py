"""End-to-end checks on the shared photos (skipped without the photos or the weights)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sensorium.models.faces import FacePipeline, embedding_similarity, load_image
from sensorium.models.faces.types import RGBImage

Reader = Callable[[str], RGBImage]
EX = "face_recognition/examples/"
NO_FACE_NAMES = [
    "brick.png",
    "chelsea.png",
    "coffee.png",
    "coins.png",
    "grass.png",
    "horse.png",
    "hubble_deep_field.jpg",
    "moon.png",
    "motorcycle_left.png",
    "page.png",
    "retina.jpg",
    "rocket.jpg",
]
NO_FACE = [
    "facenet_pytorch/data/facenet-pytorch-banner.png",
    *(f"no_face_skimage/{n}" for n in NO_FACE_NAMES),
]


def _sim(pipeline: FacePipeline, read_rgb: Reader, a: str, b: str) -> float:
    fa, fb = pipeline.largest_face(read_rgb(a)), pipeline.largest_face(read_rgb(b))
    assert fa is not None and fb is not None
    return embedding_similarity(fa.embedding, fb.embedding)


def test_same_person_matches(pipeline: FacePipeline, read_rgb: Reader) -> None:
    assert _sim(pipeline, read_rgb, EX + "obama.jpg", EX + "obama2.jpg") >= 80


def test_different_people_do_not_match(pipeline: FacePipeline, read_rgb: Reader) -> None:
    assert _sim(pipeline, read_rgb, EX + "obama.jpg", EX + "biden.jpg") < 80


@pytest.mark.parametrize(
    ("path", "count"),
    [(EX + "two_people.jpg", 2), ("facenet_pytorch/data/multiface.jpg", 6)],
)
def test_face_counts(pipeline: FacePipeline, read_rgb: Reader, path: str, count: int) -> None:
    assert len(pipeline.detect(read_rgb(path))) == count


@pytest.mark.parametrize("path", NO_FACE)
def test_no_face_photos(pipeline: FacePipeline, read_rgb: Reader, path: str) -> None:
    assert pipeline.detect(read_rgb(path)) == []


def test_analysis_fields(pipeline: FacePipeline, read_rgb: Reader) -> None:
    rgb = read_rgb("face_recognition/tests/test_images/32bit.png")
    faces = pipeline.analyze(rgb)
    assert len(faces) == 1
    face = faces[0]
    assert face.model_version == pipeline.model_version == "dlib_resnet_v1"
    assert face.embedding.shape == (128,) and face.embedding.dtype == np.float32
    assert 90 <= face.confidence <= 100
    lm = face.landmarks
    assert lm.mouth_left is not None and lm.mouth_right is not None
    assert lm.eye_left.x < lm.nose.x < lm.eye_right.x  # eyeLeft = image-left eye
    assert face.box.left < lm.eye_left.x and lm.eye_right.x < face.box.right
    assert abs(face.pose.roll) < 20 and abs(face.pose.yaw) < 30 and abs(face.pose.pitch) < 30
    assert 0 < face.quality.brightness < 100 and 0 < face.quality.sharpness <= 100


def test_exif_rotated_copy_gives_same_face(
    pipeline: FacePipeline, faces_data: Path, read_rgb: Reader
) -> None:
    path = EX + "obama.jpg"
    upright = read_rgb(path)
    stored = Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    stored.save(buf, format="JPEG", quality=95, exif=exif.tobytes())
    loaded = load_image(buf.getvalue())
    assert loaded.rgb.shape == upright.shape
    a, b = pipeline.largest_face(upright), pipeline.largest_face(loaded.rgb)
    assert a is not None and b is not None
    for got, want in zip(
        (b.box.left, b.box.top, b.box.right, b.box.bottom),
        (a.box.left, a.box.top, a.box.right, a.box.bottom),
        strict=True,
    ):
        assert got == pytest.approx(want, abs=0.05 * a.box.width)
    assert embedding_similarity(a.embedding, b.embedding) >= 95


def test_hog_detector_finds_two_people(hog_pipeline: FacePipeline, read_rgb: Reader) -> None:
    faces = hog_pipeline.analyze(read_rgb(EX + "two_people.jpg"))
    assert len(faces) == 2
    for f in faces:
        assert f.landmarks.mouth_left is None  # dlib's 5-point model has no mouth
        assert f.landmarks.eye_left.x < f.landmarks.eye_right.x
        assert f.embedding.shape == (128,)
