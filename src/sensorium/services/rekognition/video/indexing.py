"""``sensorium faces index`` on a video (MP4/MOV): one face per tracked person.

Through the server's API, like the rest of the command: the video is uploaded to a bucket
(``BUCKET``, made if missing), a StartFaceDetection job finds the faces on the sampled frames,
and they are followed from sample to sample by the face search job's tracker
(``models/video/tracking.py``) on box overlap alone (GetFaceDetection gives boxes, no
embeddings). Each track's best face (the largest, discounted by how far it turns from the
camera: the cosines of its yaw and pitch; then the more confident) is cut out of its frame,
decoded here with PyAV, with ``MARGIN`` of its size on each side (scaled up to ``MIN_SIDE``
pixels if smaller). A track whose best face is under ``MIN_FACE`` pixels a side is left out:
enlarged, such a face embeds unreliably (it matched other people). Tracks are taken in order
of first appearance, and each crop is first searched in the collection: a crop that matches a
face this video already gave (Similarity at least ``SAME_PERSON_SIMILARITY``) is that person
seen again after a cut or a gap (a face search job merges such tracks too) and is not indexed
again. The others are indexed (``MaxFaces=1``, the crop's one face; IndexFaces' default
QualityFilter may still refuse a blurred or turned face) as ``<name>:person<N>:<ms>ms``:
``<name>`` the ExternalImageId a photo of that path would get, ``N`` the person's number in
this video from 0 in order of first appearance, ``ms`` the timestamp of the frame the face
was cut from.
"""

from __future__ import annotations

import hashlib
import io
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command imports this module; numpy, PyAV and the models when used
    import numpy as np

    from sensorium.models.faces import Box

VIDEO_SUFFIXES = {".mp4", ".mov"}
BUCKET = "sensorium-video"
MARGIN = 0.5  # of the face's width and height, on each side of the crop
MIN_SIDE = 160  # pixels: smaller crops are scaled up to this
MIN_FACE = 40  # pixels a side in the frame: smaller faces give unreliable embeddings
SAME_PERSON_SIMILARITY = 80.0  # AWS's default FaceMatchThreshold
POLL_SECONDS = 1.0
Shape = dict[str, Any]


class VideoJobFailed(Exception):
    """The server's face detection job did not succeed (its StatusMessage)."""


def _no_embedding() -> np.ndarray[Any, Any]:
    import numpy as np

    return np.zeros(0, np.float32)


@dataclass(frozen=True)
class Sighting:
    box: Box  # pixels
    embedding: np.ndarray[Any, Any] = field(default_factory=_no_embedding)


@dataclass(frozen=True)
class Best:
    """A track's chosen face: where and when."""

    track: int
    first_ms: int
    timestamp_ms: int
    box: Box
    confidence: float
    yaw: float
    pitch: float


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def index_video(rekognition: Any, s3: Any, path: Path, collection: str, name: str) -> int:
    """Index one face per person of the video at ``path``; the number of faces indexed."""
    data = path.read_bytes()
    video = {"S3Object": {"Bucket": BUCKET, "Name": upload(s3, data, path.suffix.lower())}}
    job_id = rekognition.start_face_detection(Video=video)["JobId"]
    answer, faces = collect(rekognition.get_face_detection, job_id, "Faces")
    if answer["JobStatus"] != "SUCCEEDED":
        raise VideoJobFailed(answer.get("StatusMessage", "the face detection job failed"))
    metadata = answer["VideoMetadata"]
    chosen = best_faces(faces, int(metadata["FrameWidth"]), int(metadata["FrameHeight"]))
    crops = face_crops(path, chosen)
    indexed: set[str] = set()
    person = 0
    for best in chosen:
        if min(best.box.width, best.box.height) < MIN_FACE:
            continue
        crop = crops.get(best.track)
        if crop is None or seen_before(rekognition, collection, crop, indexed):
            continue
        records = rekognition.index_faces(
            CollectionId=collection,
            Image={"Bytes": crop},
            ExternalImageId=f"{name[:200]}:person{person}:{best.timestamp_ms}ms",
            MaxFaces=1,
        )["FaceRecords"]
        if records:
            indexed.add(records[0]["Face"]["FaceId"])
            person += 1
    return len(indexed)


def upload(s3: Any, data: bytes, suffix: str) -> str:
    """Put the video in ``BUCKET`` under its content's hash; the key."""
    ensure_bucket(s3, BUCKET)
    key = f"faces-index/{hashlib.sha256(data).hexdigest()[:32]}{suffix}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    return key


