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
VISEMES = {phoneme: viseme for viseme, phonemes in _CLASSES.items() for phoneme in phonemes}


def viseme(phoneme: str) -> str | None:
    return VISEMES.get(phoneme)
