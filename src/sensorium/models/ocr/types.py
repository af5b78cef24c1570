"""Plain data returned by the text models (pixel coordinates, no HTTP concerns)."""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]
"""Four corners in the text's own reading order: its top-left, top-right, bottom-right and
bottom-left (for rotated text these are not the image's corners)."""


@dataclass(frozen=True, slots=True)
class TextWord:
    """Characters of a line not separated by a space."""

    text: str
    confidence: float
    """0-1: the mean of the recogniser's probabilities for its characters."""
    polygon: Quad


@dataclass(frozen=True, slots=True)
class TextLine:
    """One detected line of text and its words, left to right in reading order."""

    text: str
    confidence: float
    """0-1: the mean of the recogniser's probabilities for every character of the line."""
    polygon: Quad
    words: tuple[TextWord, ...]
