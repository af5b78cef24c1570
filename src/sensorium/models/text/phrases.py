"""Key phrases: base noun phrases read off part-of-speech tags.

A phrase is a run of determiners, adjectives, numerals and nouns that ends in a noun or proper
noun; a determiner only opens a phrase. This is the treebank's base noun phrase (a nominal head
with its determiner, adjective, numeral and compound dependents) as far as tags can show it;
bench/comprehend_syntax.py measures how far that is.
"""

from __future__ import annotations

from collections.abc import Sequence

OPENERS = frozenset({"DET"})
MODIFIERS = frozenset({"ADJ", "NUM", "NOUN", "PROPN"})
HEADS = frozenset({"NOUN", "PROPN"})


def chunk(tags: Sequence[str]) -> list[tuple[int, int]]:
    """Word spans (first, one past the last) of the noun phrases in a tagged sentence."""
    spans: list[tuple[int, int]] = []
    start = -1
    last_head = -1
    for i, tag in enumerate([*tags, "END"]):
        continues = tag in MODIFIERS and start >= 0
        if continues:
            if tag in HEADS:
                last_head = i
            continue
        if start >= 0 and last_head >= 0:
            spans.append((start, last_head + 1))
        start, last_head = (
            (i, i if tag in HEADS else -1) if tag in OPENERS | MODIFIERS else (-1, -1)
        )
    return spans
