"""Segment, label and text detection on stored video, and ``sensorium video faces``, through
boto3 on the live server: the Hamilton clip (four shots, cut at frames 20, 82 and 211, seen
frame by frame), and small videos made here (a black second, colour bars, a line of text)."""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from sensorium.models.video.segments import colour_bars, timecode
from sensorium.services.rekognition.video.cli import Appearance, timeline
from tests.conftest import ACCESS_KEY, SECRET_KEY, LiveServer, shared_data
from tests.services.rekognition.test_video import CLIP, CLIP_MS, STILL, wait_for

CLIP_FRAMES = 275
CUTS = [0, 20, 82, 211]
RATE = 29.97


def encode(frames: list[np.ndarray[Any, Any]], rate: int = 25) -> bytes:
    """An H.264 MP4 of RGB frames."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for rgb in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buffer.getvalue()


def black_then_colour() -> bytes:
    """One black second, then two seconds of one colour then another (25 fps)."""
    frames = []
    for number in range(75):
        colour = (0, 0, 0) if number < 25 else (200, 60, 40) if number < 50 else (30, 90, 220)
        frames.append(np.full((96, 160, 3), colour, np.uint8))
    return encode(frames)


SMPTE_75 = [
    (191, 191, 191),
    (191, 191, 0),
    (0, 191, 191),
    (0, 191, 0),
    (191, 0, 191),
    (191, 0, 0),
    (0, 0, 191),
]


def bars_picture(colours: list[tuple[int, int, int]] = SMPTE_75) -> np.ndarray[Any, Any]:
    """SMPTE's seven 75 % bars over two thirds of a 320x180 frame, dark grey below."""
    picture = np.full((180, 320, 3), 16, np.uint8)
    for index, colour in enumerate(colours):
        picture[:120, index * 320 // 7 : (index + 1) * 320 // 7] = colour
    return picture


def bars_then_black() -> bytes:
    """One second of colour bars, one of black, one of a colour (25 fps)."""
    black = np.zeros((180, 320, 3), np.uint8)
    orange = np.full((180, 320, 3), (200, 120, 40), np.uint8)
    return encode([bars_picture()] * 25 + [black] * 25 + [orange] * 25)


def test_colour_bars_need_the_bars_in_their_order() -> None:
    scan = np.asarray(Image.fromarray(bars_picture()).resize((160, 90)))
    assert colour_bars(scan) == pytest.approx(1.0)
    swapped = [SMPTE_75[0], SMPTE_75[1], SMPTE_75[4], SMPTE_75[3], SMPTE_75[2], *SMPTE_75[5:]]
    assert colour_bars(np.asarray(Image.fromarray(bars_picture(swapped)).resize((160, 90)))) is None
    assert colour_bars(np.zeros((90, 160, 3), np.uint8)) is None


def text_video() -> bytes:
    picture = Image.new("RGB", (640, 360), "white")
    pen = ImageDraw.Draw(picture)
    pen.text((40, 140), "HELLO VIDEO", fill="black", font=ImageFont.load_default(size=72))
    return encode([np.asarray(picture)] * 50)


@pytest.fixture(scope="module")
def bucket(server: LiveServer) -> str:
    name = f"analyses-{uuid.uuid4().hex[:8]}"
    s3 = server.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="hamilton.mp4", Body=shared_data(*CLIP).read_bytes())
    s3.put_object(Bucket=name, Key="black.mp4", Body=black_then_colour())
    s3.put_object(Bucket=name, Key="bars.mp4", Body=bars_then_black())
    s3.put_object(Bucket=name, Key="text.mp4", Body=text_video())
    return name


def video(bucket: str, key: str) -> dict[str, Any]:
    return {"S3Object": {"Bucket": bucket, "Name": key}}


