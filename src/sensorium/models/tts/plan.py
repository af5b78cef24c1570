"""An utterance plan: sentences of words (with their source byte offsets), pauses and marks.

Plain text and SSML both become ``Run``s (text with a style) and control items; ``build``
splits them into sentences and written words and decides what each word sounds like.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sensorium.models.tts import normalize


@dataclass(frozen=True)
class Style:
    rate: float = 1.0  # speaking-rate multiplier (2.0 = twice as fast)
    volume_db: float = 0.0
    say_as: str | None = None
    say_as_format: str | None = None
    alias: str | None = None  # <sub alias>
    ipa: str | None = None  # <phoneme alphabet="ipa" ph>


@dataclass(frozen=True)
class Run:
    """Text from the input; ``offsets[i]`` is the byte offset of ``text[i]`` in the input
    (one more entry for the end). Characters from an entity share the entity's offset."""

    text: str
    offsets: tuple[int, ...]
    style: Style = Style()
    atomic: bool = False  # say-as / sub / phoneme: the whole run is one word

    @property
    def start(self) -> int:
        return self.offsets[0]

    @property
    def end(self) -> int:
        return self.offsets[-1]


def plain_run(text: str, base: int = 0) -> Run:
    """A run whose text is exactly the input's bytes from ``base``."""
    offsets = [base]
    for ch in text:
        offsets.append(offsets[-1] + len(ch.encode()))
    return Run(text, tuple(offsets))


@dataclass(frozen=True)
class Pause:
    ms: int


@dataclass(frozen=True)
class Marker:
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Boundary:
    """The end of an SSML ``<s>`` or ``<p>``."""


Event = Run | Pause | Marker | Boundary


@dataclass(frozen=True)
class Word:
    written: str
    start: int
    end: int
    spoken: str  # normalised words for espeak (empty when ``ipa`` says it)
    ipa: str | None
    style: Style
    punctuation: str = ""  # clause punctuation spoken after it ("," "." "?")


@dataclass
class Sentence:
    items: list[Word | Pause | Marker] = field(default_factory=list)
    start: int = 0
    end: int = 0
    text: str = ""

    @property
    def words(self) -> list[Word]:
        return [item for item in self.items if isinstance(item, Word)]


Lexicon = Callable[[str], tuple[str | None, str | None]]  # written -> (alias, ipa)


def _no_lexicon(_: str) -> tuple[str | None, str | None]:
    return None, None


def build(events: Sequence[Event], lexicon: Lexicon = _no_lexicon) -> list[Sentence]:
    sentences: list[Sentence] = []
    current = Sentence()

    def close() -> None:
        nonlocal current
        if current.words or any(isinstance(item, Marker) for item in current.items):
            sentences.append(current)
        elif current.items and sentences:  # a trailing pause belongs to the sentence before
            sentences[-1].items.extend(current.items)
        elif current.items:
            sentences.append(current)
        current = Sentence()

    for event in events:
        if isinstance(event, Boundary):
            close()
        elif isinstance(event, Pause | Marker):
            current.items.append(event)
        elif event.atomic:
            _add(current, _atomic_word(event))
        else:
            written = normalize.tokens(event.text)
            if not written and current.words and _clause_marks(event.text):
                _punctuate(current, _clause_marks(event.text))
                if _clause_marks(event.text) in ".!?":
                    close()
            for index, token in enumerate(written):
                before = written[index - 1].text if index else None
                after = written[index + 1] if index + 1 < len(written) else None
                word = _word(event, token, before, after.text if after else None, lexicon)
                _add(current, word)
                if normalize.ends_sentence(token, after):
                    close()
    close()
    return sentences


def _add(sentence: Sentence, word: Word) -> None:
    if not sentence.words:
        sentence.start = word.start
    sentence.end = word.end
    sentence.text = f"{sentence.text} {word.written}".strip()
    sentence.items.append(word)


def _punctuate(sentence: Sentence, mark: str) -> None:
    for index in range(len(sentence.items) - 1, -1, -1):
        item = sentence.items[index]
        if isinstance(item, Word):
            sentence.items[index] = replace(item, punctuation=mark)
            return


def _word(
    run: Run, token: normalize.Token, before: str | None, after: str | None, lexicon: Lexicon
) -> Word:
    start, end = run.offsets[token.start], run.offsets[token.end]
    alias, ipa = lexicon(token.text)
    if ipa is None and alias is None and token.text.endswith("."):
        alias, ipa = lexicon(token.text.rstrip("."))
    if ipa is not None:
        spoken = ""
    elif alias is not None:
        spoken = " ".join(normalize.spoken(t.text) for t in normalize.tokens(alias))
    else:
        spoken = normalize.spoken(token.text, before, after)
    return Word(token.text, start, end, spoken, ipa, run.style, _clause_marks(token.trailing))


def _atomic_word(run: Run) -> Word:
    style = run.style
    if style.ipa is not None:
        spoken = ""
    elif style.alias is not None:
        spoken = normalize.say_as(style.alias, "normal")
    elif style.say_as is not None:
        spoken = normalize.say_as(run.text, style.say_as, style.say_as_format)
    else:
        spoken = normalize.say_as(run.text, "normal")
    return Word(run.text.strip(), run.start, run.end, spoken, style.ipa, style)


def _clause_marks(trailing: str) -> str:
    marks = "".join(ch for ch in trailing if ch in ",;:.!?")
    return marks[-1:] if marks else ""


# Speech runs at about this many characters of spoken text a second at rate 1.0, so a plan's
# length can be bounded before any audio is made. Measured on the packaged voice: 17.5 over
# five varied sentences, 15.1 the slowest; the slowest is used, so estimates run long.
SPOKEN_CHARACTERS_PER_SECOND = 15.0


def estimated_seconds(sentences: Sequence[Sentence]) -> tuple[float, float]:
    """(speech, pauses) the plan will last, in seconds, before it is rendered."""
    speech = pauses = 0.0
    for sentence in sentences:
        for item in sentence.items:
            if isinstance(item, Pause):
                pauses += item.ms / 1000
            elif isinstance(item, Word):
                sounds = len(item.spoken) or len(item.ipa or "") or 1
                speech += (sounds + 1) / SPOKEN_CHARACTERS_PER_SECOND / item.style.rate
    return speech, pauses
