"""The hostile requests that once exhausted the server, timed: status, time to the answer's
first byte, time to its last, and the server's RSS after each (loopback, models warm).

    python bench/bad_input.py
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import ACCESS_KEY, SECRET_KEY, SHARED_DATA, LiveServer  # noqa: E402
from tests.hostile_media import image_bytes, silent_flac  # noqa: E402

JSON_11 = "application/x-amz-json-1.1"


class Sender:
    def __init__(self, server: LiveServer) -> None:
        self.server = server

    def send(
        self,
        service: str,
        path: str,
        body: bytes,
        headers: dict[str, str],
        token: str | None = None,
    ) -> tuple[int, float, float]:
        """(status, seconds to the first byte, seconds to the last)."""
        url = f"{self.server.endpoint}{path}"
        request = AWSRequest(method="POST", url=url, data=body, headers=headers)
        credentials = Credentials(ACCESS_KEY, SECRET_KEY, token)
        SigV4Auth(credentials, service, "us-east-1").add_auth(request)
        started = time.perf_counter()
        with httpx.stream(
            "POST", url, content=body, headers=dict(request.headers), timeout=300
        ) as response:
            first = time.perf_counter() - started
            for _ in response.iter_bytes():
                pass
        return response.status_code, first, time.perf_counter() - started

    def json11(
        self, service: str, target: str, payload: bytes, **extra: str
    ) -> Callable[[], tuple[int, float, float]]:
        headers = {"Content-Type": JSON_11, "X-Amz-Target": target}
        return lambda: self.send(service, "/", payload, headers, **extra)

    def polly(self, **params: object) -> Callable[[], tuple[int, float, float]]:
        body = json.dumps({"OutputFormat": "pcm", "VoiceId": "Joanna", **params}).encode()
        return lambda: self.send("polly", "/v1/speech", body, {"Content-Type": "application/json"})

    def lex_audio(self, audio: bytes) -> Callable[[], tuple[int, float, float]]:
        path = "/bots/MISSINGBOT/botAliases/TSTALIASID/botLocales/en_US/sessions/s-1/utterance"
        headers = {"Content-Type": "audio/x-flac", "Accept": "text/plain; charset=utf-8"}
        return lambda: self.send("lex", path, audio, headers)


def cases(sender: Sender) -> dict[str, Callable[[], tuple[int, float, float]]]:
    photo = base64.b64encode(image_bytes(9000, 9000, "PNG")).decode()
    two_hours = silent_flac(7200)
    sentiment = "Comprehend_20171127.DetectSentiment"
    return {
        "SynthesizeSpeech 3,000 digits": sender.polly(Text="9" * 3000),
        "SynthesizeSpeech a 300-digit number": sender.polly(Text="1" * 300),
        "SynthesizeSpeech 500 unpunctuated words": sender.polly(Text=" ".join(["word"] * 500)),
        "SynthesizeSpeech prosody 20% nested 3 deep": sender.polly(
            TextType="ssml",
            Text="<speak>"
            + '<prosody rate="20%">' * 3
            + "hello there " * 20
            + "</prosody>" * 3
            + "</speak>",
        ),
        "SynthesizeSpeech 300 x 10 s breaks": sender.polly(
            TextType="ssml", Text="<speak>" + '<break time="10s"/>' * 300 + "hi</speak>"
        ),
        "RecognizeUtterance 2 h FLAC, missing bot": sender.lex_audio(two_hours),
        "TranscribeAudio 2 h FLAC": sender.json11(
            "transcribe",
            "Transcribe.TranscribeAudio",
            json.dumps(
                {"Media": {"MediaBytes": base64.b64encode(two_hours).decode()}, "Language": "en"}
            ).encode(),
        ),
        "DetectFaces PNG 9000 x 9000": sender.json11(
            "rekognition",
            "RekognitionService.DetectFaces",
            json.dumps({"Image": {"Bytes": photo}}).encode(),
        ),
        "DetectSentiment lone surrogate": sender.json11(
            "comprehend", sentiment, b'{"Text": "\\ud800", "LanguageCode": "en"}'
        ),
        "DetectSentiment JSON nested 10,000 deep": sender.json11(
            "comprehend",
            sentiment,
            b'{"Text": ' + b"[" * 10000 + b"]" * 10000 + b', "LanguageCode": "en"}',
        ),
        "DetectSentiment forged session token": sender.json11(
            "comprehend", sentiment, b'{"Text": "fine", "LanguageCode": "en"}', token="forged"
        ),
        "RecognizeUtterance gzip bomb session header": lambda: sender.send(
            "lex",
            "/bots/MISSINGBOT/botAliases/TSTALIASID/botLocales/en_US/sessions/s-1/utterance",
            b"hi",
            {
                "Content-Type": "text/plain; charset=utf-8",
                "x-amz-lex-session-state": base64.b64encode(
                    gzip.compress(b"[" * 2_000_000)
                ).decode(),
            },
        ),
    }


def rss_mb(server: LiveServer) -> float:
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        server = LiveServer(Path(scratch) / "data").start().wait_ready()
        try:
            sender = Sender(server)
            clip = (
                SHARED_DATA
                / "speech"
                / "librivox"
                / "sense_and_sensibility_01_austen_64kb-0880.wav"
            )
            warm = {
                "warm DetectFaces": sender.json11(
                    "rekognition",
                    "RekognitionService.DetectFaces",
                    json.dumps(
                        {
                            "Image": {
                                "Bytes": base64.b64encode(
                                    (
                                        SHARED_DATA
                                        / "faces"
                                        / "face_recognition"
                                        / "examples"
                                        / "obama.jpg"
                                    ).read_bytes()
                                ).decode()
                            }
                        }
                    ).encode(),
                ),
                "warm SynthesizeSpeech": sender.polly(Text=" ".join(["warm"] * 60)),
                "warm TranscribeAudio": sender.json11(
                    "transcribe",
                    "Transcribe.TranscribeAudio",
                    json.dumps(
                        {
                            "Media": {"MediaBytes": base64.b64encode(clip.read_bytes()).decode()},
                            "Language": "en",
                        }
                    ).encode(),
                ),
            }
            for call in warm.values():
                call()
            print("| request | status | first byte s | last byte s | server RSS MB after |")
            print("|---|---|---|---|---|")
            print(f"| (models warm) | | | | {rss_mb(server):.0f} |")
            for name, call in cases(sender).items():
                status, first, last = call()
                print(
                    f"| {name} | {status} | {first:.2f} | {last:.2f} | {rss_mb(server):.0f} |",
                    flush=True,
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
