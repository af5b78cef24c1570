"""Segment, label and text detection on stored video: what each job computes from the
decoded video, and the checks of its Start request.

* Segments (``models/video/segments.py``): every frame is measured; SHOT segments from hard
  cuts, TECHNICAL_CUE ``BlackFrames`` from runs of black frames (AWS's ``BlackFrame``
  filter) and ``ColorBars`` from runs of frames showing the test pattern. No other technical
  cue (credits, slates, logos, content) is detected.
  ``MinSegmentConfidence`` (default 50, as AWS): a cut below it does not split its shot; a
  black run below it is dropped. ``SelectedSegmentTypes`` names ``SEGMENT_MODEL_VERSION``.
* Labels: DetectLabels' engine (classifier + faces for Person) on frames sampled at
  ``LABEL_FPS`` (and each scene's first key frame); one ``LabelDetection`` per label per
  frame, ``MinConfidence`` default 50 (AWS's for video), the ``GeneralLabels`` filters as
  DetectLabels. ``AggregateBy=SEGMENTS``: each label's sightings joined into segments of
  time (``label_segments``), computed with the job and stored beside the per-frame rows.
* Text: DetectText's engine and answer on the same sampled frames, one ``TextDetection``
  per line and word per frame, the ``Filters`` as DetectText.
"""

from __future__ import annotations

from typing import Any

from sensorium.jobs import RunningJob
from sensorium.models.labels import load_taxonomy
from sensorium.models.video.decoding import OpenVideo
from sensorium.models.video.segments import (
    DEFAULT_MAX_PIXEL_THRESHOLD,
    DEFAULT_MIN_COVERAGE,
    Span,
    audio_info,
    bar_runs,
    black_coverage,
    black_runs,
    floor_ms,
    measure,
    merge_weak,
    shots,
    timecode,
)
from sensorium.services.rekognition.errors import InvalidParameterException
from sensorium.services.rekognition.labels import GENERAL_LABELS, LabelFilters, labels
from sensorium.services.rekognition.text import TextFilters, text_detections

Shape = dict[str, Any]
Result = tuple[int, int | None, Shape]  # timestamp, sort index, item

SEGMENT_DETECTION = "SegmentDetection"
LABEL_DETECTION = "LabelDetection"
TEXT_DETECTION = "TextDetection"
SEGMENT_MODEL_VERSION = "sensorium-segments-1"
DEFAULT_MIN_SEGMENT_CONFIDENCE = 50.0
DEFAULT_VIDEO_MIN_CONFIDENCE = 50.0
LABEL_FPS = 1.0  # frames a second for labels and text (each frame costs a classifier or OCR)


# Start checks (botocore's model already checked types, enums and ranges)


def check_labels(params: Shape) -> None:
    features = params.get("Features") or [GENERAL_LABELS]
    if any(feature != GENERAL_LABELS for feature in features):
        raise InvalidParameterException("Stored video label detection has GENERAL_LABELS only.")


def check_text(params: Shape) -> None:
    TextFilters.of(params.get("Filters"))  # InvalidParameterException on bad regions


# Segments


def segment_types(request: Shape) -> list[Shape]:
    return [
        {"Type": kind, "ModelVersion": SEGMENT_MODEL_VERSION}
        for kind in request.get("SegmentTypes", [])
    ]


def segments(job: RunningJob, video: OpenVideo, request: Shape) -> tuple[Shape, list[Result]]:
    """(``{VideoMetadata, AudioMetadata}``, one result per segment in start order)."""
    filters = request.get("Filters") or {}
    cue = filters.get("TechnicalCueFilter") or {}
    black = cue.get("BlackFrame") or {}
    max_pixel = float(black.get("MaxPixelThreshold", DEFAULT_MAX_PIXEL_THRESHOLD))
    min_coverage = float(black.get("MinCoveragePercentage", DEFAULT_MIN_COVERAGE))
    shot_floor = float(
        (filters.get("ShotFilter") or {}).get(
            "MinSegmentConfidence", DEFAULT_MIN_SEGMENT_CONFIDENCE
        )
    )
    cue_floor = float(cue.get("MinSegmentConfidence", DEFAULT_MIN_SEGMENT_CONFIDENCE))
    wanted = set(request.get("SegmentTypes", []))
    info = video.info
    distances: list[float] = []
    coverages: list[float] = []
    bars: list[float | None] = []
    stamps: list[float] = []
    for frame in measure(video):
        if frame.number % 30 == 0:
            job.check()
            if info.duration_ms:
                job.progress(frame.timestamp_ms / info.duration_ms)
        distances.append(frame.distance)
        coverages.append(black_coverage(frame.luma, max_pixel))
        bars.append(frame.bars)
        stamps.append(frame.timestamp_ms)
    video.check_complete()
    rate = info.frame_rate or 30.0
    if stamps:  # the end of the last frame: the next frame's start, as far as the video runs
        stamps.append(min(max(stamps[-1], info.duration_ms), stamps[-1] + 1000.0 / rate))
    found: list[tuple[Span, Shape]] = []
    if "SHOT" in wanted:
        for index, span in enumerate(merge_weak(shots(distances), shot_floor)):
            found.append((span, {"ShotSegment": {"Index": index, "Confidence": span.confidence}}))
    if "TECHNICAL_CUE" in wanted:
        cues = [("BlackFrames", span) for span in black_runs(coverages, min_coverage)]
        cues += [("ColorBars", span) for span in bar_runs(bars)]
        for name, span in cues:
            if span.confidence >= cue_floor:
                cue_shape = {"Type": name, "Confidence": span.confidence}
                found.append((span, {"TechnicalCueSegment": cue_shape}))
    found.sort(key=lambda pair: (pair[0].start, "ShotSegment" in pair[1]))
    results: list[Result] = []
    for span, detail in found:
        kind = "SHOT" if "ShotSegment" in detail else "TECHNICAL_CUE"
        item = segment_shape(kind, span, stamps, rate) | detail
        results.append((item["StartTimestampMillis"], None, item))
    metadata = {
        "VideoMetadata": [
            {
                "Codec": info.codec,
                "DurationMillis": info.duration_ms,
                "Format": info.format,
                "FrameRate": info.frame_rate,
                "FrameHeight": info.height,
                "FrameWidth": info.width,
                "ColorRange": info.color_range,
            }
        ],
        "AudioMetadata": [
            {
                "Codec": audio.codec,
                "DurationMillis": audio.duration_ms,
                "SampleRate": audio.sample_rate,
                "NumberOfChannels": audio.channels,
            }
            for audio in audio_info(video.container)
        ],
    }
    return metadata, results


