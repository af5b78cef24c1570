"""DetectLabels: top-5 accuracy on the shared photos, and latency per image through the
server (boto3 → DetectLabels) against the bare models it runs, in this process: the
classifier (``LabelEngine.classify`` + the taxonomy) and the face detector that gives Person
(``FaceEngine.analyze`` without embeddings); the classifier alone is reported too.

Expected labels: ``bench/data/labels_expected.json`` (written before measuring). A photo is a
top-5 hit when one of its expected labels is among the five most confident labels
(MinConfidence 0). Run: ``python bench/labels.py [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sensorium.models.labels import LabelEngine, load_taxonomy  # noqa: E402
from sensorium.services.rekognition.engine import FaceEngine  # noqa: E402
from tests.conftest import LiveServer  # noqa: E402
from tests.services.rekognition.faces_data import faces_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    expected: dict[str, list[str]] = {
        name: labels
        for name, labels in json.loads(
            (ROOT / "bench/data/labels_expected.json").read_text()
        ).items()
        if not name.startswith("_")
    }
    folder = faces_dir() / "no_face_skimage"
    engine = LabelEngine()
    engine.load("cpu")
    taxonomy = load_taxonomy()
    faces = FaceEngine(None)
    faces.load("cpu")
    classifier: list[float] = []
    bare: list[float] = []
    served: list[float] = []
    rows = []
    hits = 0
    with tempfile.TemporaryDirectory() as scratch:
        server = LiveServer(Path(scratch) / "data", env={"SENSORIUM_SERVICES": "rekognition,s3"})
        server.start().wait_ready()
        try:
            rekognition = server.client("rekognition")
            for name, wanted in expected.items():
                data = (folder / name).read_bytes()
                rgb = np.asarray(Image.open(folder / name).convert("RGB"))
                for _ in range(args.repeats):
                    started = time.perf_counter()
                    taxonomy.score(engine.classify(rgb))
                    classified = time.perf_counter()
                    faces.analyze(rgb, embed=False)
                    classifier.append(classified - started)
                    bare.append(time.perf_counter() - started)
                answer = rekognition.detect_labels(Image={"Bytes": data}, MinConfidence=0)
                for _ in range(args.repeats):
                    started = time.perf_counter()
                    rekognition.detect_labels(Image={"Bytes": data}, MinConfidence=0)
                    served.append(time.perf_counter() - started)
                top = [
                    f"{label['Name']} {label['Confidence']:.0f}" for label in answer["Labels"][:5]
                ]
                hit = any(label["Name"] in wanted for label in answer["Labels"][:5])
                hits += hit
                verdict = "yes" if hit else "no"
                rows.append(f"| {name} | {', '.join(wanted)} | {verdict} | {'; '.join(top)} |")
        finally:
            server.stop()
    print("| photo | expected | top-5 hit | top five labels (confidence %) |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    print(f"\ntop-5 accuracy: {hits}/{len(expected)}")
    print("\n| path | median ms | p90 ms |")
    print("|---|---|---|")
    for what, times in (
        ("classifier + taxonomy", classifier),
        ("bare models (classifier + taxonomy + face detector)", bare),
        ("DetectLabels (boto3 → server)", served),
    ):
        ms = sorted(1000 * t for t in times)
        print(f"| {what} | {statistics.median(ms):.0f} | {ms[int(0.9 * (len(ms) - 1))]:.0f} |")
    ratio = statistics.median(served) / statistics.median(bare)
    print(f"\nserver / bare models (medians): {ratio:.2f}")


if __name__ == "__main__":
    main()
