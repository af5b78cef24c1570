"""SSML to plan events, with byte offsets into the document.

Supported: speak, p, s, break, prosody (rate, volume), say-as, sub, emphasis, mark,
phoneme (ipa). Other tags (lang, w, amazon:*, pitch in prosody, ...) are ignored and their
text is spoken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from xml.parsers import expat

from sensorium.models.tts.plan import Boundary, Event, Marker, Pause, Run, Style

MAX_BREAK_MS = 10_000
# Nested prosody and emphasis multiply; the speaking rate stays within Polly's own range.
MIN_RATE, MAX_RATE = 0.2, 2.0
BREAK_STRENGTHS = {
    "none": 0,
    "x-weak": 100,
    "weak": 250,
    "medium": 400,
    "strong": 700,
    "x-strong": 1000,
}
RATES = {"x-slow": 0.6, "slow": 0.8, "medium": 1.0, "fast": 1.25, "x-fast": 1.6, "default": 1.0}
VOLUMES = {
    "silent": -90.0,
    "x-soft": -6.0,
    "soft": -3.0,
    "medium": 0.0,
    "loud": 3.0,
    "x-loud": 6.0,
    "default": 0.0,
}
EMPHASIS = {"strong": (0.85, 3.0), "moderate": (0.92, 1.5), "reduced": (1.1, -2.0)}
IGNORED_TAGS = ("lang", "w", "voice", "amazon:")


class SsmlError(ValueError):
    """Malformed SSML; the message says where."""


@dataclass
class _Open:
    tag: str
    style: Style
    atomic: bool = False  # say-as / sub / phoneme: its text is one word
    text: str = ""
    offsets: list[int] = field(default_factory=list)


def parse(document: str) -> tuple[list[Event], int]:
    """The events of an SSML document and its billed characters (text outside tags)."""
    data = document.encode("utf-8")
    parser = expat.ParserCreate()
    events: list[Event] = []
    stack: list[_Open] = []
    billed = 0
    pending: list[tuple[int, str]] = []  # character data not yet turned into a Run

    def flush(end: int) -> None:
        if not pending:
            return
        text = "".join(piece for _, piece in pending)
        offsets = _offsets(data, pending, end)
        pending.clear()
        top = stack[-1] if stack else None
        if top is not None and top.atomic:
            top.text += text
            top.offsets = top.offsets[:-1] + offsets
            return
        if text.strip():
            style = top.style if top else Style()
            events.append(Run(text, tuple(offsets), style))

    def position() -> int:
        return int(parser.CurrentByteIndex)

    def where() -> str:
        return f"line {parser.CurrentLineNumber}, column {parser.CurrentColumnNumber + 1}"

    def start_element(tag: str, attrs: dict[str, str]) -> None:
        flush(position())
        if not stack and tag != "speak":
            raise SsmlError(f"the root element must be <speak>, not <{tag}> ({where()})")
        style = stack[-1].style if stack else Style()
        opened = _Open(tag, style)
        if tag == "break":
            events.append(Pause(_break_ms(attrs, where())))
        elif tag in ("s", "p"):
            events.append(Boundary())
        elif tag == "prosody":
            opened.style = _prosody(style, attrs, where())
        elif tag == "emphasis":
            rate, gain = EMPHASIS.get(attrs.get("level", "moderate"), EMPHASIS["moderate"])
            opened.style = replace(
                style, rate=_bounded(style.rate * rate), volume_db=style.volume_db + gain
            )
        elif tag == "mark":
            if "name" not in attrs:
                raise SsmlError(f"<mark> needs a name attribute ({where()})")
            here = position()
            events.append(Marker(attrs["name"], here, here + _tag_length(data, here)))
        elif tag == "say-as":
            if "interpret-as" not in attrs:
                raise SsmlError(f"<say-as> needs an interpret-as attribute ({where()})")
            opened.style = replace(
                style, say_as=attrs["interpret-as"], say_as_format=attrs.get("format")
            )
            opened.atomic = True
        elif tag == "sub":
            if "alias" not in attrs:
                raise SsmlError(f"<sub> needs an alias attribute ({where()})")
            opened.style = replace(style, alias=attrs["alias"])
            opened.atomic = True
        elif tag == "phoneme":
            if "ph" not in attrs:
                raise SsmlError(f"<phoneme> needs a ph attribute ({where()})")
            if attrs.get("alphabet", "ipa") == "ipa":
                opened.style = replace(style, ipa=attrs["ph"])
                opened.atomic = True
        stack.append(opened)

    def end_element(tag: str) -> None:
        here = position()
        flush(here)
        opened = stack.pop()
        if opened.atomic and opened.text.strip():
            events.append(Run(opened.text, tuple(opened.offsets), opened.style, atomic=True))
        if tag in ("s", "p"):
            events.append(Boundary())
        if tag == "p":
            events.append(Pause(BREAK_STRENGTHS["x-strong"] // 2))

    def character_data(text: str) -> None:
        nonlocal billed
        billed += len(text.strip()) and len(text)
        pending.append((position(), text))

    def no_doctype(*_: object) -> None:
        # Entities are how XML bombs and external reads get in; SSML has no use for them.
        raise SsmlError(f"a document type declaration is not allowed ({where()})")

    parser.StartDoctypeDeclHandler = no_doctype
    parser.StartElementHandler = start_element
    parser.EndElementHandler = end_element
    parser.CharacterDataHandler = character_data
    parser.buffer_text = False
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise SsmlError(
            f"{expat.ErrorString(error.code)} at line {error.lineno}, column {error.offset + 1}"
        ) from None
    return events, billed


def _offsets(data: bytes, pieces: list[tuple[int, str]], end: int) -> list[int]:
    """Per character byte offsets; a piece that is not literally in the input (an entity)
    maps all its characters to where it starts."""
    offsets: list[int] = []
    for index, (start, text) in enumerate(pieces):
        stop = pieces[index + 1][0] if index + 1 < len(pieces) else end
        if data[start:stop] == text.encode():
            position = start
            for ch in text:
                offsets.append(position)
                position += len(ch.encode())
        else:
            offsets.extend([start] * len(text))
    offsets.append(end)
    return offsets


def _tag_length(data: bytes, start: int) -> int:
    end = data.find(b">", start)
    return end - start + 1 if end >= 0 else 0


def _break_ms(attrs: dict[str, str], where: str) -> int:
    if "time" in attrs:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*", attrs["time"])
        if match is None:
            raise SsmlError(f"invalid break time {attrs['time']!r} ({where})")
        value = float(match[1]) * (1 if match[2] == "ms" else 1000)
        return min(int(value), MAX_BREAK_MS)
    strength = attrs.get("strength", "medium")
    if strength not in BREAK_STRENGTHS:
        raise SsmlError(f"invalid break strength {strength!r} ({where})")
    return BREAK_STRENGTHS[strength]


def _prosody(style: Style, attrs: dict[str, str], where: str) -> Style:
    rate, volume = style.rate, style.volume_db
    if "rate" in attrs:
        value = attrs["rate"].strip()
        if value in RATES:
            rate *= RATES[value]
        elif match := re.fullmatch(r"(\d+(?:\.\d+)?)%", value):
            percent = float(match[1])
            if not 20 <= percent <= 200:
                raise SsmlError(f"prosody rate must be 20% to 200%, not {value!r} ({where})")
            rate *= percent / 100
        else:
            raise SsmlError(f"invalid prosody rate {value!r} ({where})")
    if "volume" in attrs:
        value = attrs["volume"].strip()
        if value in VOLUMES:
            volume += VOLUMES[value]
        elif match := re.fullmatch(r"([+-]?\d+(?:\.\d+)?)dB", value):
            volume += float(match[1])
        else:
            raise SsmlError(f"invalid prosody volume {value!r} ({where})")
    return replace(style, rate=_bounded(rate), volume_db=volume)


def _bounded(rate: float) -> float:
    return min(max(rate, MIN_RATE), MAX_RATE)
