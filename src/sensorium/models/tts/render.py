"""Plan to audio, sentence by sentence, with speech marks timed by the model's durations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from sensorium.models.tts.align import word_starts
from sensorium.models.tts.plan import Marker, Pause, Sentence, Word
from sensorium.models.tts.speaking import Audio, Voice
from sensorium.models.tts.visemes import viseme


@dataclass(frozen=True)
class SpeechMark:
    time: int  # milliseconds from the start of the audio
    type: str  # sentence | word | ssml | viseme
    value: str
    start: int | None = None  # byte offsets into the input (not for visemes)
    end: int | None = None

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"time": self.time, "type": self.type}
        if self.start is not None:
            found["start"] = self.start
            found["end"] = self.end
        found["value"] = self.value
        return found


@dataclass
class Piece:
    """Audio at the voice's sample rate, and the marks that fall in it."""

    audio: Audio
    marks: list[SpeechMark] = field(default_factory=list)


class Renderer:
    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self.rate = voice.sample_rate
        self._position = 0  # samples emitted so far
        self._phonemes = lru_cache(maxsize=4096)(voice.phonemize)

    def pieces(self, sentences: Sequence[Sentence]) -> Iterator[Piece]:
        for sentence in sentences:
            pending = [
                SpeechMark(self._ms(0), "sentence", sentence.text, sentence.start, sentence.end)
            ]
            for group in _groups(sentence.items):
                if isinstance(group, Marker):
                    pending.append(
                        SpeechMark(self._ms(0), "ssml", group.name, group.start, group.end)
                    )
                    continue
                if isinstance(group, Pause):
                    made: Iterable[Piece] = [
                        Piece(np.zeros(group.ms * self.rate // 1000, dtype=np.float32))
                    ]
                else:
                    made = self._speak(group)
                for piece in made:
                    piece.marks[:0] = pending
                    pending = []
                    self._position += len(piece.audio)
                    yield piece
            if pending:
                yield Piece(np.zeros(0, dtype=np.float32), pending)

    def _ms(self, offset: int) -> int:
        return round((self._position + offset) * 1000 / self.rate)

    def _speak(self, words: list[Word]) -> Iterator[Piece]:
        """The words' audio, one piece per call to the voice: at most ``MAX_PHONEMES`` each
        (cut at word gaps), since the voice's memory grows with a call's length and a long
        word run (a long digit string read digit by digit) must stream, not wait."""
        phonemes, starts = self._phrase(words)
        style = words[0].style
        if not phonemes:
            silent = [SpeechMark(self._ms(0), "word", w.written, w.start, w.end) for w in words]
            yield Piece(np.zeros(0, dtype=np.float32), silent)
            return
        for first, end in _segments(phonemes, MAX_PHONEMES):
            rendered = self.voice.render(phonemes[first:end], length_scale=1.0 / style.rate)
            audio = rendered.audio
            if style.volume_db:
                gain = 10 ** (style.volume_db / 20)
                audio = np.clip(audio * gain, -1.0, 1.0).astype(np.float32)
            marks: list[SpeechMark] = []
            if rendered.durations is not None:
                begin = np.concatenate([[0], np.cumsum(rendered.durations)]) + rendered.lead
                for word, start in zip(words, starts, strict=True):
                    if first <= start < end:
                        time = self._ms(int(begin[start - first]))
                        marks.append(SpeechMark(time, "word", word.written, word.start, word.end))
                marks.extend(self._visemes(phonemes[first:end], begin, len(audio)))
            marks.sort(key=lambda mark: mark.time)
            yield Piece(audio, marks)

    def _visemes(self, phonemes: list[str], begin: np.ndarray, length: int) -> list[SpeechMark]:
        marks = [SpeechMark(self._ms(0), "viseme", "sil")]
        for index, phoneme in enumerate(phonemes):
            value = viseme(phoneme)
            if value is not None and value != marks[-1].value:
                marks.append(SpeechMark(self._ms(int(begin[index])), "viseme", value))
        marks.append(SpeechMark(self._ms(int(begin[-1])), "viseme", "sil"))
        return marks

    def _phrase(self, words: list[Word]) -> tuple[list[str], list[int]]:
        """The phrase's phonemes and the index where each word starts."""
        phonemes: list[str] = []
        starts: list[int] = []
        index = 0
        while index < len(words):
            if phonemes and phonemes[-1] != " ":
                phonemes.append(" ")
            ipa = words[index].ipa
            if ipa is not None:
                starts.append(len(phonemes))
                phonemes.extend(self._ipa(ipa) + self._ipa(words[index].punctuation))
                index += 1
                continue
            stop = index
            while stop < len(words) and words[stop].ipa is None:
                stop += 1
            run = words[index:stop]
            text = " ".join(word.spoken + word.punctuation for word in run)
            phrase = self._phonemes(text)
            alone = [self._phonemes(word.spoken) if word.spoken else [] for word in run]
            starts.extend(len(phonemes) + start for start in word_starts(phrase, alone))
            phonemes.extend(phrase)
            index = stop
        while phonemes and phonemes[-1] == " ":
            phonemes.pop()
        starts = [min(start, max(len(phonemes) - 1, 0)) for start in starts]
        return phonemes, starts

    def _ipa(self, text: str) -> list[str]:
        return self.voice.from_ipa(text)


MAX_PHRASE_WORDS = 48
MAX_PHONEMES = 320  # about 50 words: a few seconds of speech per call to the voice


def _segments(phonemes: list[str], limit: int) -> list[tuple[int, int]]:
    """[start, end) ranges covering ``phonemes``, each at most ``limit`` long where a word gap
    (" ") allows, cut just after a gap."""
    segments: list[tuple[int, int]] = []
    start = 0
    while len(phonemes) - start > limit:
        gaps = [i for i in range(start + limit // 2, start + limit) if phonemes[i] == " "]
        end = gaps[-1] + 1 if gaps else start + limit
        segments.append((start, end))
        start = end
    segments.append((start, len(phonemes)))
    return segments


def _split_phrase(run: list[Word]) -> tuple[list[Word], list[Word]]:
    """A full phrase cut after its last clause mark in its second half (else at the end)."""
    for index in range(len(run) - 1, len(run) // 2, -1):
        if run[index].punctuation:
            return run[: index + 1], run[index + 1 :]
    return run, []


def _groups(items: Sequence[Word | Pause | Marker]) -> Iterator[list[Word] | Pause | Marker]:
    """Pauses and marks alone; consecutive words with the same rate and volume together, at
    most ``MAX_PHRASE_WORDS`` at a time (the voice's cost grows faster than its input)."""
    run: list[Word] = []
    for item in items:
        if isinstance(item, Word):
            if run and (run[-1].style.rate, run[-1].style.volume_db) != (
                item.style.rate,
                item.style.volume_db,
            ):
                yield run
                run = []
            run.append(item)
            if len(run) >= MAX_PHRASE_WORDS:
                head, run = _split_phrase(run)
                yield head
            continue
        if run:
            yield run
            run = []
        yield item
    if run:
        yield run
