"""A face search on stored video killed mid-way resumes from its last checkpoint after a
restart, and ends with the same Persons as a run that was never interrupted."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import sqlalchemy

from tests.conftest import LiveServer, shared_data, store_url
from tests.services.rekognition.test_video import CLIP, CLIP_MS, STILL, wait_for


def checkpoint(engine: sqlalchemy.Engine, job_id: str) -> dict[str, Any] | None:
    """The job's saved checkpoint, read from the database as a restarted server will."""
    with engine.connect() as connection:
        stored = connection.execute(
            sqlalchemy.text("SELECT video_metadata FROM rekognition_video_jobs WHERE job_id = :j"),
            {"j": job_id},
        ).scalar_one()
    metadata = json.loads(stored) if isinstance(stored, str) else stored
    found = (metadata or {}).get("Checkpoint")
    return found if isinstance(found, dict) else None


def persons(answer: dict[str, Any]) -> list[tuple[int, int, str, tuple[float, ...]]]:
    return [
        (
            p["Timestamp"],
            p["Person"]["Index"],
            p["FaceMatches"][0]["Face"]["ExternalImageId"],
            tuple(round(p["Person"]["BoundingBox"][k], 4) for k in ("Left", "Top", "Width")),
        )
        for p in answer["Persons"]
    ]


def test_a_killed_face_search_resumes_from_its_checkpoint(fresh_server: LiveServer) -> None:
    fresh_server.env["SENSORIUM_SERVICES"] = "rekognition,s3"
    fresh_server.env["SENSORIUM_VIDEO_CHECKPOINT_SECONDS"] = "1"
    fresh_server.start()
    s3 = fresh_server.client("s3")
    bucket = f"restart-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="hamilton.mp4", Body=shared_data(*CLIP).read_bytes())
    rekognition = fresh_server.client("rekognition")
    rekognition.create_collection(CollectionId="hamilton")
    rekognition.index_faces(
        CollectionId="hamilton",
        Image={"Bytes": shared_data(*STILL).read_bytes()},
        ExternalImageId="lin-manuel-miranda",
        MaxFaces=1,
    )
    request = {
        "Video": {"S3Object": {"Bucket": bucket, "Name": "hamilton.mp4"}},
        "CollectionId": "hamilton",
    }
    job_id = rekognition.start_face_search(**request)["JobId"]

    engine = sqlalchemy.create_engine(store_url(fresh_server.data_dir))
    deadline = time.monotonic() + 600  # guards a hang; nothing is timed
    while (saved := checkpoint(engine, job_id)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    fresh_server.kill()  # no goodbye: the job is left running, its lease held
    assert saved is not None, "no checkpoint was written"
    assert 0 < saved["after_ms"] < CLIP_MS
    assert checkpoint(engine, job_id) is not None  # the kill came before the job finished

    rekognition = fresh_server.start().client("rekognition")
    resumed = wait_for(rekognition.get_face_search, job_id)
    assert resumed["JobStatus"] == "SUCCEEDED", resumed.get("StatusMessage")
    assert f"resumes after {saved['after_ms']} ms" in fresh_server.log()
    assert resumed["VideoMetadata"]["DurationMillis"] == CLIP_MS

    uninterrupted = wait_for(
        rekognition.get_face_search, rekognition.start_face_search(**request)["JobId"]
    )
    assert uninterrupted["JobStatus"] == "SUCCEEDED", uninterrupted.get("StatusMessage")
    assert persons(resumed), "the performer was not found"
    assert persons(resumed) == persons(uninterrupted)
    engine.dispose()
