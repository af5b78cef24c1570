"""Load on the heavy operations: 1, 4, 16 and 64 concurrent clients, on loopback.

For each operation and client count, every client sends requests for a fixed time; a request
the server refuses (its retryable throttling error) is retried after botocore's standard
backoff (a random wait up to 2^n seconds, n the attempts so far). Reported per row:

* throughput as a ratio to one client (same run);
* p50 and p99 latency of the accepted requests as the server saw them: its access log's
  ``service_ms``, from the request's last byte in to its response's last byte out, queueing
  included;
* p99 as the clients saw it. The clients share the two cores with the server and run at the
  lowest priority (nice 19), so their view includes waiting for CPU behind it (and their
  own uploads, slowed the same way): the server's view is the one the targets are about;
* the share of attempts refused, 5xx answers, and the server's RSS before the load, right
  after it and after 10 s idle.

Then a check that boto3's own standard retry mode completes every request of a 64-client
burst.

    python bench/load.py [--seconds 20] [--clients 1,4,16,64] [--operations faces,polly,...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import SHARED_DATA, LiveServer  # noqa: E402

THROTTLED = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "LimitExceededException",
    "TooManyRequestsException",
}
Call = Callable[[Any], object]


@dataclass
class Tally:
    accepted: list[float] = field(default_factory=list)
    refused: int = 0
    server_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


OPERATION = {
    "faces": "SearchFacesByImage",
    "polly": "SynthesizeSpeech",
    "sentiment": "DetectSentiment",
    "transcribe": "TranscribeAudio",
}


def served(log: Path, offset: int, operation: str) -> list[float]:
    """Seconds each accepted ``operation`` took, from the server's log after ``offset``."""
    with log.open("rb") as lines:
        lines.seek(offset)
        found = []
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("operation") == operation and entry.get("status") == 200:
                found.append(entry["service_ms"] / 1000)
    return found


def operations(server: LiveServer) -> dict[str, tuple[str, Call]]:
    faces = SHARED_DATA / "faces" / "face_recognition" / "examples"
    photo = (faces / "obama.jpg").read_bytes()
    probe = (faces / "obama2.jpg").read_bytes()
    rekognition = server.client("rekognition")
    rekognition.create_collection(CollectionId="load")
    rekognition.index_faces(CollectionId="load", Image={"Bytes": photo}, ExternalImageId="o")
    clip = SHARED_DATA / "speech" / "librivox" / "sense_and_sensibility_01_austen_64kb-0880.wav"
    audio = clip.read_bytes()
    sentence = "The quick brown fox jumps over the lazy dog, and then it rests in the shade."
    return {
        "faces": (
            "rekognition",
            lambda c: c.search_faces_by_image(CollectionId="load", Image={"Bytes": probe}),
        ),
        "polly": (
            "polly",
            lambda c: c.synthesize_speech(Text=sentence, VoiceId="Joanna", OutputFormat="mp3")[
                "AudioStream"
            ].read(),
        ),
        "sentiment": (
            "comprehend",
            lambda c: c.detect_sentiment(Text=sentence, LanguageCode="en"),
        ),
        "transcribe": (
            "transcribe",
            lambda c: c.transcribe_audio(Media={"MediaBytes": audio}, Language="en"),
        ),
    }


def run(server: LiveServer, service: str, call: Call, clients: int, seconds: float) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds

    def client_loop() -> None:
        client = server.client(service, config=Config(retries={"max_attempts": 1}))
        failures = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                call(client)
            except ClientError as error:
                code = error.response["Error"]["Code"]
                status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                with tally.lock:
                    if code in THROTTLED:
                        tally.refused += 1
                    elif status >= 500:
                        tally.server_errors += 1
                failures += 1
                time.sleep(random.random() * min(20.0, 2.0 ** (failures - 1)))
                continue
            elapsed = time.perf_counter() - started
            failures = 0
            with tally.lock:
                tally.accepted.append(elapsed)

    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(client_loop) for _ in range(clients)]:
            future.result()
    return tally


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def burst_with_boto3_retries(server: LiveServer, service: str, call: Call, clients: int) -> str:
    """Every client sends one request with boto3's standard retry mode: do all complete?"""
    config = Config(retries={"mode": "standard", "max_attempts": 10})

    def one() -> bool:
        try:
            call(server.client(service, config=config))
        except ClientError:
            return False
        return True

    with ThreadPoolExecutor(clients) as pool:
        done = list(pool.map(lambda _: one(), range(clients)))
    return f"{sum(done)}/{clients}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", default="1,4,16,64")
    parser.add_argument("--operations", default="faces,polly,sentiment,transcribe")
    args = parser.parse_args()
    counts = [int(n) for n in args.clients.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        server = LiveServer(Path(scratch) / "data").start().wait_ready()
        assert server.process is not None
        pid = server.process.pid
        assert server.log_path is not None
        log = server.log_path
        os.nice(19)  # the clients, not the server (started above, at normal priority)
        try:
            table = operations(server)
            print(f"# load ({platform.machine()}, {os.cpu_count()} cores, {args.seconds:g} s/row)")
            print()
            print(
                "| operation | clients | throughput ratio | server p50 / p99 ms | p99 ratio | "
                "client p99 ms (ratio) | refused | 5xx | RSS MB before / after / idle |"
            )
            print("|---|---|---|---|---|---|---|---|---|")
            for name in args.operations.split(","):
                service, call = table[name]
                call(server.client(service))  # warm
                base_rate = base_p99 = base_client = float("nan")
                for clients in counts:
                    before = rss_mb(pid)
                    offset = log.stat().st_size
                    tally = run(server, service, call, clients, args.seconds)
                    after = rss_mb(pid)
                    time.sleep(10)
                    idle = rss_mb(pid)
                    times = served(log, offset, OPERATION[name])
                    rate = len(times) / args.seconds
                    p99 = percentile(times, 0.99)
                    client = percentile(tally.accepted, 0.99)
                    if clients == counts[0]:
                        base_rate, base_p99, base_client = rate, p99, client
                    attempts = len(tally.accepted) + tally.refused
                    print(
                        f"| {name} | {clients} | {rate / base_rate:.2f} | "
                        f"{statistics.median(times) * 1000:.0f} / {p99 * 1000:.0f} | "
                        f"{p99 / base_p99:.2f} | "
                        f"{client * 1000:.0f} ({client / base_client:.1f}) | "
                        f"{tally.refused / max(attempts, 1):.0%} | {tally.server_errors} | "
                        f"{before:.0f} / {after:.0f} / {idle:.0f} |",
                        flush=True,
                    )
                completed = burst_with_boto3_retries(server, service, call, max(counts))
                print(
                    f"| {name} | {max(counts)} (boto3 standard retries) | completed {completed} |"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
