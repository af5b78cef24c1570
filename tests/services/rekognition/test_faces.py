"""Face operations on the real models, through boto3, on the shared photos."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from PIL import Image

from tests.conftest import LiveServer
from tests.services.rekognition.faces_data import (
    no_face_photos,
    photo,
    single_person_photos,
)

OBAMA = "face_recognition/examples/obama.jpg"
OBAMA_2 = "face_recognition/examples/obama2.jpg"
BIDEN = "face_recognition/examples/biden.jpg"
TWO_PEOPLE = "face_recognition/examples/two_people.jpg"
MULTIFACE = "facenet_pytorch/data/multiface.jpg"
RGBA_PNG = "face_recognition/tests/test_images/32bit.png"


def image(relative: str) -> dict[str, bytes]:
    return {"Bytes": photo(relative)}


def new_collection(client: Any) -> str:
    name = f"faces-{uuid.uuid4().hex[:10]}"
    client.create_collection(CollectionId=name)
    return name


def test_same_person_matches_and_different_people_do_not(rekognition: Any) -> None:
    same = rekognition.compare_faces(SourceImage=image(OBAMA), TargetImage=image(OBAMA_2))
    assert len(same["FaceMatches"]) == 1
    assert same["FaceMatches"][0]["Similarity"] >= 80
    different = rekognition.compare_faces(SourceImage=image(OBAMA), TargetImage=image(BIDEN))
    assert different["FaceMatches"] == []
    assert len(different["UnmatchedFaces"]) == 1
    below = rekognition.compare_faces(
        SourceImage=image(OBAMA), TargetImage=image(BIDEN), SimilarityThreshold=0
    )
    assert below["FaceMatches"][0]["Similarity"] < 80


def test_compare_against_a_group(rekognition: Any) -> None:
    result = rekognition.compare_faces(SourceImage=image(BIDEN), TargetImage=image(TWO_PEOPLE))
    assert len(result["FaceMatches"]) + len(result["UnmatchedFaces"]) == 2
    box = result["SourceImageFace"]["BoundingBox"]
    assert 0 < box["Width"] <= 1 and 0 < box["Height"] <= 1


@pytest.mark.parametrize(("relative", "count"), [(TWO_PEOPLE, 2), (MULTIFACE, 6), (OBAMA, 1)])
def test_detect_counts(rekognition: Any, relative: str, count: int) -> None:
    faces = rekognition.detect_faces(Image=image(relative))["FaceDetails"]
    assert len(faces) == count
    for face in faces:
        box = face["BoundingBox"]
        assert -0.1 < box["Left"] < 1 and -0.1 < box["Top"] < 1
        assert 0 < face["Confidence"] <= 100
        types = [landmark["Type"] for landmark in face["Landmarks"]]
        assert types == ["eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight"]
        eyes = {lm["Type"]: lm for lm in face["Landmarks"]}
        assert eyes["eyeLeft"]["X"] < eyes["eyeRight"]["X"]
        assert set(face["Pose"]) == {"Roll", "Yaw", "Pitch"}
        assert 0 <= face["Quality"]["Brightness"] <= 100
        assert 0 <= face["Quality"]["Sharpness"] <= 100
        assert "AgeRange" not in face and "Emotions" not in face  # not computed: omitted


def test_no_face_photos_have_no_faces(rekognition: Any) -> None:
    photos = no_face_photos()
    assert len(photos) >= 12
    for relative in photos:
        assert rekognition.detect_faces(Image=image(relative))["FaceDetails"] == [], relative


def test_rgba_png(rekognition: Any) -> None:
    assert len(rekognition.detect_faces(Image=image(RGBA_PNG))["FaceDetails"]) == 1


def test_exif_rotation_is_honoured(rekognition: Any) -> None:
    upright = Image.open(io.BytesIO(photo(OBAMA)))
    # Store the pixels turned on their side and say so in EXIF: viewers show it upright.
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    buffer = io.BytesIO()
    sideways.save(buffer, "JPEG", exif=exif, quality=95)
    rotated = {"Bytes": buffer.getvalue()}

    original = rekognition.detect_faces(Image=image(OBAMA))["FaceDetails"][0]["BoundingBox"]
    turned = rekognition.detect_faces(Image=rotated)["FaceDetails"][0]["BoundingBox"]
    for key in ("Left", "Top", "Width", "Height"):
        assert turned[key] == pytest.approx(original[key], abs=0.03)
    match = rekognition.compare_faces(SourceImage=image(OBAMA), TargetImage=rotated)
    assert match["FaceMatches"][0]["Similarity"] > 99


def test_search_identifies_held_out_photos(server: LiveServer) -> None:
    client = server.client("rekognition", region="ap-southeast-2")
    collection = new_collection(client)
    held_out: dict[str, str] = {}
    indexed = 0
    for identity, photos in single_person_photos().items():
        if identity.startswith("unlabeled"):
            continue
        if len(photos) >= 2:
            held_out[identity] = photos[0]
        for relative in photos[1:] if len(photos) >= 2 else photos:
            records = client.index_faces(
                CollectionId=collection, Image=image(relative), ExternalImageId=identity
            )["FaceRecords"]
            assert len(records) == 1, relative
            indexed += 1
    assert len(held_out) >= 8
    assert client.describe_collection(CollectionId=collection)["FaceCount"] == indexed

    for identity, relative in held_out.items():
        result = client.search_faces_by_image(CollectionId=collection, Image=image(relative))
        assert result["FaceMatches"], relative
        assert result["FaceMatches"][0]["Face"]["ExternalImageId"] == identity, relative
        similarities = [match["Similarity"] for match in result["FaceMatches"]]
        assert similarities == sorted(similarities, reverse=True)
        assert 0 < result["SearchedFaceBoundingBox"]["Width"] <= 1
        assert result["SearchedFaceConfidence"] > 90

    # Users: one per identity, holding its indexed faces; the held-out photos find them.
    faces = [
        face
        for page in client.get_paginator("list_faces").paginate(CollectionId=collection)
        for face in page["Faces"]
    ]
    by_identity: dict[str, list[str]] = {}
    for face in faces:
        by_identity.setdefault(face["ExternalImageId"], []).append(face["FaceId"])
    for identity, face_ids in by_identity.items():
        client.create_user(CollectionId=collection, UserId=identity)
        associated = client.associate_faces(
            CollectionId=collection, UserId=identity, FaceIds=face_ids
        )
        assert len(associated["AssociatedFaces"]) == len(face_ids), associated
        assert associated["UserStatus"] == "ACTIVE"
    assert client.describe_collection(CollectionId=collection)["UserCount"] == len(by_identity)
    for identity, relative in held_out.items():
        result = client.search_users_by_image(CollectionId=collection, Image=image(relative))
        assert result["UserMatches"][0]["User"]["UserId"] == identity, relative

    obama_faces = by_identity["obama"]
    found = client.search_users(CollectionId=collection, FaceId=obama_faces[0])
    assert found["UserMatches"][0]["User"]["UserId"] == "obama"
    listed = client.list_faces(CollectionId=collection, UserId="obama")["Faces"]
    assert sorted(face["FaceId"] for face in listed) == sorted(obama_faces)


def test_index_same_image_twice_creates_no_duplicates(rekognition: Any) -> None:
    collection = new_collection(rekognition)
    first = rekognition.index_faces(
        CollectionId=collection, Image=image(TWO_PEOPLE), ExternalImageId="group"
    )
    second = rekognition.index_faces(
        CollectionId=collection, Image=image(TWO_PEOPLE), ExternalImageId="group"
    )
    ids = [record["Face"]["FaceId"] for record in first["FaceRecords"]]
    assert len(ids) == 2
    assert [record["Face"]["FaceId"] for record in second["FaceRecords"]] == ids
    assert rekognition.describe_collection(CollectionId=collection)["FaceCount"] == 2


def test_max_faces_and_quality_filter(rekognition: Any) -> None:
    collection = new_collection(rekognition)
    result = rekognition.index_faces(CollectionId=collection, Image=image(MULTIFACE), MaxFaces=2)
    assert len(result["FaceRecords"]) == 2
    reasons = [face["Reasons"] for face in result["UnindexedFaces"]]
    assert ["EXCEEDS_MAX_FACES"] in reasons
    assert len(result["FaceRecords"]) + len(result["UnindexedFaces"]) == 6

    def area(box: dict[str, float]) -> float:
        return box["Width"] * box["Height"]

    kept = [area(record["Face"]["BoundingBox"]) for record in result["FaceRecords"]]
    skipped = [area(face["FaceDetail"]["BoundingBox"]) for face in result["UnindexedFaces"]]
    assert min(kept) >= max(skipped)  # the largest faces are kept
    everything = rekognition.index_faces(
        CollectionId=collection, Image=image(OBAMA), QualityFilter="NONE"
    )
    assert len(everything["FaceRecords"]) == 1
    assert (
        everything["FaceModelVersion"]
        == everything["FaceRecords"][0]["Face"]["IndexFacesModelVersion"]
    )


def test_delete_faces_vanish_from_search(rekognition: Any) -> None:
    collection = new_collection(rekognition)
    record = rekognition.index_faces(
        CollectionId=collection, Image=image(OBAMA), ExternalImageId="obama"
    )["FaceRecords"][0]
    face_id = record["Face"]["FaceId"]
    hits = rekognition.search_faces_by_image(CollectionId=collection, Image=image(OBAMA_2))
    assert [match["Face"]["FaceId"] for match in hits["FaceMatches"]] == [face_id]

    missing = str(uuid.uuid4())
    deleted = rekognition.delete_faces(CollectionId=collection, FaceIds=[face_id, missing])
    assert deleted["DeletedFaces"] == [face_id]
    assert deleted["UnsuccessfulFaceDeletions"] == [
        {"FaceId": missing, "Reasons": ["FACE_NOT_FOUND"]}
    ]
    hits = rekognition.search_faces_by_image(CollectionId=collection, Image=image(OBAMA_2))
    assert hits["FaceMatches"] == []
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.search_faces(CollectionId=collection, FaceId=face_id)


def test_search_faces_by_id_excludes_itself(rekognition: Any) -> None:
    collection = new_collection(rekognition)
    ids = [
        rekognition.index_faces(CollectionId=collection, Image=image(p), ExternalImageId=name)[
            "FaceRecords"
        ][0]["Face"]["FaceId"]
        for p, name in ((OBAMA, "obama"), (OBAMA_2, "obama"), (BIDEN, "biden"))
    ]
    result = rekognition.search_faces(CollectionId=collection, FaceId=ids[0])
    assert result["SearchedFaceId"] == ids[0]
    assert [match["Face"]["FaceId"] for match in result["FaceMatches"]] == [ids[1]]


def test_results_are_identical_after_restart(fresh_server: LiveServer) -> None:
    fresh_server.start()
    client = fresh_server.client("rekognition")
    client.create_collection(CollectionId="kept")
    for relative, name in ((OBAMA, "obama"), (BIDEN, "biden")):
        client.index_faces(CollectionId="kept", Image=image(relative), ExternalImageId=name)
    before = client.search_faces_by_image(CollectionId="kept", Image=image(OBAMA_2))
    fresh_server.restart()
    client = fresh_server.client("rekognition")
    after = client.search_faces_by_image(CollectionId="kept", Image=image(OBAMA_2))
    assert after["FaceMatches"] == before["FaceMatches"]
    assert client.describe_collection(CollectionId="kept")["FaceCount"] == 2


def test_images_from_local_buckets(server: LiveServer, rekognition: Any) -> None:
    bucket = server.data_dir / "s3" / "photos"
    (bucket / "people").mkdir(parents=True, exist_ok=True)
    (bucket / "people" / "obama.jpg").write_bytes(photo(OBAMA))
    result = rekognition.detect_faces(
        Image={"S3Object": {"Bucket": "photos", "Name": "people/obama.jpg"}}
    )
    assert len(result["FaceDetails"]) == 1
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        rekognition.detect_faces(Image={"S3Object": {"Bucket": "photos", "Name": "absent.jpg"}})
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        rekognition.detect_faces(
            Image={"S3Object": {"Bucket": "photos", "Name": "../../sensorium.db"}}
        )


def test_aws_documented_flow(rekognition: Any) -> None:
    """AWS's example: create a collection, index, list, search, delete faces, delete it."""
    collection = new_collection(rekognition)
    indexed = rekognition.index_faces(
        CollectionId=collection,
        Image=image(OBAMA),
        ExternalImageId="obama.jpg",
        MaxFaces=1,
        QualityFilter="AUTO",
        DetectionAttributes=["ALL"],
    )
    face_id = indexed["FaceRecords"][0]["Face"]["FaceId"]
    listed = rekognition.list_faces(CollectionId=collection, MaxResults=20)
    assert [face["FaceId"] for face in listed["Faces"]] == [face_id]
    assert listed["FaceModelVersion"]
    found = rekognition.search_faces_by_image(
        CollectionId=collection, Image=image(OBAMA_2), FaceMatchThreshold=95, MaxFaces=5
    )
    assert found["FaceMatches"][0]["Face"]["ExternalImageId"] == "obama.jpg"
    rekognition.delete_faces(CollectionId=collection, FaceIds=[face_id])
    assert rekognition.list_faces(CollectionId=collection)["Faces"] == []
    rekognition.delete_collection(CollectionId=collection)


