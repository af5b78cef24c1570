"""A corpus of hostile and malformed input: every case gets AWS's 4xx, never a 5xx, the
server stays up, and its memory stays bounded."""

from __future__ import annotations

import base64
import gzip
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import (
    ACCESS_KEY,
    OTHER_ACCESS_KEY,
    OTHER_SECRET_KEY,
    SECRET_KEY,
    LiveServer,
    shared_data,
)
from tests.hostile_media import image_bytes, silent_flac

JSON_11 = "application/x-amz-json-1.1"
MAX_GROWTH_MB = 1024


def signed(
    server: LiveServer,
    service: str,
    target: str,
    body: bytes,
    *,
    content_type: str = JSON_11,
    token: str | None = None,
) -> httpx.Response:
    headers = {"Content-Type": content_type, "X-Amz-Target": target}
    request = AWSRequest(method="POST", url=f"{server.endpoint}/", data=body, headers=headers)
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, token), service, "us-east-1").add_auth(request)
    return httpx.post(f"{server.endpoint}/", content=body, headers=dict(request.headers))


def code_of(response: httpx.Response) -> str:
    assert response.headers["x-amzn-requestid"]
    return str(response.json()["__type"])


def refused(call: Any, **params: Any) -> tuple[int, str]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    error = raised.value.response
    return int(error["ResponseMetadata"]["HTTPStatusCode"]), str(error["Error"]["Code"])


def rss_mb(server: LiveServer) -> float:
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return (
        int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
        / 1024
    )


@pytest.fixture(scope="module")
def loaded(database: str, server: LiveServer) -> Iterator[LiveServer]:
    """The shared server with its models loaded and run once (their first run allocates
    working memory they keep), its memory measured before and after the corpus."""
    server.wait_ready()
    photo = shared_data("faces", "face_recognition", "examples", "obama.jpg").read_bytes()
    clip = shared_data("speech", "librivox", "sense_and_sensibility_01_austen_64kb-0880.wav")
    server.client("rekognition").detect_faces(Image={"Bytes": photo})
    server.client("transcribe").transcribe_audio(
        Media={"MediaBytes": clip.read_bytes()}, Language="en"
    )
    speech = server.client("polly").synthesize_speech(
        Text=" ".join(["warm"] * 60), VoiceId="Joanna", OutputFormat="pcm"
    )
    speech["AudioStream"].read()
    before = rss_mb(server)
    yield server
    assert httpx.get(f"{server.endpoint}/health").status_code == 200
    assert rss_mb(server) - before < MAX_GROWTH_MB


# Text and bodies


@pytest.mark.parametrize(
    ("service", "target", "body"),
    [
        ("comprehend", "Comprehend_20171127.DetectSentiment",
         b'{"Text": "\\ud800 hello", "LanguageCode": "en"}'),
        ("rekognition", "RekognitionService.IndexFaces",
         b'{"CollectionId": "c", "Image": {"Bytes": "aGk="}, "ExternalImageId": "\\udfff"}'),
        ("comprehend", "Comprehend_20171127.DetectSentiment",
         b'{"Text": ' + b"[" * 10000 + b"]" * 10000 + b', "LanguageCode": "en"}'),
        ("comprehend", "Comprehend_20171127.DetectSentiment", b'{"Text": "unterminated'),
        ("comprehend", "Comprehend_20171127.DetectSentiment", b"[1, 2, 3]"),
    ],
    ids=["lone-surrogate", "surrogate-in-id", "nested-10000", "truncated-json", "not-an-object"],
)  # fmt: skip
def test_malformed_json_is_a_serialization_error(
    loaded: LiveServer, service: str, target: str, body: bytes
) -> None:
    response = signed(loaded, service, target, body)
    assert response.status_code == 400
    assert code_of(response) == "SerializationException"


def test_polly_text_with_a_lone_surrogate(loaded: LiveServer) -> None:
    body = json.dumps({"Text": "\ud800", "OutputFormat": "mp3", "VoiceId": "Joanna"}).encode()
    request = AWSRequest(
        method="POST",
        url=f"{loaded.endpoint}/v1/speech",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "polly", "us-east-1").add_auth(request)
    response = httpx.post(request.url, content=body, headers=dict(request.headers))
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\xfd", b"\x81" * 100_000 + b"\x00", b"\xa1\x64Text"],
    ids=["garbage", "nested-100000", "truncated-map"],
)
def test_malformed_cbor_is_a_serialization_error(loaded: LiveServer, body: bytes) -> None:
    target = "Comprehend_20171127.DetectSentiment"
    request = AWSRequest(
        method="POST",
        url=f"{loaded.endpoint}/service/Comprehend_20171127/operation/DetectSentiment",
        data=body,
        headers={"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"},
    )
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "comprehend", "us-east-1").add_auth(request)
    response = httpx.post(request.url, content=body, headers=dict(request.headers))
    assert response.status_code == 400, target


def test_a_session_token_on_a_key_that_has_none_is_refused(loaded: LiveServer) -> None:
    body = b'{"Text": "fine", "LanguageCode": "en"}'
    target = "Comprehend_20171127.DetectSentiment"
    response = signed(loaded, "comprehend", target, body, token="forged")
    assert response.status_code == 403
    assert code_of(response) == "UnrecognizedClientException"


