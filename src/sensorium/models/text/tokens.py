"""Words with character offsets, split as Universal Dependencies' English treebanks split them
(clitics such as ``n't`` and ``'s`` apart, punctuation apart; URLs, e-mail addresses, handles
and numbers whole), and the spelling features the taggers read besides the encoder's."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

_CLITIC_TAIL = r"(?:s|re|ve|ll|d|m)(?![\w'\u2019])"
_CLITIC = rf"(?:n['\u2019]t(?![\w'\u2019])|['\u2019]{_CLITIC_TAIL})"
_TOKEN = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]']"  # URL
    r"|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"  # e-mail address
    r"|[@#]\w+"  # handle, hashtag
    r"|\d+(?:[.,:/\-]\d+)*"  # number, time, date
    r"|(?:[A-Za-z]\.){2,}"  # U.S., e.g.
    r"|(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Inc|Ltd|Co|Corp|vs|etc|Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\."
    rf"|{_CLITIC}"
    rf"|\w+?(?=n['\u2019]t(?![\w'\u2019]))"  # "do" of "don't", "ca" of "can't"
    rf"|\w+(?:[\-'\u2019](?!{_CLITIC_TAIL})\w+)*"  # word, hyphenated word, O'Brien
    r"|\.{2,}|-{2,}|[^\w\s]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # character offsets into the text: text[start:end] == self.text
    end: int


def split_tokens(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


# --- spelling features ------------------------------------------------------------------------

SHAPE_BUCKETS = 512
SUFFIX_BUCKETS = 4096
FLAG_COUNT = 9


def shape(word: str) -> str:
    """The word's spelling with runs of a character class collapsed: ``McDonald`` -> ``XxXx``."""
    classes: list[str] = []
    for ch in word[:12]:
        kind = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not classes or classes[-1] != kind:
            classes.append(kind)
    return "".join(classes)


def _bucket(text: str, buckets: int) -> int:
    return zlib.crc32(text.encode("utf-8")) % buckets


def shape_id(word: str) -> int:
    return _bucket(shape(word), SHAPE_BUCKETS)


def suffix_id(word: str) -> int:
    return _bucket(word[-3:].lower(), SUFFIX_BUCKETS)


def flags(word: str, first: bool) -> list[float]:
    """Casing and form facts the uncased encoder cannot see."""
    return [
        float(word[:1].isupper()),
        float(word.isupper() and len(word) > 1),
        float(word.islower()),
        float(any(ch.isdigit() for ch in word)),
        float(word.isdigit()),
        float(not any(ch.isalnum() for ch in word)),
        float(word.startswith(("@", "#"))),
        float("://" in word or word.lower().startswith("www.")),
        float(first),
    ]


_SENTENCE_END = frozenset({".", "!", "?", "...", "\u3002", "\uff01", "\uff1f"})


def sentences(text: str, tokens: list[Token]) -> list[list[Token]]:
    """Tokens grouped into sentences: after a sentence-final mark, or at a line break."""
    groups: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens:
        if current and "\n" in text[current[-1].end : token.start]:
            groups.append(current)
            current = []
        current.append(token)
        if token.text in _SENTENCE_END:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups
