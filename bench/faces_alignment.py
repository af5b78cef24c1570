"""Align dlib's face chip with dlib's 5 points (production) or with MTCNN's landmarks?

    .venv/bin/python bench/faces_alignment.py [--out /tmp/faces_alignment] [--limit N]

Reuses ``bench/faces_quality.py`` as it is: its cached measurements (``/tmp/faces_quality``),
its labelled faces, its pairs and its bands. The production ("dlib-aligned") embedding is the
cached one: dlib's 5-point shape predictor on ``dlib_style_box(MTCNN box)``, then dlib's
ResNet on the chip dlib aligns from those points. For the "MTCNN-aligned" embedding each
image is re-encoded exactly as the quality bench encodes it and re-detected (MTCNN's five
landmarks are not in that cache; the boxes must match the cached ones), and dlib's 5 points
are *predicted* from MTCNN's landmarks:

* fit: on the clean frontal faces (width >= 80, |yaw| < 25, sharpness >= 40), a template
  ``M`` of MTCNN's 5 landmarks (generalised Procrustes mean, eye midpoint at 0, eye distance
  1, eyes horizontal) and the mean ``D`` of dlib's 5 points carried into that frame by the
  least-squares similarity that takes each face's MTCNN landmarks onto ``M``;
* apply: the least-squares similarity taking ``M`` onto a face's MTCNN landmarks, applied to
  ``D``, rounded to pixels -> ``dlib.full_object_detection`` -> the same ResNet.

Scored on the quality bench's pairs (same faces, same pairs): TAR/FAR at distance 0.5825
(Similarity 80), at the distance giving FAR <= 0.5 % over all pairs of the mode (per
alignment), and the EER, per band; then hybrids (MTCNN alignment only where the two landmark
sets disagree by more than X eye distances, or where |yaw| >= 25).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import faces_quality as fq
from sensorium.models.faces import load_calibration, load_image
from sensorium.models.faces.dlib_models import dlib_rect
from sensorium.models.faces.pipeline import dlib_style_box
from sensorium.models.faces.types import FaceAnalysis

FloatArray = npt.NDArray[np.float64]
ComplexArray = npt.NDArray[np.complex128]

D80 = 0.5825  # production calibration: distance at Similarity 80
TARGET_FAR = 0.005
HYBRID_X = (0.05, 0.08, 0.1, 0.15, 0.2, 0.3)


# Similarity transforms on complex numbers: w = a * z + b (a = scale * rotation)


def fit_similarity(z: ComplexArray, w: ComplexArray) -> tuple[complex, complex]:
    """Least-squares ``a, b`` with ``a * z + b ~ w`` (no reflection)."""
    zc, wc = z - z.mean(), w - w.mean()
    a = complex(np.sum(wc * np.conj(zc)) / max(float(np.sum(np.abs(zc) ** 2)), 1e-12))
    return a, complex(w.mean() - a * z.mean())


def as_complex(points: Sequence[Sequence[float]]) -> ComplexArray:
    return np.array([complex(x, y) for x, y in points], dtype=np.complex128)


def mtcnn_points(f: FaceAnalysis) -> list[list[float]]:
    lm = f.landmarks
    pts = [lm.eye_left, lm.eye_right, lm.nose, lm.mouth_left, lm.mouth_right]
    return [[p.x, p.y] for p in pts if p is not None]


def normalise(m: ComplexArray) -> ComplexArray:
    """Eye midpoint at 0, eye distance 1, eyes horizontal (image-left eye at -0.5)."""
    mid = (m[0] + m[1]) / 2
    out: ComplexArray = (m - mid) / (m[1] - m[0])
    return out


@dataclasses.dataclass
class Template:
    mtcnn: ComplexArray  # M: MTCNN's 5 landmarks, normalised frame
    dlib: ComplexArray  # D: dlib's 5 points in the same frame

    def predict(self, mtcnn: ComplexArray) -> ComplexArray:
        a, b = fit_similarity(self.mtcnn, mtcnn)
        out: ComplexArray = a * self.dlib + b
        return out


def fit_template(pairs: Sequence[tuple[ComplexArray, ComplexArray]]) -> Template:
    """``pairs``: (MTCNN's 5 landmarks, dlib's 5 points) of one face each."""
    m = normalise(pairs[0][0])
    for _ in range(5):  # generalised Procrustes
        moved = []
        for mt, _ in pairs:
            a, b = fit_similarity(mt, m)
            moved.append(a * mt + b)
        m = normalise(np.mean(moved, axis=0))
    d = []
    for mt, dl in pairs:
        a, b = fit_similarity(mt, m)
        d.append(a * dl + b)
    return Template(m, np.mean(d, axis=0))


# Metrics


def rates(gen: FloatArray, imp: FloatArray, t: float) -> tuple[float, float]:
    tar = float(np.mean(gen <= t)) if gen.size else float("nan")
    far = float(np.mean(imp <= t)) if imp.size else float("nan")
    return tar, far


def far_threshold(imp: FloatArray, target: float) -> float:
    """The largest distance with FAR <= ``target``."""
    s = np.sort(imp)
    if not s.size:
        return D80
    k = int(np.floor(target * s.size))  # at most k impostors accepted
    return float(s[k] - 1e-9) if k < s.size else float(s[-1])


def eer(gen: FloatArray, imp: FloatArray) -> float:
    if not gen.size or not imp.size:
        return float("nan")
    ts = np.unique(np.concatenate([gen, imp]))
    frr = np.array([np.mean(gen > t) for t in ts])
    far = np.array([np.mean(imp <= t) for t in ts])
    i = int(np.argmin(np.abs(frr - far)))
    return float((frr[i] + far[i]) / 2)


def p(x: float) -> str:
    return "-" if x != x else f"{100 * x:.1f}"


# Per-pair distances under an embedding choice


Embeds = dict[str, FloatArray]


def distances(pairs: Sequence[fq.Pair], emb: Embeds) -> FloatArray:
    return np.array([float(np.linalg.norm(emb[q.a.fid] - emb[q.b.fid])) for q in pairs])


def band_rows(
    pairs: Sequence[fq.Pair], dists: dict[str, FloatArray], t05: dict[str, float]
) -> list[list[str]]:
    same = np.array([q.same for q in pairs], dtype=bool)
    groups: list[tuple[str, npt.NDArray[np.bool_]]] = [("all", np.ones(len(pairs), dtype=bool))]
    for i, (names, _) in enumerate(fq.BANDINGS):
        bands = np.array([q.bands()[i] for q in pairs])
        groups += [(b, bands == b) for b in names]
    rows = []
    for label, sel in groups:
        row = [label, f"{int(np.sum(sel & same))}/{int(np.sum(sel & ~same))}"]
        for name, d in dists.items():
            gen, imp = d[sel & same], d[sel & ~same]
            tar, far = rates(gen, imp, D80)
            tar5, far5 = rates(gen, imp, t05[name])
            row += [p(tar), p(far), p(tar5), p(far5), p(eer(gen, imp))]
        rows.append(row)
    return rows


# Re-detecting the faces the quality bench labelled


def face_width_for(bench: fq.Bench, v: fq.Variant) -> float:
    """The ``face_width`` ``faces_quality.collect`` encoded ``v`` with."""
    if v.family in ("orig", "group", "video"):
        return 0.0
    if v.family == "group_small":
        m0 = bench.measured[f"{v.source}|group"]
        rows = [r for r in fq.read_regions() if r.source == v.source]
        widths = [f.width for f in m0.faces if any(r.holds(-1, f.cx, f.cy, f.width) for r in rows)]
        return float(np.median(widths))
    return bench.measured[f"{v.source}|orig"].faces[0].width


def mtcnn_landmarks(
    bench: fq.Bench, faces: Sequence[fq.Labelled], cache: Path
) -> dict[str, list[list[float]]]:
    """MTCNN's 5 landmarks of every labelled face (re-detected, matched by box)."""
    out: dict[str, list[list[float]]] = json.loads(cache.read_text()) if cache.is_file() else {}
    todo: dict[str, list[fq.Labelled]] = {}
    for lf in faces:
        if lf.fid not in out:
            todo.setdefault(lf.image, []).append(lf)
    started = time.perf_counter()
    for n, (key, members) in enumerate(todo.items()):
        v = bench.variants[key]
        rgb = load_image(bench.encoded(v, face_width_for(bench, v)).data).rgb
        found = bench.engine.analyze(rgb, embed=False)
        for lf in members:
            x = lf.face
            best = min(found, key=lambda f: abs(f.box.left - x.left) + abs(f.box.top - x.top))
            err = abs(best.box.left - x.left) + abs(best.box.top - x.top)
            err += abs(best.box.width - x.width)
            if err > 1.0:
                print(f"box mismatch {lf.fid}: {err:.2f} px", flush=True)
                continue
            out[lf.fid] = mtcnn_points(best)
        if n % 20 == 0:
            print(f"  {n}/{len(todo)} images, {time.perf_counter() - started:.0f} s", flush=True)
            cache.write_text(json.dumps(out))
    cache.write_text(json.dumps(out))
    return out


