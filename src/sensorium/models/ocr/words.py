"""Splitting a recognised line into words, and placing each word on the image.

A word is a run of characters without a space (Rekognition's definition). Where each word
lies comes from the recogniser itself: a CTC recogniser reads the line crop as a sequence of
frames (PP-OCR: one per 8 pixels of the crop resized to 48 pixels high) and emits each
character at one frame. The frames of a word's first and last characters, widened by half the
line's character pitch on either side, give the word's span along the line; the span is laid
on the line's quadrilateral, so a rotated line gives rotated words. Only when the recogniser's
frames do not match its text (a safety net: the recogniser reports a frame for every
character) is a line split in proportion to character counts instead.

Pure geometry: no model, no image.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from sensorium.models.ocr.types import Point, Quad, TextWord


@dataclass(frozen=True, slots=True)
class Orientation:
    """How the line's crop was turned before the recogniser read it.

    ``vertical``: the crop was at least 1.5 times taller than wide and turned a quarter turn
    anticlockwise (PP-OCR reads a tall crop as text running top to bottom). ``flipped``: it
    was then turned half a turn (read upside down)."""

    vertical: bool = False
    flipped: bool = False


@dataclass(frozen=True, slots=True)
class Recognised:
    """What the recogniser read in one line crop."""

    text: str
    confidences: Sequence[float]
    """One probability per character of ``text`` (spaces included)."""
    columns: Sequence[int]
    """The frame at which each character that is not a space was emitted, in order."""
    frames: float
    """How many frames the crop's own pixels span (the rest of the input is padding)."""


def place(quad: Quad, start: float, end: float, orientation: Orientation) -> Quad:
    """The part of a detected line between ``start`` and ``end`` (fractions of its length
    in reading order), as a quadrilateral in the text's reading order.

    ``quad`` is the detector's box, corners in the order its crop was cut with: the crop's
    top-left, top-right, bottom-right and bottom-left."""

    def at(along: float, down: float) -> Point:
        # (along, down) on the text as read -> (s, t) on the crop as cut.
        if orientation.vertical:
            s, t = (down, 1.0 - along) if orientation.flipped else (1.0 - down, along)
        else:
            s, t = (1.0 - along, 1.0 - down) if orientation.flipped else (along, down)
        return _bilinear(quad, s, t)

    return (at(start, 0.0), at(end, 0.0), at(end, 1.0), at(start, 1.0))


def _bilinear(quad: Quad, s: float, t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
    a, b, c, d = (1 - s) * (1 - t), s * (1 - t), s * t, (1 - s) * t
    return (a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3)


def split(line: Recognised, quad: Quad, orientation: Orientation) -> list[TextWord]:
    """The line's words, in reading order, each placed on ``quad``."""
    runs = _runs(line.text)
    if not runs:
        return []
    spans = _spans_from_frames(line, runs) or _spans_by_characters(line.text, runs)
    words = []
    for (first, last), (start, end) in zip(runs, spans, strict=True):
        probabilities = line.confidences[first : last + 1]
        confidence = sum(probabilities) / len(probabilities) if probabilities else 0.0
        words.append(
            TextWord(
                text=line.text[first : last + 1],
                confidence=float(confidence),
                polygon=place(quad, start, end, orientation),
            )
        )
    return words


def _runs(text: str) -> list[tuple[int, int]]:
    """(first, last) character index of every run of non-space characters."""
    runs: list[tuple[int, int]] = []
    first: int | None = None
    for index, char in enumerate(text):
        if char.isspace():
            if first is not None:
                runs.append((first, index - 1))
                first = None
        elif first is None:
            first = index
    if first is not None:
        runs.append((first, len(text) - 1))
    return runs


def _spans_from_frames(
    line: Recognised, runs: list[tuple[int, int]]
) -> list[tuple[float, float]] | None:
    """Each word's (start, end) along the line from the frames its characters were emitted
    at; None when the frames do not match the text."""
    letters = sum(last - first + 1 for first, last in runs)
    if line.frames <= 0 or len(line.columns) != letters:
        return None
    columns: list[list[int]] = []
    taken = 0
    for first, last in runs:
        count = last - first + 1
        columns.append(list(line.columns[taken : taken + count]))
        taken += count
    pitches = [(cols[-1] - cols[0]) / (len(cols) - 1) for cols in columns if len(cols) > 1]
    pitch = sum(pitches) / len(pitches) if pitches else line.frames / max(1, len(line.text))
    spans = []
    for cols in columns:
        # A character is emitted near its middle: its frame's centre, half a pitch each side.
        start = max(0.0, cols[0] + 0.5 - pitch / 2) / line.frames
        end = min(line.frames, cols[-1] + 0.5 + pitch / 2) / line.frames
        spans.append([min(start, 1.0), min(max(end, start), 1.0)])
    for before, after in itertools.pairwise(spans):
        if before[1] > after[0]:  # neighbours overlap: meet half-way
            middle = (before[1] + after[0]) / 2
            before[1] = after[0] = middle
    return [(start, end) for start, end in spans]


def _spans_by_characters(text: str, runs: list[tuple[int, int]]) -> list[tuple[float, float]]:
    """Each word's (start, end) in proportion to character counts, spaces included."""
    return [(first / len(text), (last + 1) / len(text)) for first, last in runs]
