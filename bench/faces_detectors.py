"""Compare the face detectors on the shared photos (../shared/data/faces/manifest.csv).

    PYTHONPATH=src .venv/bin/python bench/faces_detectors.py [--models-dir DIR]

Per detector configuration: recall (found faces, capped at the expected count per photo,
over expected faces), false positives on the no-face photos, extra faces on photos with a
known count (multiface.jpg 6, two_people.jpg 2, single portraits 1; ``2+`` photos, which may
show background people, count no extras), and mean ms per image (2-core CPU, one thread of
work at a time). Byte-identical duplicates in the manifest are counted once.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sensorium.models.faces.detector import FaceDetector  # noqa: E402
from sensorium.models.faces.dlib_hog import DlibHogDetector  # noqa: E402
from sensorium.models.faces.dlib_models import DlibFaceModels  # noqa: E402
from sensorium.models.faces.image import load_image  # noqa: E402
from sensorium.models.faces.mtcnn import MtcnnDetector  # noqa: E402

DATA = (ROOT / ".." / "shared" / "data" / "faces").resolve()


@dataclass
class Row:
    path: str
    expected: int
    at_least: bool


@dataclass
class Result:
    name: str
    expected: int = 0
    found: int = 0
    fp_noface: int = 0
    noface_images_with_fp: int = 0
    extra: int = 0
    ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)


def read_manifest() -> list[Row]:
    rows: list[Row] = []
    seen: set[str] = set()
    with (DATA / "manifest.csv").open(newline="") as fh:
        for rec in csv.DictReader(fh):
            if rec["sha1"] in seen:
                continue
            seen.add(rec["sha1"])
            raw = rec["expected_faces"].strip()
            rows.append(Row(rec["path"], int(raw.rstrip("+")), raw.endswith("+")))
    return rows


def evaluate(
    name: str, detector: FaceDetector, rows: list[Row], images: dict[str, object]
) -> Result:
    detector.load()
    detector.detect(images[rows[0].path])  # type: ignore[arg-type]  # warm-up
    res = Result(name)
    for row in rows:
        rgb = images[row.path]
        t0 = time.perf_counter()
        n = len(detector.detect(rgb))  # type: ignore[arg-type]
        res.ms.append((time.perf_counter() - t0) * 1000)
        if row.expected == 0:
            res.fp_noface += n
            res.noface_images_with_fp += n > 0
            if n:
                res.extras.append(f"{row.path} (+{n})")
            continue
        res.expected += row.expected
        res.found += min(n, row.expected)
        if n < row.expected:
            res.misses.append(f"{row.path} ({n}/{row.expected})")
        if n > row.expected and not row.at_least:
            res.extra += n - row.expected
            res.extras.append(f"{row.path} (+{n - row.expected})")
    return res


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models-dir", default=None, help="default: the configured one")
    parser.add_argument("--details", action="store_true", help="list misses and extras")
    args = parser.parse_args()
    if not (DATA / "manifest.csv").is_file():
        print(f"skipped: {DATA}/manifest.csv not found (shared data absent)")
        return 0
    rows = read_manifest()
    images = {r.path: load_image((DATA / r.path).read_bytes()).rgb for r in rows}
    dlib_models = DlibFaceModels()
    configs: list[tuple[str, FaceDetector]] = [
        (
            "mtcnn t=.6/.7/.7 min20",
            MtcnnDetector(models_dir=args.models_dir, thresholds=(0.6, 0.7, 0.7)),
        ),
        ("mtcnn t=.6/.7/.9 min20", MtcnnDetector(models_dir=args.models_dir)),
        ("mtcnn t=.6/.7/.9 min40", MtcnnDetector(models_dir=args.models_dir, min_face_size=40)),
        (
            "mtcnn t=.6/.7/.95 min20",
            MtcnnDetector(models_dir=args.models_dir, thresholds=(0.6, 0.7, 0.95)),
        ),
        ("dlib_hog up=1 thr=0", DlibHogDetector(dlib_models)),
        ("dlib_hog up=1 thr=0.3", DlibHogDetector(dlib_models, threshold=0.3)),
        ("dlib_hog up=0 thr=0", DlibHogDetector(dlib_models, upsample=0)),
    ]
    n_noface = sum(r.expected == 0 for r in rows)
    print(
        f"{len(rows)} distinct photos, {sum(r.expected for r in rows)} expected faces, "
        f"{n_noface} without faces\n"
    )
    print(
        "| detector | recall | FP on no-face photos (photos) | extra faces on counted photos "
        "| ms/image median | ms/image mean | ms/image max |"
    )
    print("|---|---|---|---|---|---|---|")
    results = []
    for name, det in configs:
        r = evaluate(name, det, rows, images)  # type: ignore[arg-type]
        results.append(r)
        print(
            f"| {name} | {r.found}/{r.expected} = {100 * r.found / r.expected:.1f}% "
            f"| {r.fp_noface} ({r.noface_images_with_fp}/{n_noface}) | {r.extra} "
            f"| {statistics.median(r.ms):.0f} | {sum(r.ms) / len(r.ms):.0f} | {max(r.ms):.0f} |",
            flush=True,
        )
    if args.details:
        for r in results:
            print(f"\n{r.name}\n  misses: {r.misses}\n  extras: {r.extras}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
