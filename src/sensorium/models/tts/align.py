# ruff: noqa: RUF002
"""Which phonemes of a phrase belong to which word.

espeak-ng phonemises a phrase as a whole (so function words reduce and run together:
"in the" -> "ɪnðə"). Each word is also phonemised alone; an edit-distance alignment of the
words' phonemes to the phrase's phonemes says where each word starts in the phrase.
"""

from __future__ import annotations

from collections.abc import Sequence

SKIPPED = frozenset("ˈˌ ,.;:!?-'\"()")


# The alignment costs the product of the two lengths in time and memory; past this it is
# approximated (the renderer keeps phrases far shorter: this only guards odd input).
MAX_CELLS = 1_000_000


def word_starts(phrase: Sequence[str], words: Sequence[Sequence[str]]) -> list[int]:
    """For each word, the index in ``phrase`` of its first phoneme (stress marks included)."""
    if len(words) <= 1:
        return [0] * len(words)
    targets = [i for i, p in enumerate(phrase) if p not in SKIPPED]
    labels = [w for w, phonemes in enumerate(words) for p in phonemes if p not in SKIPPED]
    sources = [p for phonemes in words for p in phonemes if p not in SKIPPED]
    if len(sources) * len(targets) > MAX_CELLS:
        return _proportional(len(phrase), [len(phonemes) for phonemes in words])
    first: dict[int, int] = {}
    for source, target in _pairs(sources, [phrase[i] for i in targets]):
        word = labels[source]
        first[word] = min(first.get(word, targets[target]), targets[target])
    starts = [0] * len(words)
    following = len(phrase)
    for word in range(len(words) - 1, -1, -1):
        start = min(first.get(word, following), following)
        while start > 0 and phrase[start - 1] in "ˈˌ":
            start -= 1
        starts[word] = start
        following = start
    return starts


def _proportional(length: int, sizes: Sequence[int]) -> list[int]:
    """Word starts spread over the phrase in proportion to each word's phonemes alone."""
    total = max(1, sum(sizes))
    starts, seen = [], 0
    for size in sizes:
        starts.append(min(length - 1, seen * length // total) if length else 0)
        seen += size
    return starts


def _pairs(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Aligned (i, j) index pairs (matches and substitutions) of a minimal edit script."""
    n, m = len(a), len(b)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        row, above = cost[i], cost[i - 1]
        ai = a[i - 1]
        for j in range(1, m + 1):
            row[j] = min(
                above[j - 1] + (ai != b[j - 1]),
                above[j] + 1,
                row[j - 1] + 1,
            )
    pairs = []
    i, j = n, m
    while i > 0 and j > 0:
        if cost[i][j] == cost[i - 1][j - 1] + (a[i - 1] != b[j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    pairs.reverse()
    return pairs
