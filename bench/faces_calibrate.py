"""Fit embedding distance -> Similarity on ../shared/data/faces/pairs.csv.

    PYTHONPATH=src .venv/bin/python bench/faces_calibrate.py [--write]

Embeds the largest face of every image with the default pipeline, computes the Euclidean
distance of each pair, then:

1. ``d80`` = the distance threshold that maximises TAR - FAR (Youden's J) on the pairs,
   placed midway between the two neighbouring observed distances;
2. ``slope``: the logistic ``sigmoid(slope * (d80 - d) + ln 4)`` is pinned to 80 at ``d80``.
   Its class-balanced maximum-likelihood slope is reported, but when the pairs are perfectly
   separable (they are: the MLE runs off to infinity and would make Similarity a step
   function), the slope is instead set so that Similarity reaches 99 at ``d80 - 0.10``
   (``slope = ln(99/4) / 0.10 ~= 32``): higher thresholds then demand clearly closer faces.

Prints TAR/FAR at Similarity thresholds 70/80/90/95/99 (and 75, AssociateFaces' default);
``--write`` saves src/sensorium/models/faces/calibration.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sensorium.models.faces.image import load_image  # noqa: E402
from sensorium.models.faces.pipeline import DEFAULT_DETECTOR, FacePipeline  # noqa: E402
from sensorium.models.faces.similarity import Calibration  # noqa: E402

DATA = (ROOT / ".." / "shared" / "data" / "faces").resolve()
OUT = ROOT / "src" / "sensorium" / "models" / "faces" / "calibration.json"
THRESHOLDS = (70.0, 75.0, 80.0, 90.0, 95.0, 99.0)


def fit_slope(d: np.ndarray, y: np.ndarray, d80: float) -> float:
    w = np.where(y == 1, 0.5 / max(1, int(y.sum())), 0.5 / max(1, int((1 - y).sum())))
    x = d80 - d

    def nll(s: float) -> float:
        z = s * x + math.log(4.0)
        return float(np.sum(w * (np.logaddexp(0, -z) * y + np.logaddexp(0, z) * (1 - y))))

    grid = np.linspace(1.0, 200.0, 1991)
    return float(grid[int(np.argmin([nll(s) for s in grid]))])


SPREAD_TO_99 = 0.10
ANCHORED_SLOPE = math.log(99.0 / 4.0) / SPREAD_TO_99


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--models-dir", default=None, help="default: the configured one")
    args = parser.parse_args()
    if not (DATA / "pairs.csv").is_file():
        print(f"skipped: {DATA}/pairs.csv not found (shared data absent)")
        return 0
    with (DATA / "pairs.csv").open(newline="") as fh:
        pairs = [(r["path_a"], r["path_b"], int(r["same_person"])) for r in csv.DictReader(fh)]
    pipe = FacePipeline(DEFAULT_DETECTOR, models_dir=args.models_dir)
    pipe.load()
    emb: dict[str, np.ndarray | None] = {}
    embed_ms: list[float] = []
    for path in sorted({p for a, b, _ in pairs for p in (a, b)}):
        rgb = load_image((DATA / path).read_bytes()).rgb
        face = pipe.largest_face(rgb)
        emb[path] = None if face is None else face.embedding
        if face is not None:
            shape = pipe.dlib_models.shape(rgb, face.box)  # timing only
            t0 = time.perf_counter()
            pipe.dlib_models.embed(rgb, shape)
            embed_ms.append((time.perf_counter() - t0) * 1000)
    missing = sorted(p for p, e in emb.items() if e is None)
    dist, same = [], []
    for a, b, s in pairs:
        ea, eb = emb[a], emb[b]
        if ea is None or eb is None:
            continue
        dist.append(float(np.linalg.norm(ea.astype(np.float64) - eb.astype(np.float64))))
        same.append(s)
    d, y = np.asarray(dist), np.asarray(same)
    print(
        f"{len(pairs)} pairs, {len(d)} scored ({int(y.sum())} same); images without a face: "
        f"{missing}"
    )
    print(f"embedding: {np.median(embed_ms):.1f} ms/face median over {len(embed_ms)} faces")
    print(
        f"same-person distance: median {np.median(d[y == 1]):.3f}, max {d[y == 1].max():.3f}; "
        f"different: median {np.median(d[y == 0]):.3f}, min {d[y == 0].min():.3f}"
    )

    cuts = np.unique(d)
    best_j, d80 = -1.0, 0.6
    for lo, hi in itertools.pairwise(cuts):
        t = (lo + hi) / 2
        j = float(np.mean(d[y == 1] <= t) - np.mean(d[y == 0] <= t))
        if j > best_j + 1e-12 or (abs(j - best_j) <= 1e-12 and abs(t - 0.6) < abs(d80 - 0.6)):
            best_j, d80 = j, t
    mle = fit_slope(d, y, d80)
    separable = bool(d[y == 1].max() < d[y == 0].min())
    slope = ANCHORED_SLOPE if separable or mle >= 199.0 else mle
    edge = " (at grid edge: diverges)" if mle >= 199 else ""
    print(
        f"class-balanced MLE slope: {mle:.1f}{edge}; "
        f"pairs separable: {separable}; slope used: {slope:.2f}"
    )
    cal = Calibration(d80=round(d80, 4), slope=round(slope, 2), model_version=pipe.model_version)
    sims = np.array([cal.similarity(x) for x in d])
    rates = {}
    print(
        f"\nd80 = {cal.d80}, slope = {cal.slope} (similarity 80 at distance {cal.d80}; "
        f"dlib's customary 0.6 -> {cal.similarity(0.6):.1f})\n"
    )
    print(
        "| Similarity threshold | max distance | TAR (same accepted) | FAR (different accepted) |"
    )
    print("|---|---|---|---|")
    for t in THRESHOLDS:
        tar = float(np.mean(sims[y == 1] >= t))
        far = float(np.mean(sims[y == 0] >= t))
        rates[f"{t:g}"] = {
            "tar": round(tar, 4),
            "far": round(far, 4),
            "max_distance": round(cal.distance_for(t), 4),
        }
        n_ta, n_fa = int((sims[y == 1] >= t).sum()), int((sims[y == 0] >= t).sum())
        n_same, n_diff = int(y.sum()), int((1 - y).sum())
        print(
            f"| {t:g} | {cal.distance_for(t):.3f} | {tar:.1%} ({n_ta}/{n_same}) "
            f"| {far:.1%} ({n_fa}/{n_diff}) |"
        )
    if args.write:
        payload = {
            "model_version": cal.model_version,
            "formula": "similarity = 100 * sigmoid(slope * (d80 - distance) + ln 4)",
            "d80": cal.d80,
            "slope": cal.slope,
            "slope_rule": (
                "pairs perfectly separable, MLE diverges: slope = ln(99/4)/0.10 "
                "(similarity 99 at d80 - 0.10)"
                if slope == ANCHORED_SLOPE
                else "class-balanced MLE"
            ),
            "youden_j": round(best_j, 4),
            "same_distance_max": round(float(d[y == 1].max()), 4),
            "different_distance_min": round(float(d[y == 0].min()), 4),
            "associate_faces_threshold": 75.0,
            "fitted_on": "shared/data/faces/pairs.csv",
            "detector": DEFAULT_DETECTOR,
            "pairs": len(pairs),
            "pairs_scored": len(d),
            "same_pairs": int(y.sum()),
            "date": dt.date.today().isoformat(),
            "rates": rates,
        }
        OUT.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nwrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
