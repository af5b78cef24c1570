"""Similarity that reflects how much two faces can say: two heavily blurred photos of
different people must not match, as they did with one calibration for every pair."""

from __future__ import annotations

import io
import uuid
from typing import Any

from PIL import Image, ImageFilter

from tests.services.rekognition.faces_data import photo

OBAMA = ("face_recognition/examples/obama.jpg", 251)  # (photo, its face's width in px)
OBAMA_2 = ("face_recognition/examples/obama2.jpg", 275)
BIDEN = ("face_recognition/examples/biden.jpg", 290)


def blurred(source: tuple[str, int]) -> dict[str, bytes]:
    """The photo with its face 160 px wide, blurred by a Gaussian of 4 % of the face's width
    (the evaluation's ``blur0.04``: a face in a shaken or out-of-focus shot)."""
    relative, face_width = source
    im = Image.open(io.BytesIO(photo(relative))).convert("RGB")
    scale = 160 / face_width
    im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    im.filter(ImageFilter.GaussianBlur(0.04 * 160)).save(out, "PNG")
    return {"Bytes": out.getvalue()}


def test_two_blurred_faces_of_different_people_do_not_match(rekognition: Any) -> None:
    # One calibration for every pair scored these two 92: a false match.
    different = rekognition.compare_faces(
        SourceImage=blurred(OBAMA_2), TargetImage=blurred(BIDEN), SimilarityThreshold=0
    )
    assert different["FaceMatches"][0]["Similarity"] < 80
    assert different["FaceMatches"][0]["Face"]["Quality"]["Sharpness"] < 10  # POOR band
    same = rekognition.compare_faces(SourceImage=blurred(OBAMA), TargetImage=blurred(OBAMA_2))
    assert same["FaceMatches"][0]["Similarity"] >= 80


def test_index_faces_auto_leaves_out_faces_too_poor_to_match(rekognition: Any) -> None:
    collection = f"bands-{uuid.uuid4().hex[:10]}"
    rekognition.create_collection(CollectionId=collection)
    indexed = rekognition.index_faces(CollectionId=collection, Image=blurred(OBAMA))
    assert indexed["FaceRecords"] == []
    (unindexed,) = indexed["UnindexedFaces"]
    assert unindexed["Reasons"] == ["LOW_SHARPNESS"]
    kept = rekognition.index_faces(
        CollectionId=collection, Image=blurred(OBAMA), QualityFilter="NONE"
    )
    assert len(kept["FaceRecords"]) == 1
    # A blurred face in the collection is matched by the pair's own calibration: the same
    # person's blurred photo is found, another person's is not.
    found = rekognition.search_faces_by_image(CollectionId=collection, Image=blurred(OBAMA_2))
    assert len(found["FaceMatches"]) == 1
    assert found["FaceMatches"][0]["Similarity"] >= 80
    other = rekognition.search_faces_by_image(CollectionId=collection, Image=blurred(BIDEN))
    assert other["FaceMatches"] == []
    rekognition.delete_collection(CollectionId=collection)
