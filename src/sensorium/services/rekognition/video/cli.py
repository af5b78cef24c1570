"""``sensorium video faces VIDEO --collection C [--plot OUT.png]``: who appears when.

The C-SPAN workflow, through a running server's API exactly as any Rekognition client would
do it: the video is uploaded to a bucket (``--bucket``, made if missing), then one
StartFaceSearch (the collection's people) and one StartFaceDetection (every face) run at
once and are polled to the end. Each face search person is named by its best match's
ExternalImageId (its FaceId when it has none). Detected faces that no searched person
covers (box overlap below ``SAME_FACE_IOU`` at the same timestamp) are followed by their box
from sample to sample and numbered "unknown #1", "unknown #2"... in order of appearance.

Sightings of one name less than ``--gap`` seconds apart form one appearance; the timeline
lists appearances in time order. ``--plot`` draws it with matplotlib (the ``forecast``
extra), one row per person.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sensorium.client import client, default_endpoint
from sensorium.services.rekognition.video.indexing import collect, ensure_bucket

SAME_FACE_IOU = 0.5  # a detected face is a searched person's face
TRACK_IOU = 0.3  # an unknown face continues a track (boxes overlap in consecutive samples)
DEFAULT_GAP = 2.0  # seconds between sightings still counted as one appearance

Shape = dict[str, Any]


@dataclass(frozen=True)
class Appearance:
    name: str
    start_ms: int
    end_ms: int  # the last sighting's timestamp
    sightings: int


def add_commands(commands: Any) -> None:
    video = commands.add_parser("video", help="stored video through a server (Rekognition Video)")
    sub = video.add_subparsers(dest="video_command", required=True)
    faces = sub.add_parser("faces", help="who appears when: a timeline of a collection's people")
    faces.add_argument("video", type=Path, help="MP4 or MOV, H.264")
    faces.add_argument("--collection", required=True)
    faces.add_argument("--threshold", type=float, default=80.0, help="FaceMatchThreshold")
    faces.add_argument("--gap", type=float, default=DEFAULT_GAP, help="seconds that split")
    faces.add_argument("--bucket", default="sensorium-video", help="where the video is put")
    faces.add_argument("--plot", type=Path, metavar="OUT.png", help="draw the timeline")
    faces.add_argument("--endpoint", default=default_endpoint())
    faces.add_argument("--data-dir", type=Path, default=None, help="server's data dir (keys)")
    faces.set_defaults(run=faces_command)


def faces_command(args: argparse.Namespace) -> int:
    path: Path = args.video
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"sensorium: {path}: {error.strerror or error}", file=sys.stderr)
        return 1
    s3 = client("s3", args.endpoint, args.data_dir)
    rekognition = client("rekognition", args.endpoint, args.data_dir)
    ensure_bucket(s3, args.bucket)
    key = f"video-faces/{hashlib.sha256(data).hexdigest()[:16]}{path.suffix.lower()}"
    s3.put_object(Bucket=args.bucket, Key=key, Body=data)
    video = {"S3Object": {"Bucket": args.bucket, "Name": key}}
    search_id = rekognition.start_face_search(
        Video=video, CollectionId=args.collection, FaceMatchThreshold=args.threshold
    )["JobId"]
    detection_id = rekognition.start_face_detection(Video=video)["JobId"]
    search, persons = collect(rekognition.get_face_search, search_id, "Persons")
    detection, faces = collect(rekognition.get_face_detection, detection_id, "Faces")
    for answer in (search, detection):
        if answer["JobStatus"] != "SUCCEEDED":
            print(f"sensorium: {path}: {answer.get('StatusMessage', 'failed')}", file=sys.stderr)
            return 1
    appearances = timeline(persons, faces, round(args.gap * 1000))
    duration = int(search.get("VideoMetadata", {}).get("DurationMillis", 0))
    print(f"{path.name}: {duration / 1000:.1f} s, collection {args.collection}")
    if not appearances:
        print("nobody appears")
    for appearance in appearances:
        print(
            f"{clock(appearance.start_ms)} - {clock(appearance.end_ms)}  {appearance.name}"
            f"  ({appearance.sightings} sighting{'' if appearance.sightings == 1 else 's'})"
        )
    if args.plot:
        plot(appearances, duration, args.plot, path.name)
    return 0


def iou(a: Shape, b: Shape) -> float:
    left, top = max(a["Left"], b["Left"]), max(a["Top"], b["Top"])
    right = min(a["Left"] + a["Width"], b["Left"] + b["Width"])
    bottom = min(a["Top"] + a["Height"], b["Top"] + b["Height"])
    inter = max(0.0, right - left) * max(0.0, bottom - top)
    union = a["Width"] * a["Height"] + b["Width"] * b["Height"] - inter
    return float(inter / union) if union > 0 else 0.0


def timeline(persons: Iterable[Shape], faces: Iterable[Shape], gap_ms: int) -> list[Appearance]:
    """Appearances from GetFaceSearch's Persons and GetFaceDetection's Faces."""
    sightings: list[tuple[int, str]] = []
    known: dict[int, list[Shape]] = {}  # timestamp -> boxes of searched persons
    for person in persons:
        matches = person.get("FaceMatches") or []
        if not matches:
            continue
        face = matches[0]["Face"]
        name = face.get("ExternalImageId") or face["FaceId"]
        sightings.append((person["Timestamp"], name))
        known.setdefault(person["Timestamp"], []).append(person["Person"]["BoundingBox"])
    tracks: list[tuple[int, Shape, int]] = []  # (number, last box, last timestamp)
    for face in sorted(faces, key=lambda f: f["Timestamp"]):
        stamp, box = face["Timestamp"], face["Face"]["BoundingBox"]
        if any(iou(box, other) >= SAME_FACE_IOU for other in known.get(stamp, [])):
            continue
        best, best_iou = None, TRACK_IOU
        for position, (_, last_box, last_ms) in enumerate(tracks):
            overlap = iou(box, last_box)
            if last_ms < stamp and stamp - last_ms <= gap_ms and overlap >= best_iou:
                best, best_iou = position, overlap
        if best is None:
            tracks.append((len(tracks) + 1, box, stamp))
            number = len(tracks)
        else:
            number = tracks[best][0]
            tracks[best] = (number, box, stamp)
        sightings.append((stamp, f"unknown #{number}"))
    appearances: list[Appearance] = []
    open_: dict[str, Appearance] = {}
    for stamp, name in sorted(set(sightings)):
        current = open_.get(name)
        if current is not None and stamp - current.end_ms <= gap_ms:
            open_[name] = Appearance(name, current.start_ms, stamp, current.sightings + 1)
            continue
        if current is not None:
            appearances.append(current)
        open_[name] = Appearance(name, stamp, stamp, 1)
    appearances += open_.values()
    return sorted(appearances, key=lambda a: (a.start_ms, _name_order(a.name)))


def _name_order(name: str) -> tuple[bool, int, str]:
    """Collection people first (by name), then the unknown by number."""
    unknown = name.startswith("unknown #")
    return (unknown, int(name.removeprefix("unknown #")) if unknown else 0, name)


def clock(ms: int) -> str:
    minutes, rest = divmod(ms, 60_000)
    return f"{minutes:d}:{rest / 1000:06.3f}"


def plot(appearances: list[Appearance], duration_ms: int, out: Path, title: str) -> None:
    """One row per name (collection people first, then the unknown), a bar per appearance."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted({a.name for a in appearances}, key=_name_order)
    figure, axes = plt.subplots(figsize=(10, 1.0 + 0.45 * max(1, len(names))))
    for row, name in enumerate(names):
        bars = [
            (a.start_ms / 1000, max(a.end_ms - a.start_ms, 250) / 1000)
            for a in appearances
            if a.name == name
        ]
        colour = "tab:grey" if name.startswith("unknown #") else "tab:blue"
        axes.broken_barh(bars, (row - 0.35, 0.7), facecolors=colour)
    axes.set_yticks(range(len(names)), names)
    axes.set_ylim(-0.6, max(1, len(names)) - 0.4)
    axes.set_xlim(0, max(duration_ms, *(a.end_ms + 250 for a in appearances), 1) / 1000)
    axes.set_xlabel("seconds")
    axes.set_title(f"Who appears when: {title}")
    axes.invert_yaxis()
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=100)
    plt.close(figure)
