"""Labelled clips, decoded to 16 kHz mono by PyAV, and their splits."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from sensorium.models.sound.features import Samples
from sensorium.models.stt.audio import AudioError, decode_audio


class SoundDataError(ValueError):
    """The training data cannot be used (no audio, one class, an unreadable file...)."""


@dataclass(frozen=True)
class Clip:
    name: str  # where it came from, for messages
    samples: Samples
    label: str


def decode(name: str, data: bytes, max_seconds: float) -> Samples:
    """A file's samples; ``SoundDataError`` naming the file when it cannot be read."""
    try:
        return decode_audio(data, max_seconds=max_seconds).samples
    except AudioError as error:
        raise SoundDataError(f"{name}: {error}") from None


def split(clips: list[Clip], fraction: float, seed: int) -> tuple[list[Clip], list[Clip]]:
    """(train, held out): ``fraction`` of each class held out, at least one clip of every
    class that has two or more."""
    by_label: dict[str, list[Clip]] = defaultdict(list)
    for clip in clips:
        by_label[clip.label].append(clip)
    chooser = random.Random(seed)
    train: list[Clip] = []
    held: list[Clip] = []
    for label in sorted(by_label):
        group = list(by_label[label])
        chooser.shuffle(group)
        count = max(1, round(len(group) * fraction)) if len(group) > 1 else 0
        held.extend(group[:count])
        train.extend(group[count:])
    return train, held
