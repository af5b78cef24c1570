"""Dominant-language identification with Lingua (statistical n-gram models shipped in its wheel).

Lingua was the most accurate of the packaged, offline identifiers measured on short sentences
(see docs/bench-comprehend.md). Codes are ISO 639-1, as Comprehend reports them; Lingua's
Bokmal and Nynorsk are reported together as Comprehend's "no" (Norwegian).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sensorium.models.registry import Model

MIN_REPORTED_SCORE = 0.05
MAX_REPORTED = 5
_COMPREHEND_CODE = {"nb": "no", "nn": "no"}


@dataclass(frozen=True)
class LanguageScore:
    code: str
    score: float


class LanguageIdentifier(Model):
    name = "language-id"

    def __init__(self) -> None:
        self._detector: Any = None

    def load(self, device: str) -> None:
        from lingua import LanguageDetectorBuilder

        # Preloading keeps the first request fast and makes the detector safe across threads.
        builder = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
        self._detector = builder.build()

    def identify(self, text: str) -> list[LanguageScore]:
        """The likeliest languages, best first; empty when no language fits (no letters)."""
        if self._detector is None:
            raise RuntimeError("the language identifier is not loaded")
        totals: dict[str, float] = {}
        for value in self._detector.compute_language_confidence_values(text):
            code = value.language.iso_code_639_1.name.lower()
            code = _COMPREHEND_CODE.get(code, code)
            totals[code] = totals.get(code, 0.0) + float(value.value)
        ranked = sorted(
            (LanguageScore(code, score) for code, score in totals.items() if score > 0),
            key=lambda s: -s.score,
        )
        kept = [s for s in ranked[:MAX_REPORTED] if s.score >= MIN_REPORTED_SCORE]
        return kept or ranked[:1]