def test_timecodes_count_drop_frames() -> None:
    assert timecode(0, RATE) == "00:00:00;00"
    assert timecode(1799, RATE) == "00:00:59;29"
    assert timecode(1800, RATE) == "00:01:00;02"  # ;00 and ;01 are skipped
    assert timecode(17982, RATE) == "00:10:00;00"  # but not at the tenth minute
    assert timecode(30, 25.0) == "00:00:01:05"


def test_segments_of_the_clip(server: LiveServer, bucket: str) -> None:
    rekognition = server.client("rekognition")
    job_id = rekognition.start_segment_detection(
        Video=video(bucket, "hamilton.mp4"), SegmentTypes=["SHOT", "TECHNICAL_CUE"], JobTag="cuts"
    )["JobId"]
    answer = wait_for(rekognition.get_segment_detection, job_id)
    assert answer["JobStatus"] == "SUCCEEDED", answer.get("StatusMessage")
    assert answer["JobTag"] == "cuts"
    assert [t["Type"] for t in answer["SelectedSegmentTypes"]] == ["SHOT", "TECHNICAL_CUE"]
    (metadata,) = answer["VideoMetadata"]
    assert metadata["DurationMillis"] == CLIP_MS
    assert metadata["FrameRate"] == pytest.approx(RATE)
    assert answer["AudioMetadata"] == [
        {"Codec": "aac", "DurationMillis": 10007, "SampleRate": 44100, "NumberOfChannels": 2}
    ]
    segments = answer["Segments"]
    assert all(s["Type"] == "SHOT" for s in segments)  # a dark stage is not black frames
    assert [s["StartFrameNumber"] for s in segments] == CUTS
    assert [s["ShotSegment"]["Index"] for s in segments] == [0, 1, 2, 3]
    assert segments[-1]["EndFrameNumber"] == CLIP_FRAMES
    for segment, after in itertools.pairwise(segments):
        assert segment["EndFrameNumber"] == after["StartFrameNumber"]
        assert segment["EndTimestampMillis"] == after["StartTimestampMillis"]
        assert segment["EndTimecodeSMPTE"] == after["StartTimecodeSMPTE"]
    for segment in segments:
        start, end = segment["StartFrameNumber"], segment["EndFrameNumber"]
        assert segment["DurationFrames"] == end - start
        for frame, key in ((start, "StartTimestampMillis"), (end, "EndTimestampMillis")):
            assert abs(segment[key] - frame * 1000 / RATE) <= 1
        assert segment["DurationMillis"] == (
            segment["EndTimestampMillis"] - segment["StartTimestampMillis"]
        )
        assert segment["StartTimecodeSMPTE"] == timecode(start, RATE)
        assert segment["EndTimecodeSMPTE"] == timecode(end, RATE)
        assert segment["DurationSMPTE"] == timecode(end - start, RATE)
        assert ";" in segment["StartTimecodeSMPTE"]
        assert 50 <= segment["ShotSegment"]["Confidence"] <= 100
        assert 0 <= segment["StartTimestampMillis"] < segment["EndTimestampMillis"] <= CLIP_MS
    assert segments[1]["StartTimecodeSMPTE"] == "00:00:00;20"
    # Paging returns the same segments.
    first = rekognition.get_segment_detection(JobId=job_id, MaxResults=3)
    rest = rekognition.get_segment_detection(JobId=job_id, NextToken=first["NextToken"])
    assert first["Segments"] + rest["Segments"] == segments


