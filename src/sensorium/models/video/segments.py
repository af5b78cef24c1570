"""Segments of a stored video: shots from frame differences, black frames from luminance.

Every frame is decoded and scaled down to ``SCAN_WIDTH`` x ``SCAN_HEIGHT`` RGB (cheap next to
decoding). Two measures per frame:

* the colour histogram (``BINS`` bins per channel, normalised): a new shot starts at a frame
  whose histogram's total-variation distance from the previous frame's (half the L1 distance,
  0 to 1) is at least ``CUT_DISTANCE``. On the Hamilton clip the three cuts measure 0.19,
  0.35 and 0.22 and nothing else exceeds 0.06 (camera moves, pans across the audience), so
  0.12 sits between them. Hard cuts only: a slow dissolve spreads its change over many
  frames, each below the threshold, and is not detected.
* the share of black pixels, AWS's definition (``BlackFrame`` filter): a pixel is black when
  its luma is at most ``MaxPixelThreshold`` of the full range (0.2 by default; the frames are
  converted to full-range RGB first, so limited-range video is measured on the same scale),
  and a frame is black when at least ``MinCoveragePercentage`` (99 by default) of its pixels
  are. A run of at least ``MIN_BLACK_FRAMES`` black frames is a ``BlackFrames`` cue.
* colour bars (``colour_bars``): the test pattern's defining trait is six saturated vertical
  bars in one order, yellow, cyan, green, magenta, red, blue (SMPTE's 7-bar and HD patterns
  and the EBU's 8-bar one all share it). Each column of the frame's upper half is classed by
  which channels are high and which low; a frame shows bars when those six classes follow
  each other as runs at least ``MIN_BAR_WIDTH`` of the frame wide, and a run of at least
  ``MIN_BLACK_FRAMES`` such frames is a ``ColorBars`` cue. Its confidence is the bars'
  purity (high channels against low ones): 100 for the standard 75 % or 100 % bars.

Frame numbers count decoded frames from 0; timestamps are each frame's presentation time from
the video's start, rounded down (as AWS documents). Segments end where the next frame
starts: ``EndFrameNumber`` is the first frame after the segment and ``DurationFrames``
``EndFrameNumber - StartFrameNumber`` (the same rule for timestamps and timecodes).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import av
import numpy as np

SCAN_WIDTH, SCAN_HEIGHT = 160, 90
BINS = 16
CUT_DISTANCE = 0.12
MIN_BLACK_FRAMES = 3
DEFAULT_MAX_PIXEL_THRESHOLD = 0.2
DEFAULT_MIN_COVERAGE = 99.0
BAR_ORDER = ("yellow", "cyan", "green", "magenta", "red", "blue")
MIN_BAR_WIDTH = 0.06  # of the frame's width; a standard bar is 1/7 or 1/8 of it, 3/28 in HD
COLOUR_CLASSES = {
    (True, True, True): "white",
    (True, True, False): "yellow",
    (False, True, True): "cyan",
    (False, True, False): "green",
    (True, False, True): "magenta",
    (True, False, False): "red",
    (False, False, True): "blue",
}


@dataclass(frozen=True)
class FrameMeasure:
    number: int
    timestamp_ms: float  # exact, from the frame's presentation time
    distance: float  # histogram distance from the previous frame (0 for the first)
    luma: np.ndarray[Any, np.dtype[np.uint8]]  # SCAN_HEIGHT x SCAN_WIDTH, full range
    bars: float | None  # the colour bars' purity (0 to 1) when the frame shows them


@dataclass(frozen=True)
class Span:
    """Frames ``start`` to ``end`` (exclusive), with a confidence in percent."""

    start: int
    end: int
    confidence: float


@dataclass(frozen=True)
class AudioInfo:
    codec: str
    duration_ms: int
    sample_rate: int
    channels: int


def _histogram(rgb: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    counts = [np.bincount((rgb[..., k] >> 4).ravel(), minlength=BINS) for k in range(3)]
    hist = np.concatenate(counts).astype(np.float64)
    total: float = hist.sum()
    return hist / total if total else hist


def measure(video: Any) -> Iterator[FrameMeasure]:
    """Every frame of an opened video (``decoding.OpenVideo``), measured."""
    from sensorium.models.video.decoding import UnsupportedVideo, VideoTooLong

    stream = video.stream
    previous: np.ndarray[Any, Any] | None = None
    number = 0
    try:
        for frame in video.container.decode(stream):
            if frame.pts is None:
                continue
            ms = max(0.0, (float(frame.pts * stream.time_base) - video.start) * 1000)
            if ms > video.max_seconds * 1000:
                raise VideoTooLong(f"The video is longer than {video.max_seconds:g} s.")
            video.decoded_until_ms = int(ms)
            rgb = frame.reformat(width=SCAN_WIDTH, height=SCAN_HEIGHT, format="rgb24").to_ndarray()
            hist = _histogram(rgb)
            distance = 0.0 if previous is None else 0.5 * float(np.abs(hist - previous).sum())
            previous = hist
            luma = (rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114).astype(
                np.uint8
            )
            yield FrameMeasure(number, ms, distance, luma, colour_bars(rgb))
            number += 1
    except av.error.FFmpegError as error:
        raise UnsupportedVideo(f"The video cannot be decoded: {error}") from None


def shots(distances: list[float], cut: float = CUT_DISTANCE) -> list[Span]:
    """Shots of a video whose frames differ from the previous by ``distances`` (one per frame).
    A shot's confidence is its opening cut's: 50 at the threshold, 100 at twice it or more
    (the first shot, opened by the video's start, 100)."""
    if not distances:
        return []
    starts = [(0, 100.0)]
    for number, distance in enumerate(distances[1:], start=1):
        if distance >= cut:
            starts.append((number, 50.0 + 50.0 * min(1.0, (distance - cut) / cut)))
    ends = [start for start, _ in starts[1:]] + [len(distances)]
    return [
        Span(start, end, confidence) for (start, confidence), end in zip(starts, ends, strict=True)
    ]


def merge_weak(spans: list[Span], min_confidence: float) -> list[Span]:
    """Shots whose opening cut is below ``min_confidence`` joined to the shot before."""
    kept: list[Span] = []
    for span in spans:
        if kept and span.confidence < min_confidence:
            last = kept.pop()
            kept.append(Span(last.start, span.end, last.confidence))
        else:
            kept.append(span)
    return kept


def black_coverage(luma: np.ndarray[Any, Any], max_pixel_threshold: float) -> float:
    """Percentage of the frame's pixels at most ``max_pixel_threshold`` of full range."""
    return float((luma <= max_pixel_threshold * 255.0).mean() * 100.0)


def black_runs(
    coverages: list[float], min_coverage: float, min_frames: int = MIN_BLACK_FRAMES
) -> list[Span]:
    """Runs of at least ``min_frames`` frames whose black coverage reaches ``min_coverage``;
    confidence 50 when the run's mean coverage is at the limit, 100 when every pixel is."""
    runs: list[Span] = []
    start: int | None = None
    for number, coverage in enumerate([*coverages, -1.0]):
        black = coverage >= min_coverage
        if black and start is None:
            start = number
        elif not black and start is not None:
            if number - start >= min_frames:
                mean = float(np.mean(coverages[start:number]))
                room = 100.0 - min_coverage
                share = 1.0 if room <= 0 else (mean - min_coverage) / room
                runs.append(Span(start, number, 50.0 + 50.0 * min(1.0, max(0.0, share))))
            start = None
    return runs


def _column_classes(rgb: np.ndarray[Any, Any]) -> tuple[list[str | None], np.ndarray[Any, Any]]:
    """Each column of the upper half classed by its colour (None when the column is not one
    flat saturated colour), with its purity (high channels' least share of the brightest
    minus low channels' greatest)."""
    height = rgb.shape[0]
    band = rgb[int(height * 0.08) : int(height * 0.5)].astype(np.float32)
    colour = np.median(band, axis=0)  # width x 3
    flat = (np.abs(band - colour).max(axis=2) <= 40).mean(axis=0) >= 0.9
    peak = colour.max(axis=1)
    shares = colour / np.maximum(peak, 1.0)[:, None]
    high, low = shares >= 0.7, shares <= 0.3
    usable = flat & (peak >= 100) & np.all(high | low, axis=1)
    purity = np.where(high, shares, 1.0).min(axis=1) - np.where(low, shares, 0.0).max(axis=1)
    classes: list[str | None] = [
        COLOUR_CLASSES[(bool(h[0]), bool(h[1]), bool(h[2]))] if ok else None
        for h, ok in zip(high, usable, strict=True)
    ]
    return classes, np.where(usable, purity, 0.0)


def colour_bars(rgb: np.ndarray[Any, Any]) -> float | None:
    """The purity (0 to 1) of the colour bars an RGB frame shows, or None when it shows none."""
    classes, purities = _column_classes(rgb)
    runs: list[tuple[str | None, int, int]] = []  # class, first column, width
    for column, kind in enumerate(classes):
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((kind, column, 1))
    wide = [run for run in runs if run[2] >= MIN_BAR_WIDTH * len(classes)]
    names = [kind for kind, _, _ in wide]
    for first in range(len(wide) - len(BAR_ORDER) + 1):
        if tuple(names[first : first + len(BAR_ORDER)]) == BAR_ORDER:
            bars = wide[first : first + len(BAR_ORDER)]
            inner = [purities[start + 1 : start + width - 1] for _, start, width in bars]
            return float(np.mean([np.median(values) for values in inner]))
    return None


def bar_runs(purities: list[float | None], min_frames: int = MIN_BLACK_FRAMES) -> list[Span]:
    """Runs of at least ``min_frames`` frames showing colour bars; confidence 50 + 50 x their
    mean purity (100 for standard bars)."""
    runs: list[Span] = []
    start: int | None = None
    for number, purity in enumerate([*purities, None]):
        if purity is not None and start is None:
            start = number
        elif purity is None and start is not None:
            if number - start >= min_frames:
                shown = [p for p in purities[start:number] if p is not None]
                runs.append(Span(start, number, 50.0 + 50.0 * min(1.0, float(np.mean(shown)))))
            start = None
    return runs


def drop_frame(rate: float) -> bool:
    """29.97 and 59.94 fps are counted in drop-frame timecode."""
    return any(abs(rate - nominal * 1000 / 1001) < 0.01 for nominal in (30, 60))


def timecode(frames: int, rate: float) -> str:
    """SMPTE timecode of a frame count: ``HH:MM:SS:FF``, or ``HH:MM:SS;FF`` in drop-frame
    (two frame numbers, four at 59.94, skipped each minute but every tenth)."""
    nominal = max(1, round(rate))
    drop = drop_frame(rate)
    if drop:
        skipped = 2 * nominal // 30
        per_ten = nominal * 600 - skipped * 9
        per_minute = nominal * 60 - skipped
        tens, rest = divmod(frames, per_ten)
        frames += skipped * 9 * tens
        if rest > skipped:
            frames += skipped * ((rest - skipped) // per_minute)
    ff = frames % nominal
    seconds = frames // nominal
    separator = ";" if drop else ":"
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{separator}{ff:02d}"


def floor_ms(ms: float) -> int:
    return math.floor(ms + 1e-6)


def audio_info(container: Any) -> list[AudioInfo]:
    """The audio streams' metadata, as far as the container says (nothing decoded)."""
    found = []
    for stream in container.streams.audio:
        if stream.duration is not None and stream.time_base is not None:
            seconds = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            seconds = container.duration / av.time_base
        else:
            seconds = 0.0
        context = stream.codec_context
        found.append(
            AudioInfo(
                codec=str(context.name),
                duration_ms=floor_ms(seconds * 1000),
                sample_rate=int(context.sample_rate or 0),
                channels=int(context.channels or 0),
            )
        )
    return found
