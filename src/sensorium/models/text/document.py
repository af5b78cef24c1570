"""From sentence scores to Comprehend's four document sentiments.

The classifier is trained on two classes (SST-2), so NEUTRAL and MIXED are derived from its
calibrated probabilities. For each sentence with P(positive) = p, the polarity is s = 2p - 1:

* positive evidence max(s, 0), negative evidence max(-s, 0), neutral evidence 1 - |s|
  (these three sum to 1; a sentence the model is unsure about is mostly neutral);
* the document averages the three over its sentences, weighted by token count;
* MIXED is the evidence that is both positive and negative: m = min(P, N) is taken from each
  side, so Mixed = 2m, Positive = P - m, Negative = N - m, Neutral = U (still summing to 1).

The label is the largest score. One sentence is therefore NEUTRAL exactly when the calibrated
model is less than 75 % sure of its polarity, and a document is MIXED when confident sentences
of opposite polarity outweigh everything else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# Sentence ends: . ! ? (and CJK full-width forms) followed by space, or any line break.
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f])\s+|(?<=[\u3002\uff01\uff1f])|\n+")
MAX_WORDS_PER_PIECE = 80  # the classifier reads at most 128 tokens; split longer sentences


class SentenceScorer(Protocol):
    def score(self, sentences: Sequence[str]) -> Sequence[_Scored]: ...


class _Scored(Protocol):
    @property
    def positive(self) -> float: ...

    @property
    def tokens(self) -> int: ...


def split_sentences(text: str) -> list[str]:
    pieces = []
    for sentence in _SENTENCE_END.split(text):
        words = sentence.split()
        for start in range(0, len(words), MAX_WORDS_PER_PIECE):
            pieces.append(" ".join(words[start : start + MAX_WORDS_PER_PIECE]))
    return [piece for piece in pieces if piece.strip()]


@dataclass(frozen=True)
class DocumentSentiment:
    label: str
    positive: float
    negative: float
    neutral: float
    mixed: float

    def scores(self) -> dict[str, float]:
        return {
            "Positive": self.positive,
            "Negative": self.negative,
            "Neutral": self.neutral,
            "Mixed": self.mixed,
        }


def aggregate(probabilities: Sequence[float], weights: Sequence[float]) -> DocumentSentiment:
    """Combine per-sentence P(positive) into the four scores (see the module docstring)."""
    if not probabilities or len(probabilities) != len(weights):
        raise ValueError("need one weight per sentence, and at least one sentence")
    total = float(sum(weights))
    positive = negative = neutral = 0.0
    for p, weight in zip(probabilities, weights, strict=True):
        polarity = 2.0 * p - 1.0
        share = weight / total
        positive += share * max(polarity, 0.0)
        negative += share * max(-polarity, 0.0)
        neutral += share * (1.0 - abs(polarity))
    overlap = min(positive, negative)
    scores = {
        "POSITIVE": positive - overlap,
        "NEGATIVE": negative - overlap,
        "NEUTRAL": neutral,
        "MIXED": 2.0 * overlap,
    }
    norm = sum(scores.values())
    scores = {k: v / norm for k, v in scores.items()}  # exact sum despite rounding
    label = max(scores, key=scores.__getitem__)
    return DocumentSentiment(
        label, scores["POSITIVE"], scores["NEGATIVE"], scores["NEUTRAL"], scores["MIXED"]
    )


def analyze(scorer: SentenceScorer, texts: Sequence[str]) -> list[DocumentSentiment]:
    """Sentiment of each document; all their sentences go through the classifier together."""
    documents = [split_sentences(text) or [text.strip()] for text in texts]
    scores = scorer.score([sentence for sentences in documents for sentence in sentences])
    results, start = [], 0
    for sentences in documents:
        mine = scores[start : start + len(sentences)]
        start += len(sentences)
        results.append(aggregate([s.positive for s in mine], [s.tokens for s in mine]))
    return results