def embed_mtcnn(
    bench: fq.Bench, faces: Sequence[fq.Labelled], lms: dict[str, list[list[float]]],
    tpl: Template, cache: Path,
) -> Embeds:  # fmt: skip
    import dlib

    key = json.dumps([[z.real, z.imag] for z in (*tpl.mtcnn, *tpl.dlib)])
    stored: dict[str, object] = json.loads(cache.read_text()) if cache.is_file() else {}
    emb: dict[str, list[float]] = {}
    if stored.get("template") == key:
        emb = stored["emb"]  # type: ignore[assignment]
    todo: dict[str, list[fq.Labelled]] = {}
    for lf in faces:
        if lf.fid not in emb and lf.fid in lms:
            todo.setdefault(lf.image, []).append(lf)
    models = bench.measurer.dlib
    for key_img, members in todo.items():
        v = bench.variants[key_img]
        rgb = load_image(bench.encoded(v, face_width_for(bench, v)).data).rgb
        h, w = int(rgb.shape[0]), int(rgb.shape[1])
        for lf in members:
            pred = tpl.predict(as_complex(lms[lf.fid]))
            pts = [dlib.point(round(z.real), round(z.imag)) for z in pred]
            shape = dlib.full_object_detection(dlib_rect(dlib_style_box(lf.face.box), w, h), pts)
            emb[lf.fid] = [float(x) for x in models.embed(rgb, shape)]
    cache.write_text(json.dumps({"template": key, "emb": emb}))
    return {k: np.asarray(e, dtype=np.float64) for k, e in emb.items()}