def test_black_frames_and_weak_cuts(server: LiveServer, bucket: str) -> None:
    rekognition = server.client("rekognition")
    job_id = rekognition.start_segment_detection(
        Video=video(bucket, "black.mp4"), SegmentTypes=["TECHNICAL_CUE", "SHOT"]
    )["JobId"]
    answer = wait_for(rekognition.get_segment_detection, job_id)
    assert answer["JobStatus"] == "SUCCEEDED", answer.get("StatusMessage")
    assert answer["AudioMetadata"] == []
    cues = [s for s in answer["Segments"] if s["Type"] == "TECHNICAL_CUE"]
    shots = [s for s in answer["Segments"] if s["Type"] == "SHOT"]
    assert [(c["StartFrameNumber"], c["EndFrameNumber"]) for c in cues] == [(0, 25)]
    assert cues[0]["TechnicalCueSegment"]["Type"] == "BlackFrames"
    assert cues[0]["StartTimecodeSMPTE"] == "00:00:00:00"  # 25 fps: no drop frames
    assert cues[0]["EndTimecodeSMPTE"] == "00:00:01:00"
    assert cues[0]["EndTimestampMillis"] == 1000
    assert [s["StartFrameNumber"] for s in shots] == [0, 25, 50]
    # Only SHOT asked for: no cues.
    job_id = rekognition.start_segment_detection(
        Video=video(bucket, "black.mp4"), SegmentTypes=["SHOT"]
    )["JobId"]
    answer = wait_for(rekognition.get_segment_detection, job_id)
    assert {s["Type"] for s in answer["Segments"]} == {"SHOT"}


def test_colour_bars_and_black_frames(server: LiveServer, bucket: str) -> None:
    rekognition = server.client("rekognition")
    job_id = rekognition.start_segment_detection(
        Video=video(bucket, "bars.mp4"), SegmentTypes=["TECHNICAL_CUE"]
    )["JobId"]
    answer = wait_for(rekognition.get_segment_detection, job_id)
    assert answer["JobStatus"] == "SUCCEEDED", answer.get("StatusMessage")
    cues = [
        (s["TechnicalCueSegment"]["Type"], s["StartFrameNumber"], s["EndFrameNumber"])
        for s in answer["Segments"]
    ]
    assert cues == [("ColorBars", 0, 25), ("BlackFrames", 25, 50)]
    assert answer["Segments"][0]["TechnicalCueSegment"]["Confidence"] >= 90
    assert answer["Segments"][0]["EndTimestampMillis"] == 1000


