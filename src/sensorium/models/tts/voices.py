"""Finding installed Piper voices: packages named ``*_piper_voice`` or folders of models.

A voice is an ``.onnx`` model next to its ``.onnx.json`` config. Packages are found by name
(any importable top-level package ending in ``piper_voice``), folders by path.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sensorium.models.registry import package_dir

PACKAGE_SUFFIX = "piper_voice"

# Piper configs do not record the speaker's gender; these are the published datasets'.
KNOWN_GENDERS = {
    "joe": "Male",
    "lessac": "Female",
    "amy": "Female",
    "ryan": "Male",
    "kristin": "Female",
    "kathleen": "Female",
    "john": "Male",
    "norman": "Male",
    "bryce": "Male",
    "danny": "Male",
    "kusal": "Male",
    "alan": "Male",
    "alba": "Female",
    "jenny_dioco": "Female",
    "northern_english_male": "Male",
    "southern_english_female": "Female",
    "thorsten": "Male",
    "eva_k": "Female",
    "kerstin": "Female",
    "siwis": "Female",
    "gilles": "Male",
}

LANGUAGE_NAMES = {
    "en-US": "US English",
    "en-GB": "British English",
    "en-AU": "Australian English",
    "en-IN": "Indian English",
    "en-IE": "Irish English",
    "en-NZ": "New Zealand English",
    "en-ZA": "South African English",
    "de-DE": "German",
    "de-AT": "Austrian German",
    "de-CH": "Swiss Standard German",
    "fr-FR": "French",
    "fr-CA": "Canadian French",
    "fr-BE": "Belgian French",
    "es-ES": "Castilian Spanish",
    "es-MX": "Mexican Spanish",
    "es-US": "US Spanish",
    "it-IT": "Italian",
    "nl-NL": "Dutch",
    "nl-BE": "Belgian Dutch",
    "pt-BR": "Brazilian Portuguese",
    "pt-PT": "Portuguese",
    "pl-PL": "Polish",
    "ru-RU": "Russian",
    "sv-SE": "Swedish",
    "da-DK": "Danish",
    "nb-NO": "Norwegian",
    "fi-FI": "Finnish",
    "is-IS": "Icelandic",
    "tr-TR": "Turkish",
    "ro-RO": "Romanian",
    "cs-CZ": "Czech",
    "cy-GB": "Welsh",
    "ca-ES": "Catalan",
}


@dataclass(frozen=True)
class VoiceSpec:
    """One installed voice."""

    key: str  # the model file's stem, e.g. "en_US-joe-medium"
    name: str  # the speaker, e.g. "Joe"
    language: str  # BCP-47 as Polly writes it, e.g. "en-US"
    language_name: str
    gender: str | None
    sample_rate: int
    model_path: Path
    config_path: Path


def read_voice(model_path: Path) -> VoiceSpec:
    config_path = model_path.with_name(model_path.name + ".json")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    key = model_path.name.removesuffix(".onnx")
    parts = key.split("-")
    speaker = str(config.get("dataset") or (parts[1] if len(parts) > 1 else key))
    code = config.get("language", {}).get("code") or parts[0]
    language = str(code).replace("_", "-")
    gender = config.get("gender") or KNOWN_GENDERS.get(speaker.lower())
    return VoiceSpec(
        key=key,
        name=speaker.replace("_", " ").title(),
        language=language,
        language_name=LANGUAGE_NAMES.get(language, _language_name(config, language)),
        gender=str(gender).title() if gender else None,
        sample_rate=int(config["audio"]["sample_rate"]),
        model_path=model_path,
        config_path=config_path,
    )


def _language_name(config: dict[str, object], language: str) -> str:
    info = config.get("language")
    if isinstance(info, dict) and info.get("name_english"):
        return f"{info['name_english']} ({info.get('country_english', '')})".replace(" ()", "")
    return language


def voices_in(folder: Path) -> list[VoiceSpec]:
    models = sorted(folder.rglob("*.onnx"))
    return [read_voice(path) for path in models if path.with_name(path.name + ".json").is_file()]


def voice_packages() -> list[str]:
    names = importlib.metadata.packages_distributions()
    return sorted(name for name in names if name.endswith(PACKAGE_SUFFIX))


def discover(folders: Sequence[Path] = ()) -> list[VoiceSpec]:
    """Every installed voice, packages first, then folders; the first of a key wins."""
    found: dict[str, VoiceSpec] = {}
    for voice in _all(folders):
        found.setdefault(voice.key, voice)
    return list(found.values())


def _all(folders: Sequence[Path]) -> Iterable[VoiceSpec]:
    for package in voice_packages():
        try:
            yield from voices_in(package_dir(package))
        except FileNotFoundError:
            continue
    for folder in folders:
        if folder.is_dir():
            yield from voices_in(folder)