def test_a_body_cut_short_times_out(tmp_path: Path) -> None:
    server = LiveServer(
        tmp_path / "data",
        env={"SENSORIUM_SERVICES": "comprehend", "SENSORIUM_BODY_IDLE_SECONDS": "1"},
    ).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port)) as connection:
            connection.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                b'X-Amz-Target: Comprehend_20171127.DetectSentiment\r\n\r\n{"Text"'
            )
            connection.settimeout(30)
            answer = connection.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408")
        assert b"RequestTimeoutException" in answer
        assert "Traceback" not in server.log()
    finally:
        server.stop()


# Images


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "InvalidImageFormatException"),
        (np.random.default_rng(0).bytes(50_000), "InvalidImageFormatException"),
        (image_bytes(12_000, 200, "PNG"), "ImageTooLargeException"),
        (image_bytes(9_000, 9_000, "PNG"), "ImageTooLargeException"),
        (image_bytes(40, 40, "PNG"), "InvalidParameterException"),
    ],
    ids=["truncated-png", "random", "too-wide", "png-past-pixel-budget", "too-small"],
)
def test_bad_images(loaded: LiveServer, data: bytes, expected: str) -> None:
    rekognition = loaded.client("rekognition")
    assert refused(rekognition.detect_faces, Image={"Bytes": data}) == (400, expected)


def test_a_huge_jpeg_is_decoded_at_a_reduced_scale(loaded: LiveServer) -> None:
    faces = loaded.client("rekognition").detect_faces(
        Image={"Bytes": image_bytes(9_000, 9_000, "JPEG")}
    )
    assert faces["FaceDetails"] == []


# Speech


def test_transcribe_audio_refuses_two_hours_before_decoding(loaded: LiveServer) -> None:
    transcribe = loaded.client("transcribe")
    status, code = refused(
        transcribe.transcribe_audio, Media={"MediaBytes": silent_flac(7200)}, Language="en"
    )
    assert (status, code) == (400, "BadRequestException")


def test_speech_to_a_missing_bot_and_too_much_of_it(loaded: LiveServer) -> None:
    runtime = loaded.client("lexv2-runtime")
    where = {"botId": "MISSINGBOT", "botAliasId": "TSTALIASID", "localeId": "en_US"}
    assert refused(
        runtime.recognize_utterance,
        **where,
        sessionId="session-1",
        requestContentType="audio/x-flac",
        inputStream=silent_flac(7200),
    ) == (404, "ResourceNotFoundException")
    bomb = base64.b64encode(gzip.compress(b"[" * 2_000_000)).decode()
    assert (
        refused(
            runtime.recognize_utterance,
            **where,
            sessionId="session-1",
            requestContentType="text/plain; charset=utf-8",
            inputStream=b"hi",
            sessionState=bomb,
        )[0]
        == 400
    )


def test_polly_bounds_what_one_request_may_cost(loaded: LiveServer) -> None:
    polly = loaded.client("polly")
    breaks = "<speak>" + '<break time="10s"/>' * 300 + "hi</speak>"
    assert refused(
        polly.synthesize_speech, Text=breaks, TextType="ssml", VoiceId="Joanna", OutputFormat="mp3"
    ) == (400, "InvalidSsmlException")
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        "<speak>&lol3;</speak>"
    )
    assert refused(
        polly.synthesize_speech, Text=laughs, TextType="ssml", VoiceId="Joanna", OutputFormat="mp3"
    ) == (400, "InvalidSsmlException")
    lexicon = laughs.replace("<speak>&lol3;</speak>", "<lexicon>&lol3;</lexicon>")
    assert refused(polly.put_lexicon, Name="bomb", Content=lexicon) == (
        400,
        "InvalidLexiconException",
    )
    digits = polly.synthesize_speech(Text="9" * 300, VoiceId="Joanna", OutputFormat="pcm")
    assert len(digits["AudioStream"].read()) > 0


# Accounts


def test_text_with_a_nul_character_is_refused_on_every_backend(
    database: str, server: LiveServer
) -> None:
    """PostgreSQL stores no U+0000: no backend does, and the client is told so."""
    lex = server.client("lexv2-models")
    bot = {
        "roleArn": "arn:aws:iam::123456789012:role/lex",
        "dataPrivacy": {"childDirected": False},
        "idleSessionTTLInSeconds": 300,
    }
    assert refused(lex.create_bot, botName="Nul", description="a\x00b", **bot) == (
        400,
        "ValidationException",
    )
    literal = "backslash \\u0000 typed out"  # the six characters, not the character
    created = lex.create_bot(botName="NotNul", description=literal, **bot)
    assert lex.describe_bot(botId=created["botId"])["description"] == literal
    lex.delete_bot(botId=created["botId"])


def test_one_account_cannot_use_another_accounts_bucket(loaded: LiveServer) -> None:
    clip = shared_data("speech", "librivox", "sense_and_sensibility_01_austen_64kb-0880.wav")
    folder = loaded.data_dir / "s3" / "first-account-media"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "clip.wav").write_bytes(clip.read_bytes())
    mine = loaded.client("transcribe")
    theirs = loaded.client("transcribe", access_key=OTHER_ACCESS_KEY, secret_key=OTHER_SECRET_KEY)
    uri = "s3://first-account-media/clip.wav"
    assert mine.transcribe_audio(Media={"MediaFileUri": uri}, Language="en")["TranscriptResponse"]
    assert refused(theirs.transcribe_audio, Media={"MediaFileUri": uri}, Language="en") == (
        400,
        "BadRequestException",
    )
    assert refused(
        theirs.start_transcription_job,
        TranscriptionJobName="sneaky",
        LanguageCode="en-US",
        Media={"MediaFileUri": "s3://elsewhere/x.wav"},
        OutputBucketName="first-account-media",
    ) == (400, "BadRequestException")