def test_labels_on_the_clip(server: LiveServer, bucket: str) -> None:
    rekognition = server.client("rekognition")
    job_id = rekognition.start_label_detection(
        Video=video(bucket, "hamilton.mp4"), MinConfidence=40
    )["JobId"]
    answer = wait_for(rekognition.get_label_detection, job_id)
    assert answer["JobStatus"] == "SUCCEEDED", answer.get("StatusMessage")
    assert answer["LabelModelVersion"]
    assert answer["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"}
    found = answer["Labels"]
    assert found
    stamps = [item["Timestamp"] for item in found]
    assert stamps == sorted(stamps)
    assert all(0 <= stamp <= CLIP_MS for stamp in stamps)
    assert len(set(stamps)) >= 5  # labels all along the clip
    for item in found:
        label = item["Label"]
        assert label["Confidence"] >= 40
        assert {"Name", "Parents", "Aliases", "Categories", "Instances"} <= set(label)
    assert "Person" in {item["Label"]["Name"] for item in found}
    by_name = rekognition.get_label_detection(JobId=job_id, SortBy="NAME")
    names = [item["Label"]["Name"] for item in by_name["Labels"]]
    assert names == sorted(names)
    assert len(names) == len(found)

    aggregated = rekognition.get_label_detection(JobId=job_id, AggregateBy="SEGMENTS")
    assert aggregated["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "SEGMENTS"}
    segments = aggregated["Labels"]
    assert 0 < len(segments) < len(found)
    assert [s["Timestamp"] for s in segments] == sorted(s["Timestamp"] for s in segments)
    for segment in segments:
        start, end = segment["StartTimestampMillis"], segment["EndTimestampMillis"]
        assert segment["Timestamp"] == start and 0 <= start <= end <= CLIP_MS
        assert segment["DurationMillis"] == end - start
        name = segment["Label"]["Name"]
        inside = [
            item["Label"]["Confidence"]
            for item in found
            if item["Label"]["Name"] == name and start <= item["Timestamp"] <= end
        ]
        assert segment["Label"]["Confidence"] == max(inside)  # the segment's most confident
    for item in found:  # every sighting lies in one segment of its label
        covering = [
            s
            for s in segments
            if s["Label"]["Name"] == item["Label"]["Name"]
            and s["StartTimestampMillis"] <= item["Timestamp"] <= s["EndTimestampMillis"]
        ]
        assert len(covering) == 1
    by_name = rekognition.get_label_detection(JobId=job_id, AggregateBy="SEGMENTS", SortBy="NAME")
    assert [s["Label"]["Name"] for s in by_name["Labels"]] == sorted(
        s["Label"]["Name"] for s in segments
    )


def test_text_in_a_video(server: LiveServer, bucket: str) -> None:
    rekognition = server.client("rekognition")
    job_id = rekognition.start_text_detection(Video=video(bucket, "text.mp4"))["JobId"]
    answer = wait_for(rekognition.get_text_detection, job_id)
    assert answer["JobStatus"] == "SUCCEEDED", answer.get("StatusMessage")
    assert answer["TextModelVersion"]
    detections = answer["TextDetections"]
    lines = [d for d in detections if d["TextDetection"]["Type"] == "LINE"]
    assert lines
    assert all(0 <= d["Timestamp"] <= 2000 for d in detections)
    assert {d["TextDetection"]["DetectedText"] for d in lines} == {"HELLO VIDEO"}
    # The clip: the job succeeds, whatever the corner logo reads as.
    job_id = rekognition.start_text_detection(Video=video(bucket, "hamilton.mp4"))["JobId"]
    answer = wait_for(rekognition.get_text_detection, job_id)
    assert answer["JobStatus"] == "SUCCEEDED", answer.get("StatusMessage")
    assert all(0 <= d["Timestamp"] <= CLIP_MS for d in answer["TextDetections"])


def test_timeline_names_people_and_numbers_the_unknown() -> None:
    box = {"Left": 0.1, "Top": 0.1, "Width": 0.2, "Height": 0.3}
    other = {"Left": 0.6, "Top": 0.1, "Width": 0.2, "Height": 0.3}
    match = [{"Similarity": 99.0, "Face": {"FaceId": "f1", "ExternalImageId": "lin"}}]
    persons = [
        {"Timestamp": t, "Person": {"Index": 0, "BoundingBox": box}, "FaceMatches": match}
        for t in (0, 500, 1000, 6000)
    ]
    faces = [{"Timestamp": t, "Face": {"BoundingBox": box}} for t in (0, 500, 1000, 6000)]
    faces += [{"Timestamp": t, "Face": {"BoundingBox": other}} for t in (500, 1000)]
    faces += [{"Timestamp": 9000, "Face": {"BoundingBox": other}}]
    assert timeline(persons, faces, 2000) == [
        Appearance("lin", 0, 1000, 3),
        Appearance("unknown #1", 500, 1000, 2),
        Appearance("lin", 6000, 6000, 1),
        Appearance("unknown #2", 9000, 9000, 1),
    ]


def test_cli_prints_who_appears_when(server: LiveServer, tmp_path: Path) -> None:
    rekognition = server.client("rekognition")
    s3 = server.client("s3")
    name = f"cli-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="still.png", Body=shared_data(*STILL).read_bytes())
    rekognition.create_collection(CollectionId=name)
    rekognition.index_faces(
        CollectionId=name,
        Image={"S3Object": {"Bucket": name, "Name": "still.png"}},
        ExternalImageId="lin-manuel-miranda",
        MaxFaces=1,
    )
    clip = shared_data(*CLIP)
    plot = tmp_path / "timeline.png"
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    command = [sys.executable, "-m", "sensorium", "video", "faces", str(clip)]
    command += ["--collection", name, "--plot", str(plot), "--endpoint", server.endpoint]
    done = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if "sighting" in line]
    assert any(line.split()[3] == "lin-manuel-miranda" for line in rows), done.stdout
    assert plot.stat().st_size > 0
    with Image.open(plot) as picture:
        assert picture.width > 0