def ensure_bucket(s3: Any, bucket: str) -> None:
    """Make the bucket if it is missing, in the client's region."""
    try:
        s3.head_bucket(Bucket=bucket)
        return
    except Exception:
        pass
    region = s3.meta.region_name
    if region and region != "us-east-1":
        configuration = {"LocationConstraint": region}
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=configuration)
    else:
        s3.create_bucket(Bucket=bucket)


def collect(get: Callable[..., Shape], job_id: str, key: str) -> tuple[Shape, list[Shape]]:
    """Poll a Get operation until the job settles, then every page of its results."""
    while True:
        answer = get(JobId=job_id)
        if answer["JobStatus"] != "IN_PROGRESS":
            break
        time.sleep(POLL_SECONDS)
    items = list(answer.get(key, []))
    while "NextToken" in answer:
        answer = get(JobId=job_id, NextToken=answer["NextToken"])
        items += answer.get(key, [])
    return answer, items


def best_faces(faces: list[Shape], width: int, height: int) -> list[Best]:
    """GetFaceDetection's Faces tracked; each track's best face (``_size``), in order of
    first appearance."""
    from sensorium.models.video import FaceTracker

    tracker = FaceTracker()
    by_time: dict[int, list[Shape]] = {}
    for face in faces:
        by_time.setdefault(int(face["Timestamp"]), []).append(face["Face"])
    chosen: dict[int, Best] = {}
    for stamp in sorted(by_time):
        details = by_time[stamp]
        boxes = [pixels(detail["BoundingBox"], width, height) for detail in details]
        for index, box, detail in zip(
            tracker.assign(stamp, [Sighting(box) for box in boxes]), boxes, details, strict=True
        ):
            current = chosen.get(index)
            candidate = Best(
                index,
                current.first_ms if current else stamp,
                stamp,
                box,
                float(detail["Confidence"]),
                float(detail.get("Pose", {}).get("Yaw", 0.0)),
                float(detail.get("Pose", {}).get("Pitch", 0.0)),
            )
            if current is None or _size(candidate) > _size(current):
                chosen[index] = candidate
    return sorted(chosen.values(), key=lambda best: (best.first_ms, best.track))


def _size(best: Best) -> tuple[float, float]:
    """The face's area, less the more it turns from the camera (a turned face matches
    others less well); then its confidence."""
    turned = math.cos(math.radians(best.yaw)) * math.cos(math.radians(best.pitch))
    return (best.box.width * best.box.height * max(0.0, turned), best.confidence)


def pixels(box: Shape, width: int, height: int) -> Box:
    from sensorium.models.faces import Box

    left, top = box["Left"] * width, box["Top"] * height
    return Box(left, top, left + box["Width"] * width, top + box["Height"] * height)


def face_crops(path: Path, chosen: list[Best]) -> dict[int, bytes]:
    """Each chosen face cut out of its frame (with ``MARGIN``), as PNG, by track."""
    import numpy as np
    from PIL import Image

    from sensorium.models.video import open_video

    wanted: dict[int, list[Best]] = {}
    for best in chosen:
        wanted.setdefault(best.timestamp_ms, []).append(best)
    crops: dict[int, bytes] = {}
    with open_video(path, float("inf")) as video:
        for frame in video.frames_at(set(wanted)):
            height, width = frame.rgb.shape[:2]
            for best in wanted.pop(frame.timestamp_ms, []):
                box = best.box
                dx, dy = box.width * MARGIN, box.height * MARGIN
                left, top = max(0, int(box.left - dx)), max(0, int(box.top - dy))
                right = min(width, int(np.ceil(box.right + dx)))
                bottom = min(height, int(np.ceil(box.bottom + dy)))
                if right <= left or bottom <= top:
                    continue
                crop = Image.fromarray(frame.rgb[top:bottom, left:right])
                scale = MIN_SIDE / min(crop.size)
                if scale > 1:  # IndexFaces takes images of 80 pixels a side or more
                    size = (round(crop.width * scale), round(crop.height * scale))
                    crop = crop.resize(size, Image.Resampling.LANCZOS)
                out = io.BytesIO()
                crop.save(out, format="PNG")
                crops[best.track] = out.getvalue()
    return crops


def seen_before(rekognition: Any, collection: str, crop: bytes, indexed: set[str]) -> bool:
    """Whether the crop matches a face this video already gave."""
    if not indexed:
        return False
    try:
        matches = rekognition.search_faces_by_image(
            CollectionId=collection,
            Image={"Bytes": crop},
            FaceMatchThreshold=SAME_PERSON_SIMILARITY,
            MaxFaces=len(indexed) + 10,
        )["FaceMatches"]
    except rekognition.exceptions.InvalidParameterException:
        return False  # no face found in the crop: IndexFaces will say so too
    return any(match["Face"]["FaceId"] in indexed for match in matches)
