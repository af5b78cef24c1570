"""Word error rate with the normalisation speech benchmarks use (case, punctuation, numbers).

Numbers are spelled out on both sides ("10" -> "ten"), hyphens split words and a few
spoken abbreviations are expanded, so that "Mr. ill-disposed 10" equals
"mister ill disposed ten".
"""

from __future__ import annotations

import re

from sensorium.models.tts.numbers import cardinal

_ABBREVIATIONS = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint"}


def spell_number(number: int) -> str:
    """ "42" -> "forty two": the speech side's number words, without hyphens."""
    return cardinal(number).replace("-", " ")


def normalise(text: str) -> list[str]:
    text = text.lower().replace("-", " ").replace("%", " percent")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,000 -> 1000
    words: list[str] = []
    for raw in re.findall(r"[a-z0-9']+", text):
        word = raw.strip("'")
        if word.isdigit():
            words += spell_number(int(word)).split()
        elif word:
            words.append(_ABBREVIATIONS.get(word, word))
    return words


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    row = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, 1):
        diagonal, row[0] = row[0], i
        for j, hyp_word in enumerate(hypothesis, 1):
            substitution = diagonal + (ref_word != hyp_word)
            diagonal = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, substitution)
    return row[-1]


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(errors, reference word count) after normalisation; sum both over a corpus."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    return edit_distance(ref, hyp), len(ref)


def word_error_rate(reference: str, hypothesis: str) -> float:
    errors, words = word_errors(reference, hypothesis)
    return errors / max(words, 1)
