"""CreateCollection + DescribeCollection round trips per second through boto3, against a bare
ASGI endpoint that does nothing, measured in the same run.

The ratio is Sensorium's protocol + SigV4 + storage overhead as a boto3 user sees it.

    python bench/collections_roundtrip.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CREDENTIALS, LiveServer, free_port  # noqa: E402

BARE_APP = textwrap.dedent(
    """
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/x-amz-json-1.1"),
            (b"x-amzn-requestid", b"bare")]})
        await send({"type": "http.response.body", "body": b"{}"})
    """
)


def round_trips(client: Any, seconds: float, prefix: str) -> float:
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        name = f"{prefix}-{count}"
        client.create_collection(CollectionId=name)
        client.describe_collection(CollectionId=name)
        count += 1
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        bare_dir = Path(scratch) / "bare"
        bare_dir.mkdir()
        (bare_dir / "bare_app.py").write_text(BARE_APP)
        bare_port = free_port()
        bare = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bare_app:app",
                "--port",
                str(bare_port),
                "--log-level",
                "warning",
            ],
            cwd=bare_dir,
        )
        server = LiveServer(Path(scratch) / "data", env={"SENSORIUM_CREDENTIALS": CREDENTIALS})
        server.start()
        try:
            time.sleep(1)
            bare_client = LiveServer(Path(scratch), port=bare_port).client("rekognition")
            ours = server.client("rekognition")
            # Interleave to spread machine noise evenly over both.
            bare_rates, our_rates = [], []
            for rnd in range(3):
                bare_rates.append(round_trips(bare_client, args.seconds / 3, f"b{rnd}"))
                our_rates.append(round_trips(ours, args.seconds / 3, f"s{rnd}"))
        finally:
            server.stop()
            bare.terminate()
            bare.wait()

    bare_rate = sum(bare_rates) / len(bare_rates)
    our_rate = sum(our_rates) / len(our_rates)
    print(
        f"# CreateCollection+DescribeCollection round trips ({platform.machine()}, "
        f"{os.cpu_count()} cores, {args.seconds:.0f} s)"
    )
    print("| endpoint | round trips/s | ratio to bare |")
    print("|---|---|---|")
    print(f"| bare ASGI (no work) | {bare_rate:.1f} | 1.00 |")
    print(
        f"| Sensorium (SigV4 + protocol + SQLite) | {our_rate:.1f} | {our_rate / bare_rate:.2f} |"
    )


if __name__ == "__main__":
    main()
