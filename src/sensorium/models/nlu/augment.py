"""Sample utterances with ``{Slot}`` references -> labelled training examples.

Each reference is filled with values the slot accepts (custom values and synonyms, or
built-in samples), and the filled words are tagged B-/I-<slot> for the tagger.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from sensorium.models.nlu.words import split_words

SLOT_REFERENCE = re.compile(r"\{([A-Za-z0-9_\-]+)\}")


@dataclass(frozen=True)
class Example:
    intent: str
    words: tuple[str, ...]
    tags: tuple[str, ...]  # "O", "B-<slot>", "I-<slot>"
    group: int  # the sample utterance it came from (kept together when holding out)


def slot_references(template: str) -> list[str]:
    return SLOT_REFERENCE.findall(template)


def expand(
    intent: str,
    template: str,
    group: int,
    fillers: dict[str, list[str]],
    count: int,
    rng: random.Random,
) -> list[Example]:
    pieces = SLOT_REFERENCE.split(template)  # text, slot, text, slot, ..., text
    slots = pieces[1::2]
    combinations = math.prod(len(fillers.get(slot) or [""]) for slot in slots)
    seen: set[tuple[str, ...]] = set()
    examples: list[Example] = []
    for _ in range(min(count, combinations) * 2):  # duplicates are drawn and skipped
        words: list[str] = []
        tags: list[str] = []
        for index, piece in enumerate(pieces):
            if index % 2 == 0:
                text_words = [w.text for w in split_words(piece)]
                words.extend(text_words)
                tags.extend("O" for _ in text_words)
                continue
            choices = fillers.get(piece) or [piece]
            value_words = [w.text for w in split_words(rng.choice(choices))]
            words.extend(value_words)
            tags.extend(
                f"{'B' if position == 0 else 'I'}-{piece}" for position in range(len(value_words))
            )
        key = tuple(words)
        if words and key not in seen:
            seen.add(key)
            examples.append(Example(intent, key, tuple(tags), group))
        if len(examples) >= count:
            break
    return examples
