"""TranscribeAudio: the synchronous operation, through boto3 against a live server."""

from __future__ import annotations

import io
import json
import wave
from typing import Any

import pytest

from sensorium.models.stt.wer import word_errors
from tests.conftest import LiveServer
from tests.models.stt.conftest import speech_clips
from tests.services.transcribe.conftest import put_media, read_uri, unique


def test_bytes_in_transcript_out(transcribe: Any) -> None:
    errors = words = 0
    for clip in speech_clips():
        response = transcribe.transcribe_audio(
            Media={"MediaBytes": clip.path.read_bytes()}, Language="en"
        )["TranscriptResponse"]
        assert response["Metadata"]["LanguageCode"] == "en-US"
        assert response["Metadata"]["MediaFormat"] == "wav"
        clip_errors, clip_words = word_errors(clip.reference, response["Results"]["Transcript"])
        errors, words = errors + clip_errors, words + clip_words
        items = response["Results"]["Items"]
        timed = [item for item in items if "StartTime" in item]
        assert timed, clip.path
        starts = [item["StartTime"] for item in timed]
        assert starts == sorted(starts)
        assert all(0 <= i["StartTime"] <= i["EndTime"] <= clip.duration + 0.05 for i in timed)
        assert [item["Id"] for item in items] == list(range(len(items)))
    assert errors / words <= 0.15


def test_uri_identification_and_output_location(server: LiveServer, transcribe: Any) -> None:
    clip = speech_clips()[0]
    uri = put_media(server, clip.path.read_bytes())
    identified = transcribe.transcribe_audio(
        Media={"MediaFileUri": uri}, LanguageDetectionMode="IDENTIFY_LANGUAGE"
    )["TranscriptResponse"]
    assert identified["Metadata"]["LanguageCode"].startswith("en-")
    target = f"s3://results/{unique('sync')}.json"
    written = transcribe.transcribe_audio(
        Media={"MediaFileUri": uri},
        Language="en",
        OutputConfiguration={"OutputMediaFileUri": target},
    )
    assert written["OutputConfiguration"]["OutputMediaFileUri"] == target
    assert "TranscriptResponse" not in written
    stored = json.loads(read_uri(server, target))
    assert stored["TranscriptResponse"]["Results"]["Transcript"]


def test_phrases_are_applied(transcribe: Any) -> None:
    clip = next(c for c in speech_clips() if c.path.name.endswith("0880.wav"))

    def hear(**kwargs: Any) -> str:
        response = transcribe.transcribe_audio(
            Media={"MediaBytes": clip.path.read_bytes()}, Language="en", **kwargs
        )
        return str(response["TranscriptResponse"]["Results"]["Transcript"]).lower()

    plain = hear()
    helped = hear(VocabularySettings=[{"Language": "en", "Phrases": [{"Text": "ill-disposed"}]}])
    assert "ill disposed" not in plain.replace("-", " ")  # tiny.en mishears it alone
    assert "ill disposed" in helped.replace("-", " ")


def silence(seconds: float) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x00" * int(16000 * seconds))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"Media": {"MediaBytes": silence(0.2)}, "Language": "en"}, "0.5 seconds"),
        ({"Media": {"MediaBytes": b"not audio at all"}, "Language": "en"}, "parse"),
        ({"Media": {"MediaBytes": silence(1.0)}}, "Language"),
        ({"Media": {"MediaBytes": silence(1.0)}, "Language": "fr"}, "fr"),
        ({"Media": {"MediaFileUri": "s3://media/absent.wav"}, "Language": "en"}, "S3 object"),
        (
            {"Media": {"MediaBytes": silence(1.0)}, "Language": "en", "ShowSpeakerLabels": True},
            "speaker labels",
        ),
    ],
)
def test_bad_requests(transcribe: Any, kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(transcribe.exceptions.BadRequestException) as raised:
        transcribe.transcribe_audio(**kwargs)
    assert fragment in raised.value.response["Error"]["Message"]
