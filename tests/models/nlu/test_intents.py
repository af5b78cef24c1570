"""The intent classifier's passes over the data: 30 for small and mid-size bots, fewer as a
bot grows so the training cost stays that of 15 passes over 15,000 utterances, never under 15."""

from __future__ import annotations

from sensorium.models.nlu.intents import (
    MAX_EPOCHS,
    MIN_EPOCHS,
    PASS_BUDGET,
    epochs_for,
)


def test_small_and_mid_size_bots_get_the_most_passes() -> None:
    assert epochs_for(0) == MAX_EPOCHS == 30
    assert epochs_for(120) == 30
    assert epochs_for(6_436) == 30  # bench/lex_oos.py's 50-intent bot with its background


def test_larger_bots_keep_the_budget_of_the_largest() -> None:
    assert epochs_for(10_003) == 22  # Banking77's training set
    for examples in (7_600, 10_003, 12_000, 15_000):
        assert epochs_for(examples) * examples <= PASS_BUDGET
    assert epochs_for(15_000) == 15


def test_never_fewer_than_the_minimum() -> None:
    assert epochs_for(40_000) == MIN_EPOCHS == 15
