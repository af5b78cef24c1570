"""Polly's voice names, the engines that speak each, and how a request resolves to one.

Two engines: ``neural`` is Kokoro-82M, whose voices are listed under the Polly names of
``models/tts/voices.json`` (by language and gender); ``standard`` is Piper: each installed
Piper voice is listed under the first Polly name of its language and gender not yet given
to another Piper voice (``SENSORIUM_POLLY_VOICE_MAP="Joanna=en_US-joe-medium,..."`` pins
names), joining the neural voice of that name when there is one.

Without ``Engine`` a voice speaks with ``standard`` when it has it, else with ``neural``
(AWS defaults to ``standard`` and errs for voices without it; here that would leave most
names mute, so the neural voice speaks). An engine a voice lacks is
``EngineNotSupportedException``. A Polly name that is not listed resolves to a listed voice
of its language, of its gender when there is one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sensorium.models.tts.voices import LANGUAGE_NAMES, VoiceSpec
from sensorium.services.polly.errors import (
    EngineNotSupportedException,
    LanguageNotSupportedException,
)

MAP_ENV = "SENSORIUM_POLLY_VOICE_MAP"

# VoiceId: (language, gender), from Polly's published voice list.
_TABLE = """
Aditi hi-IN F|Amy en-GB F|Astrid sv-SE F|Bianca it-IT F|Brian en-GB M|Camila pt-BR F
Carla it-IT F|Carmen ro-RO F|Celine fr-FR F|Chantal fr-CA F|Conchita es-ES F|Cristiano pt-PT M
Dora is-IS F|Emma en-GB F|Enrique es-ES M|Ewa pl-PL F|Filiz tr-TR F|Gabrielle fr-CA F
Geraint en-GB-WLS M|Giorgio it-IT M|Gwyneth cy-GB F|Hans de-DE M|Ines pt-PT F|Ivy en-US F
Jacek pl-PL M|Jan pl-PL M|Joanna en-US F|Joey en-US M|Justin en-US M|Karl is-IS M
Kendra en-US F|Kevin en-US M|Kimberly en-US F|Lea fr-FR F|Liv nb-NO F|Lotte nl-NL F
Lucia es-ES F|Lupe es-US F|Mads da-DK M|Maja pl-PL F|Marlene de-DE F|Mathieu fr-FR M
Matthew en-US M|Maxim ru-RU M|Mia es-MX F|Miguel es-US M|Mizuki ja-JP F|Naja da-DK F
Nicole en-AU F|Olivia en-AU F|Penelope es-US F|Raveena en-IN F|Ricardo pt-BR M|Ruben nl-NL M
Russell en-AU M|Salli en-US F|Seoyeon ko-KR F|Takumi ja-JP M|Tatyana ru-RU F|Vicki de-DE F
Vitoria pt-BR F|Zeina arb F|Zhiyu cmn-CN F|Aria en-NZ F|Ayanda en-ZA F|Arlet ca-ES F
Hannah de-AT F|Arthur en-GB M|Daniel de-DE M|Liam fr-CA M|Pedro es-US M|Kajal en-IN F
Hiujin yue-CN F|Laura nl-NL F|Elin sv-SE F|Ida nb-NO F|Suvi fi-FI F|Ola pl-PL F
Hala ar-AE F|Andres es-MX M|Sergio es-ES M|Remi fr-FR M|Adriano it-IT M|Thiago pt-BR M
Ruth en-US F|Stephen en-US M|Kazuha ja-JP F|Tomoko ja-JP F|Niamh en-IE F|Sofie da-DK F
Lisa nl-BE F|Isabelle fr-BE F|Zayd ar-AE M|Danielle en-US F|Gregory en-US M|Burcu tr-TR F
Jitka cs-CZ F|Sabrina de-CH F|Jasmine en-SG F|Jihye ko-KR F|Ambre fr-FR F|Beatrice it-IT F
Florian fr-FR M|Lennart de-DE M|Lorenzo it-IT M|Tiffany en-US F|Arjun en-IN M
"""
POLLY_VOICES: dict[str, tuple[str, str]] = {
    name: (language, "Female" if gender == "F" else "Male")
    for entry in _TABLE.replace("\n", "|").split("|")
    if entry.strip()
    for name, language, gender in [entry.split()]
}
# Listing order: the voices Polly's own examples use first.
_PREFERRED = ("Joanna", "Matthew", "Amy", "Brian", "Nicole", "Russell")
ENGINES = ("standard", "neural")  # long-form and generative voices are not served
CATALOGUE = Path(__file__).resolve().parents[2] / "models" / "tts" / "voices.json"


@dataclass(frozen=True)
class NeuralVoice:
    """A Kokoro voice (its style vector's name) and the language it is phonemised in."""

    key: str
    language: str


Target = VoiceSpec | NeuralVoice


@dataclass
class ListedVoice:
    polly_id: str
    name: str
    gender: str | None
    language: str
    engines: dict[str, Target] = field(default_factory=dict)
    additional_languages: tuple[str, ...] = ()

    @property
    def language_name(self) -> str:
        spec = self.engines.get("standard")
        if isinstance(spec, VoiceSpec) and self.language not in LANGUAGE_NAMES:
            return spec.language_name
        return LANGUAGE_NAMES.get(self.language, self.language)

    @property
    def default_engine(self) -> str:
        return "standard" if "standard" in self.engines else next(iter(self.engines))

    @property
    def supported_engines(self) -> list[str]:
        return [engine for engine in ENGINES if engine in self.engines]


@dataclass(frozen=True)
class Resolved:
    engine: str
    target: Target


def neural_voices(path: Path = CATALOGUE) -> list[ListedVoice]:
    """The catalogue's Kokoro voices, as Polly lists them."""
    entries = json.loads(path.read_text(encoding="utf-8"))["voices"]
    return [
        ListedVoice(
            polly_id=entry["Id"],
            name=entry.get("Name", entry["Id"]),
            gender=entry["Gender"],
            language=entry["LanguageCode"],
            engines={"neural": NeuralVoice(entry["neural"], entry["LanguageCode"])},
            additional_languages=tuple(entry.get("AdditionalLanguageCodes", ())),
        )
        for entry in entries
        if "neural" in entry
    ]


def parse_voice_map(text: str) -> dict[str, str]:
    """``"Joanna=en_US-joe-medium,..."`` -> {"Joanna": "en_US-joe-medium"}."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {name.strip(): key.strip() for name, key in pairs}


class VoiceCatalog:
    def __init__(
        self,
        installed: Sequence[VoiceSpec],
        voice_map: str = "",
        neural: Sequence[ListedVoice] = (),
    ) -> None:
        self.installed = list(installed)
        self._by_key = {spec.key: spec for spec in installed}
        self.pinned = {
            name: self._by_key[key]
            for name, key in parse_voice_map(voice_map).items()
            if key in self._by_key
        }
        self.listed = [
            ListedVoice(v.polly_id, v.name, v.gender, v.language, dict(v.engines)) for v in neural
        ]
        self._assign_standard()
        self._by_id = {voice.polly_id: voice for voice in self.listed}

    def _assign_standard(self) -> None:
        by_id = {voice.polly_id: voice for voice in self.listed}
        given: dict[str, VoiceSpec] = dict(self.pinned)
        order = list(_PREFERRED) + [name for name in POLLY_VOICES if name not in _PREFERRED]
        for spec in self.installed:
            if spec in given.values():
                continue
            for name in order:
                language, gender = POLLY_VOICES[name]
                if name in given or language != spec.language:
                    continue
                if spec.gender is None or gender == spec.gender:
                    given[name] = spec
                    break
        for name, spec in given.items():
            voice = by_id.get(name)
            if voice is None:
                voice = ListedVoice(name, name, spec.gender, spec.language)
                by_id[name] = voice
                self.listed.append(voice)
            voice.engines["standard"] = spec

    def resolve(
        self, voice_id: str, engine: str | None = None, language: str | None = None
    ) -> Resolved:
        """The engine and voice that speak for ``voice_id``, or the modelled error."""
        listed = self._by_id.get(voice_id)
        if listed is not None:
            return _speaking(listed, engine)
        if voice_id not in POLLY_VOICES:
            raise LanguageNotSupportedException(
                f"Voice {voice_id} has no known language; pin it with {MAP_ENV}.",
            )
        wanted, gender = POLLY_VOICES[voice_id]
        wanted = language or wanted
        same_language = [voice for voice in self.listed if voice.language == wanted]
        if not same_language:
            raise LanguageNotSupportedException(
                f"No installed voice speaks {wanted} (asked for {voice_id}). Install a Piper "
                f"voice for {wanted} or pin {voice_id} with {MAP_ENV}.",
            )
        ordered = [v for v in same_language if v.gender == gender] + [
            v for v in same_language if v.gender != gender
        ]
        for voice in ordered:
            if engine is None or engine in voice.engines:
                return _speaking(voice, engine)
        raise EngineNotSupportedException(
            f"No {wanted} voice here speaks with the {engine} engine (asked for {voice_id})."
        )


def _speaking(voice: ListedVoice, engine: str | None) -> Resolved:
    chosen = engine or voice.default_engine
    target = voice.engines.get(chosen)
    if target is None:
        raise EngineNotSupportedException(
            f"Voice {voice.polly_id} does not support the {chosen} engine; it supports "
            f"{', '.join(voice.supported_engines)}."
        )
    return Resolved(chosen, target)
