# ruff: noqa: RUF001
"""IPA phonemes to Polly's viseme classes."""

from __future__ import annotations

_CLASSES = {
    "p": "pbm",
    "f": "fv",
    "T": "θð",
    "t": "tdnlɾɫ",
    "S": "ʃʒʧʤ",
    "s": "sz",
    "k": "kɡgŋhxj",
    "r": "ɹr",
    "i": "iɪ",
    "u": "uʊw",
    "@": "əɚʌɐ",
    "a": "aɑæ",
    "e": "e",
    "E": "ɛɜ",
    "o": "o",
    "O": "ɔɒ",
}
# Kokoro's (misaki's) own symbols: a diphthong shows its first vowel; T is the flap, ᵊ a
# reduced schwa, ᵻ a reduced i. espeak-ng's IPA never uses these capitals.
_MISAKI = {"A": "e", "I": "a", "O": "o", "Q": "o", "W": "a", "Y": "O", "T": "t", "ᵊ": "@", "ᵻ": "i"}
VISEMES = {
    phoneme: viseme for viseme, phonemes in _CLASSES.items() for phoneme in phonemes
} | _MISAKI


def viseme(phoneme: str) -> str | None:
    return VISEMES.get(phoneme)
