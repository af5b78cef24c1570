"""Resident memory of a node per service: a fresh process builds the components with one
service (or all), loads every model it registers, and reports its RSS. For sizing API nodes
and Ray job workers (docs/deployment.md).

    python bench/node_memory.py [--services rekognition,polly,...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALL = "rekognition,polly,transcribe,comprehend,lex,forecast"

MEASURE = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    def rss_mb():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    from sensorium.config import Settings
    from sensorium.server.app import build_components

    base = rss_mb()
    settings = Settings(data_dir=Path(sys.argv[1]), services=sys.argv[2])
    components = build_components(settings)
    built = rss_mb()
    components.models.preload()
    print(f"{base:.0f} {built:.0f} {rss_mb():.0f}")
    """
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", default=ALL, help="each measured alone, then all")
    args = parser.parse_args()
    names = [*args.services.split(","), ALL]
    print("| services | interpreter MB | components built MB | models loaded MB |")
    print("|---|---|---|---|")
    for services in names:
        with tempfile.TemporaryDirectory() as data:
            out = subprocess.run(
                [sys.executable, "-c", MEASURE, data, services],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            ).stdout.split()
        label = "all six" if services == ALL else services
        print(f"| {label} | {out[0]} | {out[1]} | {out[2]} |")


if __name__ == "__main__":
    main()
