"""Rekognition Video on stored video through boto3 on the live server: the Hamilton clip
uploaded to a bucket, searched against a collection holding Lin-Manuel Miranda's still."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from sensorium.models.faces import Box
from sensorium.models.video import FaceTracker
from sensorium.services.rekognition.video.analyses import label_segments
from sensorium.services.rekognition.video.indexing import Sighting
from tests.conftest import LiveServer, shared_data

CLIP = ("video", "short_hamilton_clip.mp4")
STILL = ("faces", "face_recognition", "examples", "lin-manuel-miranda.png")
CLIP_MS = 9176  # the clip's video stream: 110000 ticks of 1/11988 s


def wait_for(get: Callable[..., dict[str, Any]], job_id: str, limit: float = 600) -> dict[str, Any]:
    """Poll like a waiter until the job settles (the limit guards a hang; nothing timed)."""
    deadline = time.monotonic() + limit
    while True:
        answer = get(JobId=job_id)
        if answer["JobStatus"] != "IN_PROGRESS" or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


@pytest.fixture(scope="module")
def bucket(server: LiveServer) -> str:
    name = f"video-{uuid.uuid4().hex[:8]}"
    s3 = server.client("s3")
    s3.create_bucket(Bucket=name)
    data = shared_data(*CLIP).read_bytes()
    s3.put_object(Bucket=name, Key="hamilton.mp4", Body=data)
    s3.put_object(Bucket=name, Key="truncated.mp4", Body=data[: len(data) // 2])
    s3.put_object(Bucket=name, Key="still.png", Body=shared_data(*STILL).read_bytes())
    return name


@pytest.fixture(scope="module")
def collection(server: LiveServer, bucket: str) -> str:
    rekognition = server.client("rekognition")
    name = f"hamilton-{uuid.uuid4().hex[:8]}"
    rekognition.create_collection(CollectionId=name)
    indexed = rekognition.index_faces(
        CollectionId=name,
        Image={"S3Object": {"Bucket": bucket, "Name": "still.png"}},
        ExternalImageId="lin-manuel-miranda",
        MaxFaces=1,
    )
    assert len(indexed["FaceRecords"]) == 1
    return name


@pytest.fixture(scope="module")
def search(server: LiveServer, bucket: str, collection: str) -> dict[str, Any]:
    rekognition = server.client("rekognition")
    job = rekognition.start_face_search(
        Video={"S3Object": {"Bucket": bucket, "Name": "hamilton.mp4"}},
        CollectionId=collection,
        JobTag="hamilton",
        NotificationChannel={
            "SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:video",
            "RoleArn": "arn:aws:iam::123456789012:role/video",
        },
    )
    return wait_for(rekognition.get_face_search, job["JobId"])


def test_face_search_finds_the_performer_with_one_index(search: dict[str, Any]) -> None:
    assert search["JobStatus"] == "SUCCEEDED", search.get("StatusMessage")
    assert search["JobTag"] == "hamilton"
    assert search["VideoMetadata"] == {
        "Codec": "h264",
        "DurationMillis": CLIP_MS,
        "Format": "QuickTime / MOV",
        "FrameRate": pytest.approx(29.97),
        "FrameHeight": 360,
        "FrameWidth": 640,
        "ColorRange": "LIMITED",
    }
    persons = search["Persons"]
    assert persons, "the performer was not found"
    stamps = [p["Timestamp"] for p in persons]
    assert stamps == sorted(stamps)
    assert all(0 <= t <= CLIP_MS for t in stamps)
    assert {p["Person"]["Index"] for p in persons} == {0}  # one person, one index
    for person in persons:
        face = person["Person"]["Face"]
        assert person["Person"]["BoundingBox"] == face["BoundingBox"]
        assert 0 < face["Confidence"] <= 100
        match = person["FaceMatches"][0]
        assert match["Similarity"] >= 80
        assert match["Face"]["ExternalImageId"] == "lin-manuel-miranda"


def test_face_search_pages_and_sorts_by_index(server: LiveServer, search: dict[str, Any]) -> None:
    rekognition = server.client("rekognition")
    job_id = search["JobId"]
    seen: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"JobId": job_id, "MaxResults": 2, "SortBy": "INDEX"}
    while True:
        page = rekognition.get_face_search(**kwargs)
        assert len(page["Persons"]) <= 2
        seen += page["Persons"]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    by_index = sorted(search["Persons"], key=lambda p: (p["Person"]["Index"], p["Timestamp"]))
    assert seen == by_index


def test_face_detection_on_the_clip(server: LiveServer, bucket: str) -> None:
    rekognition = server.client("rekognition")
    video = {"S3Object": {"Bucket": bucket, "Name": "hamilton.mp4"}}
    token = uuid.uuid4().hex
    job_id = rekognition.start_face_detection(Video=video, ClientRequestToken=token)["JobId"]
    # The same token and request: the same job (idempotent); another request: refused.
    again = rekognition.start_face_detection(Video=video, ClientRequestToken=token)
    assert again["JobId"] == job_id
    with pytest.raises(rekognition.exceptions.IdempotentParameterMismatchException):
        rekognition.start_face_detection(Video=video, ClientRequestToken=token, JobTag="other")
    answer = wait_for(rekognition.get_face_detection, job_id)
    assert answer["JobStatus"] == "SUCCEEDED", answer.get("StatusMessage")
    assert answer["Video"] == video
    faces = answer["Faces"]
    assert faces
    assert [f["Timestamp"] for f in faces] == sorted(f["Timestamp"] for f in faces)
    for face in faces:
        box = face["Face"]["BoundingBox"]
        assert 0 <= face["Timestamp"] <= CLIP_MS
        assert 0 < box["Width"] <= 1 and 0 < box["Height"] <= 1
        assert face["Face"]["Confidence"] > 50


@pytest.mark.parametrize(
    ("key", "words"),
    [("still.png", "only MP4 and MOV"), ("truncated.mp4", "not a video this server can read")],
)
def test_unreadable_videos_fail_the_job(
    server: LiveServer, bucket: str, key: str, words: str
) -> None:
    rekognition = server.client("rekognition")
    job_id = rekognition.start_face_detection(Video={"S3Object": {"Bucket": bucket, "Name": key}})[
        "JobId"
    ]
    answer = wait_for(rekognition.get_face_detection, job_id)
    assert answer["JobStatus"] == "FAILED"
    assert words in answer["StatusMessage"]
    assert answer["Faces"] == []


def test_start_refuses_what_it_cannot_read(server: LiveServer, bucket: str) -> None:
    rekognition = server.client("rekognition")
    with pytest.raises(rekognition.exceptions.InvalidS3ObjectException):
        rekognition.start_face_detection(
            Video={"S3Object": {"Bucket": bucket, "Name": "absent.mp4"}}
        )
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.start_face_search(
            Video={"S3Object": {"Bucket": bucket, "Name": "hamilton.mp4"}},
            CollectionId="no-such-collection",
        )
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.get_face_detection(JobId="0" * 64)


def test_label_segments_bridge_one_missed_sample() -> None:
    def seen(stamp: int, name: str, confidence: float) -> tuple[int, dict[str, Any]]:
        return stamp, {"Timestamp": stamp, "Label": {"Name": name, "Confidence": confidence}}

    # Sampled each second: Stage at 0, 1 and 3 s (2 s missed), then 6 s (4 and 5 s missed).
    found = [seen(0, "Stage", 70), seen(1000, "Stage", 90), seen(3000, "Stage", 60)]
    found += [seen(6000, "Stage", 80), seen(2000, "Person", 99)]
    segments = sorted(
        label_segments(found, 1000.0, 6500), key=lambda s: (s[1]["Label"]["Name"], s[0])
    )
    assert [
        (item["Label"]["Name"], item["StartTimestampMillis"], item["EndTimestampMillis"])
        for _, item in segments
    ] == [("Person", 2000, 3000), ("Stage", 0, 4000), ("Stage", 6000, 6500)]
    assert [item["Label"]["Confidence"] for _, item in segments] == [99, 90, 80]
    assert all(
        item["DurationMillis"] == item["EndTimestampMillis"] - item["Timestamp"]
        for _, item in segments
    )


def test_tracker_without_embeddings_follows_overlap_only() -> None:
    def face(left: float) -> Sighting:
        return Sighting(Box(left, 10.0, left + 50.0, 70.0))

    tracker = FaceTracker()
    assert tracker.assign(0, [face(0.0), face(300.0)]) == [0, 1]
    assert tracker.assign(500, [face(310.0)]) == [1]  # overlaps the second face's box
    assert tracker.assign(1000, [face(150.0)]) == [2]  # overlaps nobody: a new person
    restored = FaceTracker()
    restored.restore(tracker.state())
    assert restored.assign(1500, [face(155.0), face(5.0)]) == [2, 0]