def test_list_faces_and_users_paginate(rekognition: Any) -> None:
    collection = new_collection(rekognition)
    indexed = rekognition.index_faces(CollectionId=collection, Image=image(MULTIFACE))
    ids = sorted(record["Face"]["FaceId"] for record in indexed["FaceRecords"])
    assert len(ids) == 6
    first = rekognition.list_faces(CollectionId=collection, MaxResults=4)
    assert len(first["Faces"]) == 4 and "NextToken" in first
    second = rekognition.list_faces(
        CollectionId=collection, MaxResults=4, NextToken=first["NextToken"]
    )
    assert "NextToken" not in second
    assert sorted(face["FaceId"] for face in first["Faces"] + second["Faces"]) == ids
    chosen = rekognition.list_faces(CollectionId=collection, FaceIds=ids[:2])["Faces"]
    assert sorted(face["FaceId"] for face in chosen) == ids[:2]
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.list_faces(CollectionId=collection, NextToken="forged")

    for name in ("ann", "bob", "cyd"):
        rekognition.create_user(CollectionId=collection, UserId=name)
    page = rekognition.list_users(CollectionId=collection, MaxResults=2)
    rest = rekognition.list_users(CollectionId=collection, NextToken=page["NextToken"])
    assert [u["UserId"] for u in page["Users"] + rest["Users"]] == ["ann", "bob", "cyd"]
    assert {u["UserStatus"] for u in page["Users"]} == {"CREATED"}
    rekognition.delete_user(CollectionId=collection, UserId="bob")
    assert rekognition.describe_collection(CollectionId=collection)["UserCount"] == 2
