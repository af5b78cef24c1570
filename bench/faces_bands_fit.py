"""Fit the per-band Similarity calibration (``quality_cells`` in the faces calibration.json)
from the pairs ``bench/faces_quality.py --dump`` writes.

Each face gets the band the server gives it (``sensorium.models.faces.bands``), each pair
the cell of its two bands; in each cell ``d80`` is the largest distance at which at most
0.5 % of the cell's impostor pairs score 80 (never more lenient than the good-good ``d80``,
nor than a better cell). TAR and FAR at 80 are reported before (one ``d80``) and after.

    python bench/faces_quality.py --dump /tmp/faces_quality/pairs.csv
    python bench/faces_bands_fit.py /tmp/faces_quality/pairs.csv [--write]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sensorium.models.faces.bands import (  # noqa: E402
    FAIR_SHARPNESS,
    FAIR_WIDTH_PX,
    FAIR_YAW,
    POOR_SHARPNESS,
    POOR_WIDTH_PX,
    POOR_YAW,
    Band,
    pair_cell,
)

CALIBRATION = ROOT / "src" / "sensorium" / "models" / "faces" / "calibration.json"
MAX_FAR = 0.005
CELLS = ("good-good", "good-fair", "good-poor", "fair-fair", "fair-poor", "poor-poor")


def band(width: float, sharpness: float, yaw: float) -> Band:
    """``bands.band_of`` on the measurements the dump records."""
    if sharpness < POOR_SHARPNESS or width < POOR_WIDTH_PX or abs(yaw) >= POOR_YAW:
        return Band.POOR
    if sharpness < FAIR_SHARPNESS or width < FAIR_WIDTH_PX or abs(yaw) >= FAIR_YAW:
        return Band.FAIR
    return Band.GOOD


Cells = dict[str, tuple[list[float], list[float]]]


def is_video(row: dict[str, str]) -> bool:
    return "video" in (row["condition_a"], row["condition_b"])


def cells_of(path: Path, keep: Callable[[dict[str, str]], bool] = lambda row: True) -> Cells:
    """Per cell: (genuine distances, impostor distances) of the pairs ``keep`` keeps."""
    found: Cells = {cell: ([], []) for cell in CELLS}
    with path.open() as handle:
        for row in csv.DictReader(handle):
            if not keep(row):
                continue
            a = band(float(row["box_width_a"]), float(row["sharpness_a"]), float(row["yaw_a"]))
            b = band(float(row["box_width_b"]), float(row["sharpness_b"]), float(row["yaw_b"]))
            genuine, impostor = found[pair_cell(a, b)]
            (genuine if row["same_person"] == "1" else impostor).append(float(row["distance"]))
    return found


def fit(found: Cells, d80: float) -> dict[str, float]:
    fitted: dict[str, float] = {}
    for cell in CELLS:
        impostor = sorted(found[cell][1])
        allowed = int(MAX_FAR * len(impostor))  # impostors that may score 80
        limit = impostor[allowed] - 1e-4 if len(impostor) > allowed else d80
        better = [fitted[c] for c in CELLS[: CELLS.index(cell)] if _no_better(c, cell)]
        fitted[cell] = round(min([d80, limit, *better]), 4)
    return fitted


def _no_better(earlier: str, cell: str) -> bool:
    """Whether ``earlier`` is at least as good in both faces as ``cell`` (so ``cell`` must
    not be more lenient)."""
    order = [band.value for band in Band]
    e, c = earlier.split("-"), cell.split("-")
    return all(order.index(x) <= order.index(y) for x, y in zip(e, c, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--write", action="store_true", help="update calibration.json")
    args = parser.parse_args()
    calibration = json.loads(CALIBRATION.read_text())
    d80 = float(calibration["d80"])
    found = cells_of(args.pairs)
    fitted = fit(found, d80)
    rates: dict[str, dict[str, float | int]] = {}
    print("| cell | genuine | impostor | d80 | TAR@80 before | FAR@80 before | TAR@80 | FAR@80 |")
    print("|---|---|---|---|---|---|---|---|")
    for cell in CELLS:
        genuine, impostor = found[cell]
        t = fitted[cell]
        row = {
            "genuine": len(genuine),
            "impostor": len(impostor),
            "tar_before": _rate(genuine, d80),
            "far_before": _rate(impostor, d80),
            "tar": _rate(genuine, t),
            "far": _rate(impostor, t),
        }
        rates[cell] = row
        print(
            f"| {cell} | {len(genuine)} | {len(impostor)} | {t:.4f} | "
            f"{row['tar_before']:.1%} | {row['far_before']:.2%} | {row['tar']:.1%} | "
            f"{row['far']:.2%} |"
        )
    print("\nHeld out: fitted on the stills, tested on the video, and the other way round")
    print("| fitted on | tested on | cell | d80 | genuine | TAR@80 | impostor | FAR@80 |")
    print("|---|---|---|---|---|---|---|---|")
    for name, train in (("stills", lambda r: not is_video(r)), ("video", is_video)):
        fitted_part = fit(cells_of(args.pairs, train), d80)
        tested = cells_of(args.pairs, lambda r, train=train: not train(r))  # type: ignore[misc]
        other = "video" if name == "stills" else "stills"
        for cell in CELLS:
            genuine, impostor = tested[cell]
            t = fitted_part[cell]
            print(
                f"| {name} | {other} | {cell} | {t:.4f} | {len(genuine)} | "
                f"{_rate(genuine, t):.1%} | {len(impostor)} | {_rate(impostor, t):.2%} |"
            )
    if args.write:
        calibration["quality_cells"] = {
            "rule": "bands.py: POOR below sharpness 10, width 28 px or at |yaw| >= 45; FAIR "
            "below sharpness 30, width 48 px or at |yaw| >= 25; a pair's cell is its two bands",
            "fit": f"per cell, the largest d80 at which <= {MAX_FAR:.1%} of its impostor pairs "
            "score 80, never more lenient than a better cell",
            "fitted_on": "bench/faces_quality.py --dump (shared/data faces, degraded copies, "
            "video frames)",
            "date": dt.date.today().isoformat(),
            "d80": fitted,
            "rates_at_80": rates,
        }
        CALIBRATION.write_text(json.dumps(calibration, indent=2) + "\n")
        print(f"wrote {CALIBRATION}")


def _rate(distances: list[float], d80: float) -> float:
    return sum(d <= d80 for d in distances) / len(distances) if distances else 0.0


if __name__ == "__main__":
    main()
