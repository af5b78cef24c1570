"""The document rule: sentence splitting and the four-way aggregation (no model needed)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from sensorium.models.text.document import aggregate, analyze, split_sentences


def test_split_on_sentence_ends_and_lines() -> None:
    text = "Great food! Slow service. Would I go back?\nMaybe.  "
    assert split_sentences(text) == ["Great food!", "Slow service.", "Would I go back?", "Maybe."]


def test_split_keeps_decimals_and_breaks_long_sentences() -> None:
    assert split_sentences("It costs 3.50 dollars.") == ["It costs 3.50 dollars."]
    pieces = split_sentences(" ".join(["word"] * 200))
    assert [len(p.split()) for p in pieces] == [80, 80, 40]


def test_split_cjk_full_stops() -> None:
    assert split_sentences("今日は晴れ。明日は雨。") == ["今日は晴れ。", "明日は雨。"]


@pytest.mark.parametrize("p", [0.0, 0.1, 0.3, 0.5, 0.8, 1.0])
def test_one_sentence_scores_sum_to_one_and_never_mix(p: float) -> None:
    result = aggregate([p], [5])
    assert math.isclose(sum(result.scores().values()), 1.0)
    assert result.mixed == 0.0


def test_one_sentence_is_neutral_below_75_percent_confidence() -> None:
    assert aggregate([0.74], [5]).label == "NEUTRAL"
    assert aggregate([0.26], [5]).label == "NEUTRAL"
    assert aggregate([0.76], [5]).label == "POSITIVE"
    assert aggregate([0.24], [5]).label == "NEGATIVE"


def test_confident_opposite_sentences_are_mixed() -> None:
    result = aggregate([0.98, 0.03], [6, 6])
    assert result.label == "MIXED"
    assert math.isclose(sum(result.scores().values()), 1.0)
    assert result.positive == 0.0 or result.negative == 0.0


def test_one_weak_dissent_does_not_make_a_document_mixed() -> None:
    assert aggregate([0.97, 0.97, 0.97, 0.4], [8, 8, 8, 8]).label == "POSITIVE"


def test_aggregate_rejects_empty_input() -> None:
    with pytest.raises(ValueError):
        aggregate([], [])


@dataclass
class _Score:
    positive: float
    tokens: int


class _FakeScorer:
    """Stands in for the classifier: P(positive) is looked up per sentence."""

    def __init__(self, table: dict[str, float]) -> None:
        self.table = table
        self.calls: list[list[str]] = []

    def score(self, sentences: Sequence[str]) -> list[_Score]:
        self.calls.append(list(sentences))
        return [_Score(self.table[s], 4) for s in sentences]


def test_analyze_scores_all_documents_in_one_call() -> None:
    scorer = _FakeScorer({"Good.": 0.99, "Bad.": 0.01, "Fine.": 0.6})
    results = analyze(scorer, ["Good. Bad.", "Fine.", "Good."])
    assert [r.label for r in results] == ["MIXED", "NEUTRAL", "POSITIVE"]
    assert scorer.calls == [["Good.", "Bad.", "Fine.", "Good."]]
