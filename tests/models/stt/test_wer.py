from __future__ import annotations

from sensorium.models.stt.wer import normalise, spell_number, word_error_rate


def test_numbers_are_spelled_on_both_sides() -> None:
    assert word_error_rate("go forward ten meters", "Go forward 10 meters.") == 0
    assert spell_number(1234) == "one thousand two hundred thirty four"
    assert normalise("1,000") == ["one", "thousand"]


def test_abbreviations_hyphens_and_case() -> None:
    assert word_error_rate("and mister john", "And Mr. John") == 0
    assert word_error_rate("ill disposed", "ill-disposed") == 0


def test_errors_are_counted() -> None:
    assert word_error_rate("a b c d", "a x c") == 0.5
    assert word_error_rate("a b", "") == 1.0
    assert word_error_rate("", "") == 0.0
