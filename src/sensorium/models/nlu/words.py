"""Word tokenisation with character offsets (the unit the slot tagger labels)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"\w+(?:['\u2019.:@\-]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Word:
    text: str
    start: int  # character offsets into the utterance
    end: int


def split_words(text: str) -> list[Word]:
    return [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
