# ruff: noqa: RUF001
"""Normalisation, SSML parsing and word alignment, without a voice."""

from __future__ import annotations

import pytest

from sensorium.models.tts import normalize, plan, ssml
from sensorium.models.tts.align import word_starts


@pytest.mark.parametrize(
    ("token", "before", "expected"),
    [
        ("$3.50", None, "three dollars and fifty cents"),
        ("€1,200", None, "one thousand two hundred euros"),
        ("50%", None, "fifty percent"),
        ("21st", None, "twenty-first"),
        ("2024-01-05", None, "January fifth, twenty twenty-four"),
        ("3:30pm", None, "three thirty P M"),
        ("7:00", None, "seven o'clock"),
        ("5", "January", "fifth"),
        ("1984", None, "nineteen eighty-four"),
        ("1,234", None, "one thousand two hundred thirty-four"),
        ("Dr.", None, "doctor"),
        ("1990s", None, "nineteen nineties"),
        ("5km", None, "five kilometers"),
    ],
)
def test_spoken(token: str, before: str | None, expected: str) -> None:
    assert normalize.spoken(token, before) == expected


def test_say_as() -> None:
    assert normalize.say_as("ABC", "characters") == "ay B C"
    assert normalize.say_as("123", "digits") == "one two three"
    assert normalize.say_as("555-1234", "telephone") == "five five five, one two three four"
    assert (
        normalize.say_as("12/25/2024", "date", "mdy") == "December twenty-fifth, twenty twenty-four"
    )


def test_sentences_keep_abbreviations_together() -> None:
    sentences = plan.build([plan.plain_run("Dr. Smith is in. He left at 5 p.m. today.")])
    assert sentences[0].text == "Dr. Smith is in"
    assert len(sentences) >= 2


def test_ssml_offsets_point_into_the_document() -> None:
    document = "<speak>Héllo &amp; <sub alias='x'>W3C</sub> bye.</speak>"
    events, billed = ssml.parse(document)
    words = plan.build(events)[0].words
    data = document.encode()
    assert data[words[0].start : words[0].end].decode() == "Héllo"
    assert data[words[2].start : words[2].end] == b"W3C"
    assert words[2].spoken == "x"
    assert billed > 0


@pytest.mark.parametrize(
    "document",
    ["<speak>open", "plain", "<speak><break time='soon'/></speak>", "<speak><mark/></speak>"],
)
def test_bad_ssml(document: str) -> None:
    with pytest.raises(ssml.SsmlError, match="line"):
        ssml.parse(document)


def test_word_starts_survive_merged_words() -> None:
    phrase = list("aɪ wɛnt ɪnðə haʊs")
    words = [list("aɪ"), list("wɛnt"), list("ɪn"), list("ðə"), list("haʊs")]
    assert word_starts(phrase, words) == [0, 3, 8, 10, 13]


# Bounded cost: what one request can make the normaliser, the aligner and the plan do.


def test_long_numbers_are_read_digit_by_digit() -> None:
    assert normalize.spoken("123456789012345").startswith("one hundred twenty-three trillion")
    assert normalize.spoken("9" * 3000).split() == ["nine"] * 3000
    assert normalize.spoken("ID1234567890123456") == (
        "ID one two three four five six seven eight nine zero one two three four five six"
    )
    assert normalize.say_as("1" * 40, "cardinal").split() == ["one"] * 40


def test_nested_prosody_stays_within_polly_rates() -> None:
    slow = '<prosody rate="20%">' * 3 + "slow" + "</prosody>" * 3
    fast = '<prosody rate="x-fast">' * 3 + "fast" + "</prosody>" * 3
    events, _ = ssml.parse(f"<speak>{slow} {fast}</speak>")
    rates = [event.style.rate for event in events if isinstance(event, plan.Run)]
    assert rates == [ssml.MIN_RATE, ssml.MAX_RATE]


def test_document_type_declarations_are_refused() -> None:
    with pytest.raises(ssml.SsmlError, match="document type"):
        ssml.parse('<!DOCTYPE x [<!ENTITY a "b">]><speak>&a;</speak>')


def test_long_alignments_are_approximated_not_quadratic() -> None:
    word = ["n", "a", "ɪ", "n", " "]
    words = [word] * 2000  # 10,000 phonemes a side: 10^8 cells if aligned exactly
    starts = word_starts(word * 2000, words)
    assert starts[:3] == [0, 5, 10] and starts == sorted(starts)


def test_a_plan_knows_its_length_before_any_audio() -> None:
    sentences = plan.build([plan.plain_run("one two three four five six")])
    speech, pauses = plan.estimated_seconds(sentences)
    assert 1 < speech < 4 and pauses == 0
    events, _ = ssml.parse('<speak>hi <break time="10s"/><break time="10s"/></speak>')
    assert plan.estimated_seconds(plan.build(events))[1] == 20
