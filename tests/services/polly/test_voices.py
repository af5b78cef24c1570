# ruff: noqa: RUF001, RUF003
"""The voice catalogue: DescribeVoices, engines, and the neural (Kokoro) voices through boto3."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest

from tests.services.polly.conftest import decode, marks, pcm_seconds, samples, speak
from tests.services.polly.test_lexicons import pls
from tests.services.polly.test_roundtrip import _words, whisper, word_errors

__all__ = ["whisper"]  # the module-scoped recogniser fixture, shared

US = {"Joanna", "Salli", "Kendra", "Kimberly", "Ivy", "Matthew", "Joey", "Justin"}
GB = {"Amy", "Emma", "Brian", "Arthur"}
MALE = {"Matthew", "Joey", "Justin", "Brian", "Arthur"}
TOMATO = "<lexeme><grapheme>tomato</grapheme><phoneme>təˈmeɪtoʊ</phoneme></lexeme>"
SENTENCE = "She paid $42 for two tickets to Boston on Monday."
HEARD = [
    "she",
    "paid",
    "forty",
    "two",
    "dollars",
    "for",
    "two",
    "tickets",
    "to",
    "boston",
    "on",
    "monday",
]


def test_describe_voices_lists_the_catalogue(polly: Any) -> None:
    voices = {voice["Id"]: voice for voice in polly.describe_voices()["Voices"]}
    assert set(voices) >= US | GB
    for voice_id in US | GB:
        voice = voices[voice_id]
        assert voice["Name"] == voice_id
        assert voice["LanguageCode"] == ("en-US" if voice_id in US else "en-GB")
        assert voice["LanguageName"] == ("US English" if voice_id in US else "British English")
        assert voice["Gender"] == ("Male" if voice_id in MALE else "Female")
        assert "neural" in voice["SupportedEngines"]
    assert voices["Matthew"]["SupportedEngines"] == ["standard", "neural"]
    assert voices["Joanna"]["SupportedEngines"] == ["neural"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"LanguageCode": "en-GB"}, GB),
        ({"LanguageCode": "en-GB", "Engine": "neural"}, GB),
        ({"Engine": "standard"}, {"Matthew"}),
        ({"LanguageCode": "es-ES"}, {"Lucia", "Enrique"}),
        ({"LanguageCode": "de-DE"}, set()),
        ({"Engine": "long-form"}, set()),
    ],
)
def test_describe_voices_filters(polly: Any, filters: dict[str, str], expected: set[str]) -> None:
    assert {voice["Id"] for voice in polly.describe_voices(**filters)["Voices"]} == expected


@pytest.mark.parametrize(
    ("voice_id", "engine"),
    [("Joanna", "standard"), ("Amy", "generative"), ("Matthew", "long-form")],
)
def test_an_engine_the_voice_lacks_is_refused(polly: Any, voice_id: str, engine: str) -> None:
    with pytest.raises(polly.exceptions.EngineNotSupportedException):
        speak(polly, "Hello.", VoiceId=voice_id, Engine=engine)


def test_without_engine_a_voice_speaks_standard_when_it_has_it(polly: Any) -> None:
    standard = speak(polly, "Hello.", VoiceId="Matthew", OutputFormat="mp3")
    neural = speak(polly, "Hello.", VoiceId="Matthew", OutputFormat="mp3", Engine="neural")
    # Polly's default mp3 rates: 22050 Hz for standard voices, 24000 Hz for neural ones.
    assert decode(standard)[0] == 22050
    assert decode(neural)[0] == 24000


@pytest.mark.parametrize(
    ("voice_id", "output_format"), [("Joanna", "mp3"), ("Amy", "ogg_vorbis"), ("Brian", "pcm")]
)
def test_neural_voices_are_understood(
    polly: Any, whisper: Any, voice_id: str, output_format: str
) -> None:
    data = speak(
        polly, SENTENCE, VoiceId=voice_id, Engine="neural", OutputFormat=output_format,
        SampleRate="16000",
    )  # fmt: skip
    audio: Any = samples(data) if output_format == "pcm" else io.BytesIO(data)
    segments, _ = whisper.transcribe(audio, language="en", beam_size=1, temperature=0.0)
    heard = _words(" ".join(segment.text for segment in segments))
    assert word_errors(HEARD, heard) <= 1, heard


def test_neural_speech_marks_follow_the_models_durations(polly: Any) -> None:
    text = "Mary had a little lamb. Its fleece was white as snow."
    found = marks(polly, text, ["sentence", "word", "viseme"], VoiceId="Amy")
    words = [mark for mark in found if mark["type"] == "word"]
    assert [mark["value"] for mark in words] == text.replace(".", "").split()
    times = [mark["time"] for mark in words]
    assert times == sorted(times) and len(set(times)) == len(times)
    visemes = [mark for mark in found if mark["type"] == "viseme"]
    assert {"p", "t"} <= {mark["value"] for mark in visemes}  # "Mary", "little"
    _, seconds = decode(speak(polly, text, VoiceId="Amy", OutputFormat="mp3"))
    assert times[-1] < seconds * 1000
    standard = marks(polly, text, ["word"], VoiceId="Matthew", Engine="standard")
    assert [mark["time"] for mark in standard] != times  # another model, other durations


def test_a_spanish_voice_speaks_through_espeak_phonemes(polly: Any) -> None:
    # The packaged Whisper is English-only, so this checks speech, not what it says.
    text = "Buenos días, me llamo Lucía y vivo en Madrid."
    data = speak(polly, text, VoiceId="Lucia")
    assert 1.5 < pcm_seconds(data) < 6.0
    assert samples(data).std() > 0.05
    found = marks(polly, text, ["word"], VoiceId="Lucia")
    assert [mark["value"] for mark in found] == text.replace(",", "").replace(".", "").split()


def test_a_british_voice_speaks_british_ipa_as_its_dictionary_does(polly: Any) -> None:
    # misaki's gb_gold "tomato" (təmˈɑːtQ) written as IPA: the same phonemes, the same audio.
    british = '<speak><phoneme alphabet="ipa" ph="təmˈɑːtəʊ">tomato</phoneme></speak>'
    american = '<speak><phoneme alphabet="ipa" ph="təmˈeɪtoʊ">tomato</phoneme></speak>'
    plain = speak(polly, "tomato", VoiceId="Amy")
    assert speak(polly, british, VoiceId="Amy", TextType="ssml") == plain
    assert speak(polly, american, VoiceId="Amy", TextType="ssml") != plain
    found = marks(polly, british, ["word", "viseme"], VoiceId="Amy", TextType="ssml")
    assert [mark["value"] for mark in found if mark["type"] == "word"] == ["tomato"]
    assert {"t", "p", "a", "o"} <= {mark["value"] for mark in found if mark["type"] == "viseme"}


def test_a_british_lexicon_applies_to_a_british_voice(polly: Any) -> None:
    name = f"gb{uuid.uuid4().hex[:8]}"
    polly.put_lexicon(Name=name, Content=pls(TOMATO, language="en-GB"))
    text = "I like tomato soup."
    plain = speak(polly, text, VoiceId="Amy")
    changed = speak(polly, text, VoiceId="Amy", LexiconNames=[name])
    assert changed != plain
    words = marks(polly, text, ["word"], VoiceId="Amy", LexiconNames=[name])
    assert [mark["value"] for mark in words] == ["I", "like", "tomato", "soup"]
    polly.delete_lexicon(Name=name)
