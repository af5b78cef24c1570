"""SynthesizeSpeech and DescribeVoices through boto3 against a live server."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from tests.services.polly.conftest import decode, marks, pcm_seconds, samples, speak

SENTENCE = "The quick brown fox jumps over the lazy dog."


def test_describe_voices_lists_the_installed_voice(polly: Any) -> None:
    voices = polly.describe_voices(Engine="standard")["Voices"]
    assert voices, "the packaged joe voice should be installed"
    joe = next(voice for voice in voices if voice["Id"] == "Matthew")  # Piper's Joe
    assert joe["LanguageCode"] == "en-US"
    assert joe["LanguageName"] == "US English"
    assert joe["Gender"] == "Male"
    assert "standard" in joe["SupportedEngines"]
    assert polly.describe_voices(LanguageCode="de-DE")["Voices"] == []
    assert polly.describe_voices(LanguageCode="en-US", Engine="neural")["Voices"]


@pytest.mark.parametrize(
    ("output_format", "rate"),
    [("mp3", "24000"), ("mp3", "16000"), ("ogg_vorbis", "22050"), ("ogg_vorbis", "8000")],
)
def test_encoded_formats_decode_at_the_requested_rate(
    polly: Any, output_format: str, rate: str
) -> None:
    response = polly.synthesize_speech(
        Text=SENTENCE, VoiceId="Matthew", OutputFormat=output_format, SampleRate=rate
    )
    assert (
        response["ContentType"] == {"mp3": "audio/mpeg", "ogg_vorbis": "audio/ogg"}[output_format]
    )
    assert response["RequestCharacters"] == len(SENTENCE)
    decoded_rate, seconds = decode(response["AudioStream"].read())
    assert decoded_rate == int(rate)
    assert 1.5 < seconds < 5.0


@pytest.mark.parametrize("rate", [8000, 16000])
def test_pcm_is_16_bit_mono_at_the_rate(polly: Any, rate: int) -> None:
    response = polly.synthesize_speech(
        Text=SENTENCE, VoiceId="Joanna", OutputFormat="pcm", SampleRate=str(rate)
    )
    assert response["ContentType"] == "audio/pcm"
    data = response["AudioStream"].read()
    assert len(data) % 2 == 0
    assert 1.5 < pcm_seconds(data, rate) < 5.0
    assert np.abs(samples(data)).max() > 0.3  # speech, not silence


def test_same_input_same_bytes(polly: Any) -> None:
    first = speak(polly, SENTENCE, OutputFormat="mp3")
    assert speak(polly, SENTENCE, OutputFormat="mp3") == first
    assert speak(polly, SENTENCE) == speak(polly, SENTENCE)


def test_break_adds_its_time(polly: Any) -> None:
    plain = speak(polly, "<speak><s>Hello there.</s><s>How are you?</s></speak>", TextType="ssml")
    paused = speak(
        polly,
        '<speak><s>Hello there.</s><break time="2s"/><s>How are you?</s></speak>',
        TextType="ssml",
    )
    assert pcm_seconds(paused) - pcm_seconds(plain) == pytest.approx(2.0, abs=0.3)


def test_slow_prosody_is_markedly_longer(polly: Any) -> None:
    normal = speak(polly, f"<speak>{SENTENCE}</speak>", TextType="ssml")
    slow = speak(polly, f'<speak><prosody rate="50%">{SENTENCE}</prosody></speak>', TextType="ssml")
    assert pcm_seconds(slow) > 1.6 * pcm_seconds(normal)


def test_say_as_characters_spells(polly: Any) -> None:
    # Piper's pace; Kokoro runs spelled letters together (1.26 times as long), tested apart.
    piper = {"TextType": "ssml", "VoiceId": "Matthew", "Engine": "standard"}
    word = marks(polly, "<speak>NASA</speak>", ["word"], **piper)
    spelled = marks(
        polly,
        '<speak><say-as interpret-as="characters">NASA</say-as></speak>',
        ["viseme"],
        **piper,
    )
    whole = marks(polly, "<speak>NASA</speak>", ["viseme"], **piper)
    assert len(word) == 1
    assert spelled[-1]["time"] > 1.5 * whole[-1]["time"]  # four letters take longer


def test_word_marks_one_per_word_in_order(polly: Any) -> None:
    text = "Mary had a little lamb. Its fleece was white as snow."
    found = marks(polly, text, ["word", "sentence"])
    words = [mark for mark in found if mark["type"] == "word"]
    sentences = [mark for mark in found if mark["type"] == "sentence"]
    expected = text.replace(".", "").split()
    assert [mark["value"] for mark in words] == expected
    data = text.encode()
    assert all(data[m["start"] : m["end"]].decode() == m["value"] for m in words)
    times = [mark["time"] for mark in words]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert times[-1] < pcm_seconds(speak(polly, text)) * 1000
    assert len(sentences) == 2 and sentences[1]["time"] > times[4]


def test_speech_marks_are_compact_json_lines_as_polly_writes_them(polly: Any) -> None:
    # {"time":0,"type":"word",...}: client code splits these lines on whitespace.
    lines = speak(polly, "Café au lait.", OutputFormat="json", SpeechMarkTypes=["word"])
    found = lines.decode().splitlines()
    assert found and all(" " not in line.split('"value":')[0] for line in found)
    compact = [
        json.dumps(json.loads(line), separators=(",", ":"), ensure_ascii=False) for line in found
    ]
    assert found == compact


def test_word_marks_offsets_are_bytes_for_non_ascii(polly: Any) -> None:
    text = "Zoë ate crème brûlée in München."
    words = marks(polly, text, ["word"])
    assert [mark["value"] for mark in words] == ["Zoë", "ate", "crème", "brûlée", "in", "München"]
    data = text.encode()
    assert all(data[m["start"] : m["end"]].decode() == m["value"] for m in words)


def test_ssml_marks_and_offsets(polly: Any) -> None:
    document = '<speak>Hello <mark name="here"/>big &amp; bold world.</speak>'
    found = marks(polly, document, ["ssml", "word"], TextType="ssml")
    ssml = [mark for mark in found if mark["type"] == "ssml"]
    assert [mark["value"] for mark in ssml] == ["here"]
    words = {mark["value"]: mark for mark in found if mark["type"] == "word"}
    assert document.encode()[words["world"]["start"] : words["world"]["end"]] == b"world"
    assert words["Hello"]["time"] < ssml[0]["time"] <= words["big"]["time"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"Text": ""}, "ValidationException"),
        ({"Text": "   "}, "ValidationException"),
        ({"VoiceId": "Hans"}, "LanguageNotSupportedException"),
        ({"VoiceId": "Nobody"}, "ValidationException"),
        ({"Text": "<speak>Hi <break></speak>", "TextType": "ssml"}, "InvalidSsmlException"),
        ({"Text": "x" * 3001}, "TextLengthExceededException"),
        ({"SampleRate": "44100"}, "InvalidSampleRateException"),
        ({"OutputFormat": "mp3", "SampleRate": "12345"}, "InvalidSampleRateException"),
        (
            {"OutputFormat": "mp3", "SpeechMarkTypes": ["word"]},
            "MarksNotSupportedForFormatException",
        ),
        (
            {"OutputFormat": "json", "SpeechMarkTypes": ["ssml"]},
            "SsmlMarksNotSupportedForTextTypeException",
        ),
        ({"LexiconNames": ["missing"]}, "LexiconNotFoundException"),
    ],
)
def test_bad_input_gets_the_modelled_error(polly: Any, kwargs: dict[str, Any], error: str) -> None:
    args = {"Text": "Hello.", "VoiceId": "Joanna", "OutputFormat": "pcm", **kwargs}
    with pytest.raises(polly.exceptions.ClientError) as raised:
        polly.synthesize_speech(**args)["AudioStream"].read()
    assert raised.value.response["Error"]["Code"] == error


def test_invalid_ssml_says_where(polly: Any) -> None:
    with pytest.raises(polly.exceptions.InvalidSsmlException) as raised:
        polly.synthesize_speech(
            Text="<speak>one\n<prosody rate='fast'>two</speak>",
            TextType="ssml",
            VoiceId="Joanna",
            OutputFormat="pcm",
        )
    assert "line 2" in raised.value.response["Error"]["Message"]
