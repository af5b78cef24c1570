"""Readers for the tagging corpora: UD English EWT (CoNLL-U) and WNUT 2017 (two columns),
their train/held-out splits, and the span metrics both evaluations use."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

EWT_FILES = ("en_ewt-ud-dev.conllu", "en_ewt-ud-test.conllu")
WNUT_FILES = {
    "train": "wnut17train.conll",
    "dev": "emerging.dev.conll",
    "test": "emerging.test.annotated",
}

# Comprehend's tag set has no X; its O ("other") takes that role.
UPOS_TO_COMPREHEND = {"X": "O"}
# The base noun phrase: a nominal head and the dependents that build it up from its left
# (and flat names or compounds to its right), contiguous.
NP_HEADS = frozenset({"NOUN", "PROPN"})
NP_DEPENDENTS = frozenset(
    {"det", "amod", "compound", "nummod", "nmod:poss", "flat", "det:poss", "compound:prt"}
)


@dataclass(frozen=True)
class TreebankSentence:
    words: list[str]
    upos: list[str]
    heads: list[int]  # 1-based, 0 for the root
    relations: list[str]


def read_conllu(path: Path) -> list[TreebankSentence]:
    sentences: list[TreebankSentence] = []
    rows: list[list[str]] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if rows:
                sentences.append(
                    TreebankSentence(
                        [r[1] for r in rows],
                        [UPOS_TO_COMPREHEND.get(r[3], r[3]) for r in rows],
                        [int(r[6]) for r in rows],
                        [r[7] for r in rows],
                    )
                )
            rows = []
        elif not line.startswith("#"):
            fields = line.split("\t")
            if fields[0].isdigit():  # not a multi-word token range nor an empty node
                rows.append(fields)
    return sentences


def ewt_split(folder: Path) -> tuple[list[TreebankSentence], list[TreebankSentence]]:
    """Training part (dev + the first half of test) and held-out part (the second half of
    test, in document order so no document is on both sides of the split but one)."""
    dev, test = (read_conllu(folder / name) for name in EWT_FILES)
    middle = len(test) // 2
    return dev + test[:middle], test[middle:]


@dataclass(frozen=True)
class TaggedSentence:
    words: list[str]
    tags: list[str]  # BIO tags


def read_two_columns(path: Path) -> list[TaggedSentence]:
    sentences: list[TaggedSentence] = []
    words: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip():
            if words:
                sentences.append(TaggedSentence(words, tags))
            words, tags = [], []
        else:
            words.append(fields[0])
            tags.append(fields[1].strip())
    return sentences


def read_wnut(folder: Path, split: str) -> list[TaggedSentence]:
    return read_two_columns(folder / WNUT_FILES[split])


# --- spans ------------------------------------------------------------------------------------

Span = tuple[int, int, str]  # first word, one past the last word, type


def bio_spans(tags: Sequence[str]) -> list[Span]:
    """Spans of a BIO sequence; an I- that does not continue its type starts a new span."""
    spans: list[Span] = []
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and tag[2:] == kind and start >= 0
        if inside:
            continue
        if start >= 0:
            spans.append((start, i, kind))
        start, kind = (i, tag[2:]) if tag[:2] in ("B-", "I-") else (-1, "")
    return spans


def noun_phrases(sentence: TreebankSentence) -> list[Span]:
    """The treebank's base noun phrases (see NP_DEPENDENTS), as word spans."""
    spans: list[Span] = []
    children: dict[int, list[int]] = {}
    for i, head in enumerate(sentence.heads):
        children.setdefault(head - 1, []).append(i)
    for head, tag in enumerate(sentence.upos):
        if tag not in NP_HEADS or sentence.relations[head] in ("compound", "flat"):
            continue
        start = end = head
        for child in sorted(children.get(head, []), reverse=True):
            if child < head and child == start - 1 and _builds_np(sentence, child):
                start = child
        for child in sorted(children.get(head, [])):
            if (
                child > head
                and child == end + 1
                and sentence.relations[child] in ("flat", "compound")
            ):
                end = child
        spans.append((start, end + 1, "NP"))
    return spans


def _builds_np(sentence: TreebankSentence, child: int) -> bool:
    relation = sentence.relations[child]
    return relation in NP_DEPENDENTS or relation.startswith(("compound", "flat"))


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    gold: int
    predicted: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "gold": self.gold,
            "predicted": self.predicted,
        }


def span_scores(gold: Iterable[Sequence[Span]], predicted: Iterable[Sequence[Span]]) -> Scores:
    """Exact-match precision, recall and F1 (conlleval's definition)."""
    hits = golds = guesses = 0
    for truth, guess in zip(gold, predicted, strict=True):
        hits += len(set(truth) & set(guess))
        golds += len(set(truth))
        guesses += len(set(guess))
    precision = hits / guesses if guesses else 0.0
    recall = hits / golds if golds else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, golds, guesses)
