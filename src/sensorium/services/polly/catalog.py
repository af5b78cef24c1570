"""Polly's voice names and how each resolves to an installed voice.

Polly VoiceIds are an enum in the API, so an installed voice is addressed by a Polly name:
each installed voice is *listed* under the first unclaimed Polly name of its language and
gender, and *any* Polly name resolves to an installed voice of its language (the same
gender when one is installed). ``SENSORIUM_POLLY_VOICE_MAP="Joanna=en_US-joe-medium,..."``
pins names to voices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sensorium.models.tts.voices import VoiceSpec
from sensorium.services.polly.errors import LanguageNotSupportedException

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


@dataclass(frozen=True)
class ListedVoice:
    polly_id: str
    spec: VoiceSpec


def parse_voice_map(text: str) -> dict[str, str]:
    """``"Joanna=en_US-joe-medium,..."`` -> {"Joanna": "en_US-joe-medium"}."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {name.strip(): key.strip() for name, key in pairs}


class VoiceCatalog:
    def __init__(self, installed: Sequence[VoiceSpec], voice_map: str = "") -> None:
        self.installed = list(installed)
        self._by_key = {spec.key: spec for spec in installed}
        self.pinned = {
            name: self._by_key[key]
            for name, key in parse_voice_map(voice_map).items()
            if key in self._by_key
        }
        self.listed = self._assign_names()

    def _assign_names(self) -> list[ListedVoice]:
        listed: list[ListedVoice] = []
        taken: set[str] = set()
        for name, spec in self.pinned.items():
            if spec not in [voice.spec for voice in listed]:
                listed.append(ListedVoice(name, spec))
                taken.add(name)
        order = list(_PREFERRED) + [name for name in POLLY_VOICES if name not in _PREFERRED]
        for spec in self.installed:
            if any(voice.spec == spec for voice in listed):
                continue
            for name in order:
                language, gender = POLLY_VOICES[name]
                if name in taken or language != spec.language:
                    continue
                if spec.gender is None or gender == spec.gender:
                    listed.append(ListedVoice(name, spec))
                    taken.add(name)
                    break
        return listed

    def resolve(self, voice_id: str, language: str | None = None) -> VoiceSpec:
        """The installed voice that speaks for ``voice_id``, or the modelled error."""
        if voice_id in self.pinned:
            return self.pinned[voice_id]
        for voice in self.listed:
            if voice.polly_id == voice_id:
                return voice.spec
        if voice_id not in POLLY_VOICES:
            raise LanguageNotSupportedException(
                f"Voice {voice_id} has no known language; pin it with {MAP_ENV}.",
            )
        wanted, gender = POLLY_VOICES[voice_id]
        wanted = language or wanted
        same_language = [spec for spec in self.installed if spec.language == wanted]
        if not same_language:
            raise LanguageNotSupportedException(
                f"No installed voice speaks {wanted} (asked for {voice_id}). Install a Piper "
                f"voice for {wanted} or pin {voice_id} with {MAP_ENV}.",
            )
        same_gender = [spec for spec in same_language if spec.gender == gender]
        return (same_gender or same_language)[0]