def eye_distance(pts: ComplexArray) -> float:
    return float(abs(pts[1] - pts[0]))


def migration(
    faces: Sequence[fq.Labelled], pairs: Sequence[fq.Pair], emb_dlib: Embeds, emb_mtcnn: Embeds
) -> list[str]:
    """How far the two embeddings of one face are apart, and mode A with the stored
    (dlib-aligned) references against MTCNN-aligned probes: a collection indexed before the
    switch."""
    rows = []
    ps = [q for q in pairs if q.mode == "A"]
    same = np.array([q.same for q in ps], dtype=bool)
    d_dlib = distances(ps, emb_dlib)
    d_mtcnn = distances(ps, emb_mtcnn)
    d_mixed = np.array([float(np.linalg.norm(emb_dlib[q.a.fid] - emb_mtcnn[q.b.fid])) for q in ps])
    groups: list[tuple[str, Callable[[fq.Face], bool]]] = [("all", lambda f: True)]
    for names, band in fq.BANDINGS:
        groups += [(b, lambda f, b=b, band=band: band(f) == b) for b in names]  # type: ignore[misc]
    probe_of = [q.b.face for q in ps]
    for label, keep in groups:
        own = [
            float(np.linalg.norm(emb_dlib[f.fid] - emb_mtcnn[f.fid])) for f in faces if keep(f.face)
        ]
        sel = np.array([keep(f) for f in probe_of], dtype=bool)
        row = [label, str(len(own)), f"{np.median(own):.3f}" if own else "-"]
        for d in (d_dlib, d_mtcnn, d_mixed):
            gen, imp = d[sel & same], d[sel & ~same]
            row.append(f"{np.median(gen):.3f}" if gen.size else "-")
            row.append(p(rates(gen, imp, D80)[0]) + " / " + p(rates(gen, imp, D80)[1]))
            row.append(p(eer(gen, imp)))
        rows.append(row)
    head = ["probe band", "faces", "median dist dlib-vs-MTCNN embedding of one face"]
    for n in ("dlib", "mtcnn", "mixed"):
        head += [f"A {n}: genuine median", "TAR/FAR@.5825", "EER"]
    return [
        "",
        "### Migration: one face's two embeddings; mode A with dlib-aligned references vs "
        "MTCNN-aligned probes (mixed)",
        "",
        *fq.table(head, rows),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quality-out", default="/tmp/faces_quality", help="its cache")
    parser.add_argument("--out", default="/tmp/faces_alignment")
    parser.add_argument("--limit", type=int, default=0, help="only the first N images")
    args = parser.parse_args()
    if not (fq.DATA / "faces" / "manifest.csv").is_file():
        print(f"skipped: shared data not found under {fq.DATA}")
        return 0
    import torch

    torch.set_num_threads(1)
    started = time.perf_counter()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    bench = fq.Bench(Path(args.quality_out), False, None)
    collected = fq.collect(bench, started)
    faces = collected.faces
    if args.limit:
        keep = set(list(dict.fromkeys(f.image for f in faces))[: args.limit])
        faces = [f for f in faces if f.image in keep]
    lms = mtcnn_landmarks(bench, faces, out / "mtcnn_landmarks.json")
    faces = [f for f in faces if f.fid in lms and len(lms[f.fid]) == 5]
    print(f"{len(faces)} faces with MTCNN landmarks, {time.perf_counter() - started:.0f} s")

    # Fit on the clean frontal good faces.
    def good(f: fq.Labelled) -> bool:
        x = f.face
        return bool(x.width >= 80 and abs(x.yaw) < 25 and x.sharpness >= 40)

    fit_faces = [f for f in faces if good(f)]
    tpl = fit_template([(as_complex(lms[f.fid]), as_complex(f.face.shape)) for f in fit_faces])

    # How far the predicted dlib points are from dlib's own, per pose band (eye distances).
    pred_err: dict[str, list[float]] = {b: [] for b in fq.POSE_BANDS}
    for f in faces:
        pred = tpl.predict(as_complex(lms[f.fid]))
        dl = as_complex(f.face.shape)
        ed = max(eye_distance(as_complex(lms[f.fid])), 1e-6)
        pred_err[fq.pose_band(f.face)].append(float(np.mean(np.abs(pred - dl))) / ed)

    emb_mtcnn = embed_mtcnn(bench, faces, lms, tpl, out / "emb_mtcnn.json")
    print(f"embedded, {time.perf_counter() - started:.0f} s", flush=True)
    emb_dlib: Embeds = {f.fid: f.emb for f in faces}
    disagree = {f.fid: f.face.lm_disagree for f in faces}
    yaw = {f.fid: abs(f.face.yaw) for f in faces}

    def hybrid(use: Callable[[str], bool]) -> Embeds:
        return {k: (emb_mtcnn[k] if use(k) else emb_dlib[k]) for k in emb_dlib}

    cal = load_calibration()
    pairs = fq.make_pairs(faces, cal)
    lines = [
        f"{len(faces)} faces ({len(fit_faces)} frontal good ones for the fit), "
        f"{len(pairs)} pairs; production threshold distance {D80} (calibration d80 {cal.d80}).",
        "",
        "Template (normalised frame: eye midpoint 0, eye distance 1; x right, y down).",
        "MTCNN M (eye_left, eye_right, nose, mouth_left, mouth_right): "
        + ", ".join(f"({z.real:.4f}, {z.imag:.4f})" for z in tpl.mtcnn),
        "dlib D (parts 0-4: image-right eye outer, inner, image-left eye outer, inner, nose "
        "base): " + ", ".join(f"({z.real:.4f}, {z.imag:.4f})" for z in tpl.dlib),
        "",
        "Mean |predicted - dlib's own point| / eye distance, median per pose band: "
        + "; ".join(f"{b}: {np.median(v):.3f} (n={len(v)})" for b, v in pred_err.items() if v),
    ]
    variants: dict[str, Embeds] = {"dlib": emb_dlib, "mtcnn": emb_mtcnn}
    for x in HYBRID_X:
        variants[f"hyb>{x:g}"] = hybrid(lambda k, x=x: disagree[k] > x)  # type: ignore[misc]
    variants["hyb yaw>=25"] = hybrid(lambda k: yaw[k] >= 25)
    variants["hyb yaw>=45"] = hybrid(lambda k: yaw[k] >= 45)
    share = {n: sum(e is emb_mtcnn[k] for k, e in v.items()) / len(v) for n, v in variants.items()}
    head = ["band", "gen/imp"]
    for n in ("dlib", "mtcnn"):
        head += [f"{n} TAR@.5825", "FAR", "TAR@FAR.5%", "FAR", "EER"]
    for mode in ("A", "B"):
        ps = [q for q in pairs if q.mode == mode]
        same = np.array([q.same for q in ps], dtype=bool)
        dists = {n: distances(ps, e) for n, e in variants.items()}
        t05 = {n: far_threshold(d[~same], TARGET_FAR) for n, d in dists.items()}
        lines += ["", f"### Mode {mode}: dlib-aligned vs MTCNN-aligned (%)", ""]
        lines.append(f"FAR<=0.5% thresholds: dlib {t05['dlib']:.4f}, mtcnn {t05['mtcnn']:.4f}")
        lines.append("")
        two = {n: dists[n] for n in ("dlib", "mtcnn")}
        lines += fq.table(head, band_rows(ps, two, t05))
        lines += ["", f"### Mode {mode}: hybrids (%)", ""]
        hrows = []
        bands_of = [np.array([q.bands()[i] for q in ps]) for i in range(3)]
        for n, d in dists.items():
            gen, imp = d[same], d[~same]
            tar, far = rates(gen, imp, D80)
            tar5, _ = rates(gen, imp, t05[n])
            row = [n, f"{100 * share[n]:.0f}", p(tar), p(far), p(tar5), p(eer(gen, imp))]
            for i, b in ((0, fq.SIZE_BANDS[0]), (1, fq.POSE_BANDS[1]), (1, fq.POSE_BANDS[2]),
                         (2, fq.BLUR_BANDS[0]), (1, fq.POSE_BANDS[0])):  # fmt: skip
                sel = bands_of[i] == b
                row.append(p(eer(d[sel & same], d[sel & ~same])))
            hrows.append(row)
        lines += fq.table(
            ["alignment", "faces MTCNN-aligned %", "TAR@.5825", "FAR@.5825", "TAR@FAR.5%",
             "EER", "EER <40px", "EER yaw 25-45", "EER yaw>=45", "EER sharp<10",
             "EER frontal"],
            hrows,
        )  # fmt: skip
    lines += migration(faces, pairs, emb_dlib, emb_mtcnn)
    lines += ["", f"Total {time.perf_counter() - started:.0f} s."]
    text = "\n".join(lines)
    (out / "report.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
