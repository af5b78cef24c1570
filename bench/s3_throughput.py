"""S3 throughput through boto3 against a live Sensorium server, against a plain file copy on
the same disk in the same run; and the small-object request rate against the collections
round trip (``bench/collections_roundtrip.py``) on the same server.

Large objects (1 MiB and 64 MiB of random bytes, from memory): PutObject, and GetObject read
to its end, in MiB/s, each against its limit: ``shutil.copyfile`` of a file of the same size
(for PutObject) and reading that copy back (for GetObject), in the same folder as the server's
data. For 64 MiB also boto3's ``upload_file`` / ``download_file`` (the multipart path: 8 MiB
parts, boto3's default threads), each against ``shutil.copyfile``. Every round measures each
path once (a 1 MiB figure is ``--batch`` transfers), the paths taking turns so that machine
noise falls evenly on all of them; the figures are medians over ``--rounds``.

Small objects: PutObject then GetObject of the same new 1 KiB key, back to back, against
CreateCollection then DescribeCollection (a write and a read of Rekognition's SQLite store),
one client each, sequential, taking turns for ``--seconds`` each per round; medians over
``--small-rounds``. Every call is timed, so PutObject and GetObject also get a rate of their
own.

The server loads Rekognition and S3 only, and the benchmark waits until its models are
loaded (the background preload would compete). The clients are bare boto3 clients (not the
tests' ``LiveServer.client``, which checks every answer against its model) with boto3's
defaults (CRC32 checksums on PutObject, validated on GetObject; over http botocore also
signs the payload's SHA-256): what a boto3 user sees.

    python bench/s3_throughput.py [--rounds 7] [--batch 16] [--seconds 2] [--small-rounds 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.collections_roundtrip import round_trips  # noqa: E402
from tests.conftest import ACCESS_KEY, CREDENTIALS, SECRET_KEY, LiveServer  # noqa: E402

MIB = 1024 * 1024
SIZES = (1 * MIB, 64 * MIB)
SMALL = 1024
BUCKET = "bench-throughput"
PATH_STYLE = Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1})


def plain_client(server: LiveServer, service: str, config: Config | None = None) -> Any:
    """A bare boto3 client of ``server``: ``LiveServer.client`` adds the tests' response
    checks (tests/fidelity.py), client-side work a boto3 user does not do."""
    return boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=config or Config(retries={"total_max_attempts": 1}),
    )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


class Large:
    """One object size: the transfers a round times, and what each measured (MiB/s)."""

    def __init__(self, s3: Any, folder: Path, size: int, batch: int) -> None:
        self.s3 = s3
        self.folder = folder
        self.size = size
        self.count = batch if size < 16 * MIB else 1
        self.data = os.urandom(size)
        self.source = folder / f"source-{size}"
        self.source.write_bytes(self.data)
        self.keys = [f"{size}/{index}" for index in range(self.count)]
        self.copies = [folder / f"copy-{size}-{index}" for index in range(self.count)]
        self.rates: dict[str, list[float]] = {}

    def _record(self, path: str, seconds: float) -> None:
        self.rates.setdefault(path, []).append(self.count * self.size / MIB / seconds)

    def put(self) -> None:
        for key in self.keys:
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=self.data)

    def get(self) -> None:
        for key in self.keys:
            body = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            assert len(body) == self.size

    def copy(self) -> None:
        for copy in self.copies:
            shutil.copyfile(self.source, copy)

    def read_back(self) -> None:
        for copy in self.copies:
            assert len(copy.read_bytes()) == self.size

    def upload_file(self) -> None:
        self.s3.upload_file(str(self.source), BUCKET, "multipart")

    def download_file(self) -> None:
        self.s3.download_file(BUCKET, "multipart", str(self.folder / "downloaded"))

    def paths(self) -> list[tuple[str, Callable[[], None]]]:
        paths = [
            ("copyfile", self.copy),
            ("PutObject", self.put),
            ("read back", self.read_back),
            ("GetObject", self.get),
        ]
        if self.size >= 16 * MIB:
            paths += [("upload_file", self.upload_file), ("download_file", self.download_file)]
        return paths

    def round(self, counted: bool = True) -> None:
        for name, action in self.paths():
            seconds = timed(action)
            if counted:
                self._record(name, seconds)

    def median(self, path: str) -> float:
        return statistics.median(self.rates[path])


def small_round_trips(s3: Any, seconds: float, prefix: str) -> tuple[float, float, float]:
    """PutObject + GetObject of a new 1 KiB key, back to back: (round trips/s, PutObject/s,
    GetObject/s), each call timed on its own."""
    data = os.urandom(SMALL)
    count, putting, getting = 0, 0.0, 0.0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        key = f"small/{prefix}-{count}"
        sent = time.perf_counter()
        s3.put_object(Bucket=BUCKET, Key=key, Body=data)
        put = time.perf_counter()
        s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        putting += put - sent
        getting += time.perf_counter() - put
        count += 1
    return count / (time.perf_counter() - started), count / putting, count / getting


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the large objects")
    parser.add_argument("--batch", type=int, default=16, help="1 MiB transfers per round")
    parser.add_argument("--seconds", type=float, default=2.0, help="per small path per round")
    parser.add_argument("--small-rounds", type=int, default=5)
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        server = LiveServer(
            Path(scratch) / "data",
            env={"SENSORIUM_CREDENTIALS": CREDENTIALS, "SENSORIUM_SERVICES": "rekognition,s3"},
        )
        server.start().wait_ready()
        try:
            s3 = plain_client(server, "s3", PATH_STYLE)
            rekognition = plain_client(server, "rekognition")
            s3.create_bucket(Bucket=BUCKET)
            files = Path(scratch) / "files"
            files.mkdir()
            large = [Large(s3, files, size, args.batch) for size in SIZES]
            for each in large:
                each.round(counted=False)  # warm: connections, the page cache, first calls
            for _ in range(args.rounds):
                for each in large:
                    each.round()
            small_round_trips(s3, 0.5, "warm")
            round_trips(rekognition, 0.5, "warm")
            small: list[tuple[float, float, float]] = []
            collections: list[float] = []
            for rnd in range(args.small_rounds):
                small.append(small_round_trips(s3, args.seconds, f"r{rnd}"))
                collections.append(round_trips(rekognition, args.seconds, f"{rnd}-{uuid.uuid4()}"))
        finally:
            server.stop()
    load_after = os.getloadavg()[0]

    print(
        f"# S3 throughput ({platform.machine()}, {os.cpu_count()} cores, {args.rounds} rounds, "
        f"medians; load average {load_before:.1f} before, {load_after:.1f} after)"
    )
    print()
    print("| object | path | MiB/s (median) | min-max | ratio to its file baseline |")
    print("|---|---|---|---|---|")
    baselines = {
        "copyfile": "copyfile",
        "PutObject": "copyfile",
        "read back": "read back",
        "GetObject": "read back",
        "upload_file": "copyfile",
        "download_file": "copyfile",
    }
    for each in large:
        label = f"{each.size // MIB} MiB" + (f" x {each.count}" if each.count > 1 else "")
        for name, _ in each.paths():
            rates = each.rates[name]
            ratio = each.median(name) / each.median(baselines[name])
            print(
                f"| {label} | {name} | {each.median(name):.0f} | "
                f"{min(rates):.0f}-{max(rates):.0f} | {ratio:.3f} |"
            )
    pairs = statistics.median(rate[0] for rate in small)
    puts = statistics.median(rate[1] for rate in small)
    gets = statistics.median(rate[2] for rate in small)
    baseline = statistics.median(collections)
    print()
    print(f"# Small objects ({SMALL} bytes), {args.small_rounds} rounds of {args.seconds:g} s")
    print()
    print("| path | per second (median) | ratio to collections |")
    print("|---|---|---|")
    print(f"| CreateCollection+DescribeCollection round trips | {baseline:.1f} | 1.00 |")
    print(f"| PutObject+GetObject round trips | {pairs:.1f} | {pairs / baseline:.2f} |")
    print(f"| PutObject requests (vs 2 x collections) | {puts:.1f} | {puts / baseline / 2:.2f} |")
    print(f"| GetObject requests (vs 2 x collections) | {gets:.1f} | {gets / baseline / 2:.2f} |")


if __name__ == "__main__":
    main()