def segment_shape(kind: str, span: Span, stamps: list[float], rate: float) -> Shape:
    """A segment's times: frames ``span.start`` to ``span.end`` (exclusive), ``stamps`` each
    frame's start (and the end of the last)."""
    start_ms, end_ms = floor_ms(stamps[span.start]), floor_ms(stamps[span.end])
    return {
        "Type": kind,
        "StartTimestampMillis": start_ms,
        "EndTimestampMillis": end_ms,
        "DurationMillis": end_ms - start_ms,
        "StartTimecodeSMPTE": timecode(span.start, rate),
        "EndTimecodeSMPTE": timecode(span.end, rate),
        "DurationSMPTE": timecode(span.end - span.start, rate),
        "StartFrameNumber": span.start,
        "EndFrameNumber": span.end,
        "DurationFrames": span.end - span.start,
    }


# Labels and text


def _sampled(job: RunningJob, video: OpenVideo, fps: float) -> Any:
    duration = video.info.duration_ms
    for frame in video.frames(fps):
        job.check()
        if duration:
            job.progress(frame.timestamp_ms / duration)
        yield frame


def label_results(
    job: RunningJob, video: OpenVideo, request: Shape, classifier: Any, faces: Any, fps: float
) -> list[Result]:
    """One result per label per sampled frame; the sort index is the label's name's rank
    (``SortBy=NAME``)."""
    floor = request.get("MinConfidence")
    floor = DEFAULT_VIDEO_MIN_CONFIDENCE if floor is None else float(floor)
    filters = LabelFilters.of((request.get("Settings") or {}).get("GeneralLabels"))
    taxonomy = load_taxonomy()
    found: list[tuple[int, Shape]] = []
    for frame in _sampled(job, video, fps):
        height, width = frame.rgb.shape[:2]
        scored = taxonomy.score(classifier.classify(frame.rgb))
        people = faces.analyze(frame.rgb, embed=False)
        for label in labels(scored, people, width, height, filters, floor):
            found.append((frame.timestamp_ms, {"Timestamp": frame.timestamp_ms, "Label": label}))
    ranks = {name: rank for rank, name in enumerate(sorted({i["Label"]["Name"] for _, i in found}))}
    results: list[Result] = [(stamp, ranks[item["Label"]["Name"]], item) for stamp, item in found]
    for start, item in label_segments(found, 1000.0 / fps, video.info.duration_ms):
        results.append((start, segment_index(ranks[item["Label"]["Name"]]), item))
    return results


SEGMENT_OFFSET = 1 << 30


def segment_index(rank: int) -> int:
    """The sort index of an ``AggregateBy=SEGMENTS`` row: below 0, so that one job's rows of
    either aggregation are told apart, and still in name order."""
    return rank - SEGMENT_OFFSET


def label_segments(
    found: list[tuple[int, Shape]], interval_ms: float, duration_ms: int
) -> list[tuple[int, Shape]]:
    """``AggregateBy=SEGMENTS``: each label's sightings (one per sampled frame) joined into
    segments of time. A sampled frame stands for ``interval_ms`` from its timestamp (up to
    the video's end), and a label missing from one sample between two that show it (a gap
    of at most one sampling interval) does not split its segment. The segment's Label is
    the one of its most confident frame (its Confidence the segment's highest, its
    Instances that frame's); its Timestamp is the segment's start."""
    by_name: dict[str, list[tuple[int, Shape]]] = {}
    for stamp, item in found:
        by_name.setdefault(item["Label"]["Name"], []).append((stamp, item["Label"]))
    segments: list[tuple[int, Shape]] = []
    for sightings in by_name.values():
        sightings.sort(key=lambda pair: pair[0])
        runs: list[list[tuple[int, Shape]]] = []
        for stamp, label in sightings:
            if runs and stamp - runs[-1][-1][0] <= 2 * interval_ms + 0.5:
                runs[-1].append((stamp, label))
            else:
                runs.append([(stamp, label)])
        for run in runs:
            start, last = run[0][0], run[-1][0]
            end = max(last, min(round(last + interval_ms), duration_ms or last))
            best = max(run, key=lambda pair: pair[1]["Confidence"])[1]
            item = {
                "Timestamp": start,
                "Label": best,
                "StartTimestampMillis": start,
                "EndTimestampMillis": end,
                "DurationMillis": end - start,
            }
            segments.append((start, item))
    return segments


def text_results(
    job: RunningJob, video: OpenVideo, request: Shape, reader: Any, fps: float
) -> list[Result]:
    wanted = TextFilters.of(request.get("Filters"))
    results: list[Result] = []
    for frame in _sampled(job, video, fps):
        height, width = frame.rgb.shape[:2]
        for detection in text_detections(reader.read(frame.rgb), width, height, wanted):
            item = {"Timestamp": frame.timestamp_ms, "TextDetection": detection}
            results.append((frame.timestamp_ms, None, item))
    return results
