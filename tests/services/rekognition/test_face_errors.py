"""Every face-operation error, raised by boto3 as the modelled exception."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from PIL import Image

from tests.services.rekognition.faces_data import photo

OBAMA = "face_recognition/examples/obama.jpg"
NO_FACE = "no_face_skimage/coffee.png"


def test_no_face_where_one_is_required(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.compare_faces(
            SourceImage={"Bytes": photo(NO_FACE)}, TargetImage={"Bytes": photo(OBAMA)}
        )
    name = f"errors-{uuid.uuid4().hex[:8]}"
    rekognition.create_collection(CollectionId=name)
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.search_faces_by_image(CollectionId=name, Image={"Bytes": photo(NO_FACE)})
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.search_users_by_image(CollectionId=name, Image={"Bytes": photo(NO_FACE)})
    # IndexFaces on a photo without faces is not an error: nothing is indexed.
    result = rekognition.index_faces(CollectionId=name, Image={"Bytes": photo(NO_FACE)})
    assert result["FaceRecords"] == []


def test_undecodable_and_truncated_images(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_faces(Image={"Bytes": b"this is not an image"})
    jpeg = photo(OBAMA)
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_faces(Image={"Bytes": jpeg[: len(jpeg) // 3]})
    gif = io.BytesIO()
    Image.new("RGB", (100, 100)).save(gif, "GIF")
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        rekognition.detect_faces(Image={"Bytes": gif.getvalue()})


def test_image_too_large(rekognition: Any) -> None:
    big = photo(OBAMA) + b"\x00" * (6 * 1024 * 1024)
    with pytest.raises(rekognition.exceptions.ImageTooLargeException):
        rekognition.detect_faces(Image={"Bytes": big})


def test_image_too_small(rekognition: Any) -> None:
    tiny = io.BytesIO()
    Image.new("RGB", (60, 60)).save(tiny, "PNG")
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.detect_faces(Image={"Bytes": tiny.getvalue()})


def test_unknown_collection_face_and_user(rekognition: Any) -> None:
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.index_faces(CollectionId=missing, Image={"Bytes": photo(OBAMA)})
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.list_faces(CollectionId=missing)
    name = f"errors-{uuid.uuid4().hex[:8]}"
    rekognition.create_collection(CollectionId=name)
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.search_faces(CollectionId=name, FaceId=str(uuid.uuid4()))
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.delete_user(CollectionId=name, UserId="nobody")
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.associate_faces(CollectionId=name, UserId="nobody", FaceIds=[str(uuid.uuid4())])
    rekognition.create_user(CollectionId=name, UserId="someone")
    with pytest.raises(rekognition.exceptions.ConflictException):
        rekognition.create_user(CollectionId=name, UserId="someone")


def test_invalid_parameters(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.search_faces(CollectionId="c", FaceId="not-a-uuid")
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.index_faces(
            CollectionId="c", Image={"Bytes": photo(OBAMA)}, ExternalImageId="has space"
        )
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.compare_faces(
            SourceImage={"Bytes": photo(OBAMA)},
            TargetImage={"Bytes": photo(OBAMA)},
            SimilarityThreshold=101,
        )
