"""Where face verification fails: TAR/FAR per quality band on real photos, current pipeline.

    .venv/bin/python bench/faces_quality.py [--dump PAIRS.csv] [--no-cache]
        [--out /tmp/faces_quality] [--live-check N]

Everything comes from ``../shared/data`` (skipped with a message when it is absent) and goes
through the service's own code: image bytes -> ``load_image`` -> ``FaceEngine.analyze`` (the
registry model CompareFaces calls: MTCNN -> dlib 5-point shape on ``dlib_style_box`` -> dlib
ResNet embedding) -> Euclidean distance -> ``Calibration.similarity`` (``calibration.json``),
exactly as ``FaceService.compare_faces`` scores a target face against the source face.
``--live-check N`` re-scores N pairs through a live server's CompareFaces (boto3).

Probe images (each encoded to PNG/JPEG bytes, decoded by ``load_image``, >= 80 px a side):

* ``orig``: every distinct single-person still of ``faces/manifest.csv`` (byte duplicates,
  partial faces and ``32bit.png``, an RGBA copy of obama2.jpg, left out), incl. the real
  low-resolution ``obama-240p.jpg`` (52 px face) and the cameraman (56 px, turned).
* ``down{W}``: one still per photo (the largest-face one of each same-photo group), resized
  (Lanczos) so that its face box is ``W`` px wide, centred on a canvas of at least 200x200 of
  the image's mean colour, then detected again.
* ``face160``: the same stills resized so that the face is 160 px wide (a typical web photo;
  larger ones are left alone), and from it ``blur{k}``: Gaussian blur, sigma = ``k`` x face
  width (1.6-6.4 px), and ``jpeg{q}``: JPEG at quality ``q``.
* ``group`` / ``group_w{W}``: the four group photos (two_people.jpg, obama_and_biden.jpg,
  kit_with_rose.jpg, multiface.jpg: 2-6 people side by side), as they are and resized so that
  their median face is ``W`` px wide.
* ``video``: every 5th frame of ``video/short_hamilton_clip.mp4`` (640x360): a 25 px pianist
  and a 36-42 px singer (wide shot), the pianist's close-up in profile, the singer at ~80 px
  turning his head, Barack and Michelle Obama and two others laughing in profile (audience).

Labels. Stills carry the manifest's identity. Which face of a group photo or video frame is
whom is in ``bench/data/faces_quality_labels.csv``: a region in the source's own pixels that
the centre of the detected box must fall in, a frame range, a minimum box width, the
identity, the photo/shot it belongs to and the basis of the label. It was written by looking
at every 5th frame with the detected boxes drawn (exactly the frames used here) and at the
group photos; people no source names are ``unknown:*``. Detections matching no row (a few
false positives on hair or dark background) are not used. ``SAME_PHOTO`` keeps copies of one
photo (the obama-*p resolutions of one frame, facenet-pytorch's aligned crops of its raw
photos) from counting as genuine pairs.

Pairs. Mode ``A``: a clean reference (the largest face of one still per photo, a named
person, >= 80 px wide, |yaw| < 25) as CompareFaces' source against every labelled probe face
as its target; the pair's bands are the probe's. Mode ``B``: two faces under the same
condition (both 20 px, both video frames, both blurred alike...), as when two poor photos
are compared; the bands are the worse face's. Genuine = one named person in two different
photos; impostor = two different named people, an ``unknown:*`` person against a reference
person, or two faces of one image.

Per face (``OUT/faces.csv``): box px, detector confidence, yaw/pitch/roll from MTCNN's
landmarks (what the service reports), yaw/pitch from dlib's 5-point shape (what the aligner
used) and their eye-centre disagreement over the eye distance, the service's brightness and
sharpness, the variance of the Laplacian of the face crop at native resolution and at the
service's 112x112, the embedding norm; for resized/blurred/compressed stills also ``drift``
(distance from the clean photo's embedding), the drift when the chip is aligned with the
clean photo's landmarks carried over (``oracle``: no alignment error), the same on a 4x
bicubic upsample (``oracle_up4``, small faces), and the aligner's landmark error over the
eye distance. ``--dump`` writes every pair with both faces' signals. Measurements are cached
in ``OUT/cache`` (keyed by variant, source file hash and model version).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import io
import json
import math
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sensorium.models.faces import Box, Calibration, load_calibration, load_image  # noqa: E402
from sensorium.models.faces.alignment import dlib_points  # noqa: E402
from sensorium.models.faces.dlib_models import (  # noqa: E402
    DlibFaceModels,
    dlib_rect,
    landmarks_from_shape,
)
from sensorium.models.faces.pipeline import dlib_style_box  # noqa: E402
from sensorium.models.faces.pose import estimate_pose  # noqa: E402
from sensorium.models.faces.quality import (  # noqa: E402
    SHARPNESS_SIZE,
    face_crop,
    laplacian_variance,
    luma,
)
from sensorium.models.faces.types import Point, RGBImage  # noqa: E402
from sensorium.services.rekognition.engine import FaceEngine  # noqa: E402
from sensorium.services.rekognition.images import MAX_BYTES, MIN_SIDE  # noqa: E402

DATA = (ROOT / ".." / "shared" / "data").resolve()
VIDEO = "video/short_hamilton_clip.mp4"
LABELS = ROOT / "bench" / "data" / "faces_quality_labels.csv"
CACHE_VERSION = 4

SIZES = (64, 48, 40, 32, 28, 24, 20)  # face box width after resizing, px
NORM_WIDTH = 160  # face width for the blur and JPEG series, px
BLURS = (0.01, 0.02, 0.03, 0.04)  # Gaussian sigma / face width
JPEG_QUALITIES = (20, 10, 5)
GROUP_SIZES = (40, 28, 20)  # median face width of a resized group photo, px
VIDEO_STRIDE = 5  # the labels were checked on exactly these frames
VIDEO_FRAMES = 275  # 9.2 s at 29.97 fps
CANVAS_MIN = 200
THRESHOLDS = (80.0, 90.0, 99.0)
REF_MIN_WIDTH = 80.0
REF_MAX_YAW = 25.0

# Bands: box width (px), |yaw| from the service's landmarks (deg), the service's Sharpness.
SIZE_BANDS = ("width <40", "width 40-80", "width >=80")
POSE_BANDS = ("yaw <25 (frontal)", "yaw 25-45 (turned)", "yaw >=45 (profile)")
BLUR_BANDS = ("sharpness <10", "sharpness 10-40", "sharpness >=40")

# Copies of one photo: resolutions of one video frame (clean embedding distances 0.06-0.14
# among them, >= 0.32 to every other Obama photo), facenet-pytorch's aligned crops.
SAME_PHOTO = {
    **{f"faces/face_recognition/examples/{n}.jpg": "obama_a" for n in ("obama", "obama_small")},
    **{f"faces/face_recognition/examples/obama-{r}p.jpg": "obama_a" for r in (240, 480, 720, 1080)},
    **{
        f"faces/facenet_pytorch/data/test_images{sub}/{name}/1.{ext}": f"facenet_{name}"
        for name in ("angelina_jolie", "kate_siegel", "paul_rudd", "shea_whigham", "bradley_cooper")
        for sub, ext in (("", "jpg"), ("_aligned", "png"))
    },
}
EXCLUDED = {"faces/face_recognition/tests/test_images/32bit.png"}  # RGBA copy of obama2.jpg
UNKNOWN_IDENTITIES = {"unlabeled (cameraman)": "unknown:cameraman"}
STILL_FAMILIES = ("orig", "small", "face160", "blur", "jpeg")

FloatArray = npt.NDArray[np.float64]


# Variants: the bytes a client would send


@dataclass(frozen=True)
class Variant:
    key: str
    source: str  # path under DATA
    condition: str  # orig, down20, face160, blur0.02, jpeg10, group, group_w28, video
    family: str  # orig, small, face160, blur, jpeg, group, group_small, video
    param: float = 0.0
    frame: int = -1


@dataclass
class Encoded:
    data: bytes
    fmt: str
    scale: float  # source pixel coordinates -> this image's: x * scale + offset
    ox: float = 0.0
    oy: float = 0.0


def encode(rgb: RGBImage, fmt: str = "PNG", quality: int = 95) -> bytes:
    buf = io.BytesIO()
    if fmt == "PNG":
        Image.fromarray(rgb).save(buf, format="PNG", compress_level=1)
    else:
        Image.fromarray(rgb).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def encode_lossless(rgb: RGBImage) -> tuple[bytes, str]:
    """PNG, or JPEG q95 when the PNG would pass the service's 5 MB limit."""
    data = encode(rgb, "PNG")
    return (data, "PNG") if len(data) <= MAX_BYTES else (encode(rgb, "JPEG", 95), "JPEG95")


def resized(rgb: RGBImage, scale: float) -> RGBImage:
    h, w = rgb.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS), dtype=np.uint8)


def on_canvas(rgb: RGBImage, minimum: int) -> tuple[RGBImage, int, int]:
    """``rgb`` centred on a canvas at least ``minimum`` px a side, of its mean colour."""
    h, w = rgb.shape[:2]
    cw, ch = max(w, minimum), max(h, minimum)
    if (cw, ch) == (w, h):
        return rgb, 0, 0
    canvas = np.empty((ch, cw, 3), dtype=np.uint8)
    canvas[:] = rgb.reshape(-1, 3).mean(axis=0).round().astype(np.uint8)
    ox, oy = (cw - w) // 2, (ch - h) // 2
    canvas[oy : oy + h, ox : ox + w] = rgb
    return canvas, ox, oy


def make_variant(variant: Variant, original: RGBImage, face_width: float) -> Encoded:
    """``variant`` of ``original`` (upright RGB) whose (median) face is ``face_width`` px."""
    if variant.family in ("orig", "group", "video"):
        data, fmt = encode_lossless(original)
        return Encoded(data, fmt, 1.0)
    if variant.family in ("small", "group_small"):
        scale = variant.param / face_width
        small, ox, oy = on_canvas(resized(original, scale), CANVAS_MIN)
        return Encoded(encode(small), "PNG", scale, float(ox), float(oy))
    scale = min(1.0, NORM_WIDTH / face_width)
    base = resized(original, scale) if scale < 1.0 else original
    if variant.family == "face160":
        return Encoded(encode(base), "PNG", scale)
    if variant.family == "blur":
        sigma = variant.param * face_width * scale
        im = Image.fromarray(base).filter(ImageFilter.GaussianBlur(radius=sigma))
        return Encoded(encode(np.asarray(im, dtype=np.uint8)), "PNG", scale)
    if variant.family == "jpeg":
        return Encoded(encode(base, "JPEG", int(variant.param)), "JPEG", scale)
    raise ValueError(variant.family)


# Measurements (cached, label-free)


@dataclass
class Face:
    index: int
    left: float
    top: float
    width: float
    height: float
    confidence: float
    yaw: float
    pitch: float
    roll: float
    yaw_dlib: float
    pitch_dlib: float
    brightness: float
    sharpness: float
    lap_var_native: float
    lap_var_112: float
    lm_disagree: float
    emb_norm: float
    embedding: list[float]
    shape: list[list[float]]  # dlib's 5 points, as the pipeline computed them
    align_err: float | None = None
    oracle: list[float] | None = None
    oracle_up4: list[float] | None = None

    @property
    def cx(self) -> float:
        return self.left + self.width / 2

    @property
    def cy(self) -> float:
        return self.top + self.height / 2

    @property
    def box(self) -> Box:
        return Box(self.left, self.top, self.left + self.width, self.top + self.height)


@dataclass
class Measured:
    key: str
    width: int
    height: int
    fmt: str
    nbytes: int
    scale: float
    ox: float
    oy: float
    expected: int  # stills: index of the photo's face (-1: not found)
    faces: list[Face]

    @staticmethod
    def from_json(data: dict[str, Any]) -> Measured:
        faces = [Face(**f) for f in data.pop("faces")]
        return Measured(**data, faces=faces)


def lap_var_112(crop: RGBImage) -> float:
    """The variance behind the service's Sharpness (its 112x112 resample, then Laplacian)."""
    if crop.shape[0] < 3 or crop.shape[1] < 3:
        return 0.0
    grey = Image.fromarray(np.clip(luma(crop), 0, 255).astype(np.uint8))
    down = min(crop.shape[0], crop.shape[1]) >= SHARPNESS_SIZE
    resample = Image.Resampling.BOX if down else Image.Resampling.BILINEAR
    im = grey.resize((SHARPNESS_SIZE, SHARPNESS_SIZE), resample)
    return laplacian_variance(np.asarray(im, dtype=np.float64))


def eye_centres(points: Sequence[Sequence[float]]) -> tuple[Point, Point]:
    """(image-left eye, image-right eye) centres from dlib's 5 points."""
    right = Point((points[0][0] + points[1][0]) / 2, (points[0][1] + points[1][1]) / 2)
    left = Point((points[2][0] + points[3][0]) / 2, (points[2][1] + points[3][1]) / 2)
    return left, right


def dist(a: Point, b: Point) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def rounded(vec: Iterable[float]) -> list[float]:
    return [round(float(x), 7) for x in vec]


class Measurer:
    """The service's analysis of one image, plus the signals it does not expose."""

    def __init__(self, engine: FaceEngine, dlib_models: DlibFaceModels) -> None:
        self.engine = engine
        self.dlib = dlib_models
        self.checked = 0

    def faces(self, rgb: RGBImage) -> list[Face]:
        out = []
        for i, f in enumerate(self.engine.analyze(rgb)):
            predicted = self.dlib.shape(rgb, dlib_style_box(f.box))  # dlib's own points
            points = dlib_points(f.landmarks)
            shape = (  # the points the pipeline aligns with
                predicted
                if points is None
                else self.dlib.shape_at(rgb, dlib_style_box(f.box), points)
            )
            if self.checked < 5:  # the shape recomputed here is the pipeline's
                assert np.allclose(self.dlib.embed(rgb, shape), f.embedding, atol=1e-5)
                self.checked += 1
            lm_dlib = landmarks_from_shape(predicted)
            pose_dlib = estimate_pose(lm_dlib)
            eye_d = max(dist(f.landmarks.eye_left, f.landmarks.eye_right), 1e-6)
            disagree = dist(f.landmarks.eye_left, lm_dlib.eye_left) + dist(
                f.landmarks.eye_right, lm_dlib.eye_right
            )
            crop = face_crop(rgb, f.box)
            out.append(
                Face(
                    index=i,
                    left=f.box.left,
                    top=f.box.top,
                    width=f.box.width,
                    height=f.box.height,
                    confidence=f.confidence,
                    yaw=f.pose.yaw,
                    pitch=f.pose.pitch,
                    roll=f.pose.roll,
                    yaw_dlib=pose_dlib.yaw,
                    pitch_dlib=pose_dlib.pitch,
                    brightness=f.quality.brightness,
                    sharpness=f.quality.sharpness,
                    lap_var_native=laplacian_variance(luma(crop)) if crop.size else 0.0,
                    lap_var_112=lap_var_112(crop),
                    lm_disagree=disagree / (2 * eye_d),
                    emb_norm=float(np.linalg.norm(f.embedding.astype(np.float64))),
                    embedding=rounded(f.embedding),
                    shape=[[float(shape.part(k).x), float(shape.part(k).y)] for k in range(5)],
                )
            )
        return out

    def embed_with(self, rgb: RGBImage, points: Sequence[Sequence[float]], box: Box) -> list[float]:
        import dlib

        h, w = int(rgb.shape[0]), int(rgb.shape[1])
        pts = [dlib.point(round(x), round(y)) for x, y in points]
        shape = dlib.full_object_detection(dlib_rect(box, w, h), pts)
        return rounded(self.dlib.embed(rgb, shape))

    def oracle(self, rgb: RGBImage, face: Face, clean: Face, enc: Encoded, up4: bool) -> None:
        """Align the chip with the clean photo's landmarks carried over (no aligner error)."""
        s, ox, oy = enc.scale, enc.ox, enc.oy
        moved = [[(x + 0.5) * s - 0.5 + ox, (y + 0.5) * s - 0.5 + oy] for x, y in clean.shape]
        b = clean.box
        box = dlib_style_box(
            Box(b.left * s + ox, b.top * s + oy, b.right * s + ox, b.bottom * s + oy)
        )
        left, right = eye_centres(moved)
        err = [math.hypot(a[0] - c[0], a[1] - c[1]) for a, c in zip(face.shape, moved, strict=True)]
        face.align_err = float(np.mean(err)) / max(dist(left, right), 1e-6)
        face.oracle = self.embed_with(rgb, moved, box)
        if up4:  # the same on a 4x bicubic upsample: no rounding of the landmarks to pixels
            h, w = int(rgb.shape[0]), int(rgb.shape[1])
            big = Image.fromarray(rgb).resize((w * 4, h * 4), Image.Resampling.BICUBIC)
            moved4 = [[4 * x + 1.5, 4 * y + 1.5] for x, y in moved]
            box4 = Box(box.left * 4, box.top * 4, box.right * 4, box.bottom * 4)
            face.oracle_up4 = self.embed_with(np.asarray(big, dtype=np.uint8), moved4, box4)


# Labels


@dataclass(frozen=True)
class Region:
    source: str
    frame_lo: int
    frame_hi: int
    x0: float
    y0: float
    x1: float
    y1: float
    min_width: float
    identity: str
    group: str

    def holds(self, frame: int, cx: float, cy: float, width: float) -> bool:
        in_frame = self.frame_lo < 0 or self.frame_lo <= frame <= self.frame_hi
        inside = self.x0 <= cx <= self.x1 and self.y0 <= cy <= self.y1
        return in_frame and inside and width >= self.min_width


def read_regions() -> list[Region]:
    with LABELS.open(newline="") as fh:
        return [
            Region(
                r["source"],
                int(r["frame_lo"] or -1),
                int(r["frame_hi"] or -1),
                float(r["x0"]),
                float(r["y0"]),
                float(r["x1"]),
                float(r["y1"]),
                float(r["min_width"]),
                r["identity"],
                r["group"],
            )
            for r in csv.DictReader(fh)
        ]


@dataclass
class Labelled:
    fid: str
    variant: Variant
    face: Face
    identity: str
    group: str  # the photo (or video shot): two faces of one group are never genuine
    emb: FloatArray
    drift: float | None = None
    oracle_drift: float | None = None
    oracle_up4_drift: float | None = None
    reference: bool = False

    @property
    def image(self) -> str:
        return self.variant.key

    @property
    def named(self) -> bool:
        return not self.identity.startswith("unknown:")


def size_band(f: Face) -> str:
    return SIZE_BANDS[0] if f.width < 40 else SIZE_BANDS[1] if f.width < 80 else SIZE_BANDS[2]


def pose_band(f: Face) -> str:
    a = abs(f.yaw)
    return POSE_BANDS[0] if a < 25 else POSE_BANDS[1] if a < 45 else POSE_BANDS[2]


def blur_band(f: Face) -> str:
    s = f.sharpness
    return BLUR_BANDS[0] if s < 10 else BLUR_BANDS[1] if s < 40 else BLUR_BANDS[2]


BANDINGS: tuple[tuple[tuple[str, ...], Callable[[Face], str]], ...] = (
    (SIZE_BANDS, size_band),
    (POSE_BANDS, pose_band),
    (BLUR_BANDS, blur_band),
)


# Pairs


@dataclass
class Pair:
    mode: str  # A: clean reference vs probe; B: probe vs probe, same condition
    a: Labelled
    b: Labelled
    same: bool
    distance: float
    similarity: float

    def bands(self) -> tuple[str, str, str]:
        """The probe's bands (mode A), the worse face's (mode B)."""
        if self.mode == "A":
            return size_band(self.b.face), pose_band(self.b.face), blur_band(self.b.face)
        # The smaller face, the more turned face, the less sharp face.
        pick = (min, max, min)
        out = [
            names[worse(names.index(band(self.a.face)), names.index(band(self.b.face)))]
            for (names, band), worse in zip(BANDINGS, pick, strict=True)
        ]
        return out[0], out[1], out[2]

    def faces(self) -> tuple[str, ...]:
        return (self.b.fid,) if self.mode == "A" else (self.a.fid, self.b.fid)


def relation(a: Labelled, b: Labelled, ref_ids: set[str]) -> bool | None:
    """True genuine, False impostor, None unusable."""
    if a.image == b.image:
        return False if a.face.index != b.face.index else None
    if a.named and b.named:
        if a.identity == b.identity:
            return None if a.group == b.group else True
        return False
    if (a.named and a.identity in ref_ids) or (b.named and b.identity in ref_ids):
        return False  # an unnamed audience member, child or cameraman is no reference person
    return None


def make_pairs(faces: list[Labelled], calibration: Calibration) -> list[Pair]:
    refs = [f for f in faces if f.reference]
    ref_ids = {f.identity for f in refs}
    pairs: list[Pair] = []

    def add(mode: str, a: Labelled, b: Labelled, same: bool) -> None:
        d = float(np.linalg.norm(a.emb - b.emb))
        pairs.append(Pair(mode, a, b, same, d, calibration.similarity(d)))

    for probe in faces:
        for ref in refs:
            rel = None if probe.group == ref.group else relation(ref, probe, ref_ids)
            if rel is not None:
                add("A", ref, probe, rel)
    by_condition: dict[str, list[Labelled]] = defaultdict(list)
    for f in faces:
        by_condition[f.variant.condition].append(f)
    for members in by_condition.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                rel = relation(a, b, ref_ids)
                if rel is not None:
                    add("B", a, b, rel)
    return pairs


# Measuring everything


class Bench:
    def __init__(self, out: Path, no_cache: bool, models_dir: str | None) -> None:
        self.cache_dir = out / "cache"
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.no_cache = no_cache
        self.engine = FaceEngine(Path(models_dir) if models_dir else None)
        self.engine.load("cpu")
        dlib_models = DlibFaceModels()
        dlib_models.load()
        self.measurer = Measurer(self.engine, dlib_models)
        self.variants: dict[str, Variant] = {}
        self.measured: dict[str, Measured] = {}
        self._sha: dict[str, str] = {}
        self._original: tuple[str, RGBImage] | None = None
        self._frames: dict[int, RGBImage] | None = None
        self.computed = 0

    def original(self, source: str) -> RGBImage:
        if source.startswith("video/"):
            raise ValueError(source)
        if self._original is None or self._original[0] != source:
            self._original = (source, load_image((DATA / source).read_bytes()).rgb)
        return self._original[1]

    def frame(self, index: int) -> RGBImage:
        if self._frames is None:
            import av

            self._frames = {}
            with av.open(str(DATA / VIDEO)) as container:
                for i, frame in enumerate(container.decode(video=0)):
                    if i % VIDEO_STRIDE == 0:
                        rgb = frame.to_ndarray(format="rgb24")
                        self._frames[i] = np.asarray(rgb, dtype=np.uint8)
        return self._frames[index]

    def encoded(self, v: Variant, face_width: float) -> Encoded:
        src = self.frame(v.frame) if v.family == "video" else self.original(v.source)
        return make_variant(v, src, face_width)

    def measure(self, v: Variant, face_width: float = 0.0, clean: Face | None = None) -> Measured:
        """The cached measurement of ``v``; for a derived still, ``clean`` is the photo's
        face, looked for where it must be (its centre inside the clean box, moved)."""
        self.variants[v.key] = v
        if v.source not in self._sha:
            self._sha[v.source] = hashlib.sha1((DATA / v.source).read_bytes()).hexdigest()
        ident = f"{CACHE_VERSION}|{v.key}|{self._sha[v.source]}|{self.engine.model_version}"
        path = self.cache_dir / (hashlib.sha1(ident.encode()).hexdigest() + ".json")
        if path.is_file() and not self.no_cache:
            m = Measured.from_json(json.loads(path.read_text()))
        else:
            enc = self.encoded(v, face_width)
            loaded = load_image(enc.data)
            assert min(loaded.width, loaded.height) >= MIN_SIDE, v.key
            faces = self.measurer.faces(loaded.rgb)
            m = Measured(
                v.key, loaded.width, loaded.height, enc.fmt, len(enc.data), enc.scale,
                enc.ox, enc.oy, 0 if v.family == "orig" and faces else -1, faces,
            )  # fmt: skip
            if clean is not None:
                b, s = clean.box, enc.scale
                ex = Box(b.left * s + enc.ox, b.top * s + enc.oy, b.right * s + enc.ox,
                         b.bottom * s + enc.oy)  # fmt: skip
                ecx, ecy = (ex.left + ex.right) / 2, (ex.top + ex.bottom) / 2
                hits = [
                    f for f in faces if ex.left <= f.cx <= ex.right and ex.top <= f.cy <= ex.bottom
                ]
                if hits:
                    hit = min(hits, key=lambda f: math.hypot(f.cx - ecx, f.cy - ecy))
                    m.expected = hit.index
                    self.measurer.oracle(loaded.rgb, hit, clean, enc, up4=v.family == "small")
            path.write_text(json.dumps(dataclasses.asdict(m)))
            self.computed += 1
        self.measured[v.key] = m
        return m


def read_stills() -> list[dict[str, str]]:
    with (DATA / "faces" / "manifest.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    keep = []
    for r in rows:
        r["path"] = f"faces/{r['path']}"  # under DATA
        ident = r["identity"]
        if ident == "NO_FACE" or ident.startswith("GROUP") or r["path"] in EXCLUDED:
            continue
        if "byte-identical" in r["notes"] or "partial face" in r["notes"]:
            continue
        r["identity"] = UNKNOWN_IDENTITIES.get(ident, ident)
        r["group"] = SAME_PHOTO.get(r["path"], r["path"])
        keep.append(r)
    return keep


def group_photos() -> list[str]:
    with (DATA / "faces" / "manifest.csv").open(newline="") as fh:
        rows = csv.DictReader(fh)
        return [f"faces/{r['path']}" for r in rows if r["identity"].startswith("GROUP")]


@dataclass
class Collected:
    faces: list[Labelled]
    expected: dict[str, int]
    found: dict[str, int]
    unlabelled: dict[str, int]


def collect(bench: Bench, started: float) -> Collected:
    """Measure every variant and label its faces."""
    stills = read_stills()
    regions = read_regions()
    for r in stills:
        bench.measure(Variant(f"{r['path']}|orig", r["path"], "orig", "orig"))
    print(f"clean stills: {time.perf_counter() - started:.0f} s", flush=True)

    best: dict[str, str] = {}  # photo group -> its still with the largest face
    for r in stills:
        faces = bench.measured[f"{r['path']}|orig"].faces
        other = best.get(r["group"])
        if faces and (
            other is None or faces[0].width > bench.measured[f"{other}|orig"].faces[0].width
        ):
            best[r["group"]] = r["path"]
    representatives = sorted(best.values())
    for path in representatives:
        clean = bench.measured[f"{path}|orig"].faces[0]
        specs = [("small", f"down{s}", float(s)) for s in SIZES if s < clean.width]
        specs += [("face160", "face160", 0.0)]
        specs += [("blur", f"blur{k:g}", k) for k in BLURS]
        specs += [("jpeg", f"jpeg{q}", float(q)) for q in JPEG_QUALITIES]
        for family, cond, param in specs:
            bench.measure(Variant(f"{path}|{cond}", path, cond, family, param), clean.width, clean)
    print(f"resized/blurred/compressed: {time.perf_counter() - started:.0f} s", flush=True)

    for path in group_photos():
        m0 = bench.measure(Variant(f"{path}|group", path, "group", "group"))
        rows = [r for r in regions if r.source == path]
        widths = [f.width for f in m0.faces if any(r.holds(-1, f.cx, f.cy, f.width) for r in rows)]
        for size in GROUP_SIZES:
            v = Variant(f"{path}|group_w{size}", path, f"group_w{size}", "group_small", size)
            bench.measure(v, float(np.median(widths)))
    for i in range(0, VIDEO_FRAMES, VIDEO_STRIDE):
        bench.measure(Variant(f"{VIDEO}|frame{i:03d}", VIDEO, "video", "video", frame=i))
    print(
        f"measured {len(bench.measured)} images ({bench.computed} not cached) in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )

    out = Collected([], defaultdict(int), defaultdict(int), defaultdict(int))
    row_of = {r["path"]: r for r in stills}
    for key, m in bench.measured.items():
        v = bench.variants[key]
        cond = v.condition
        if v.family in STILL_FAMILIES:
            out.expected[cond] += 1
            out.unlabelled[cond] += len(m.faces) - (m.expected >= 0)
            if m.expected >= 0:
                r, f = row_of[v.source], m.faces[m.expected]
                emb = np.asarray(f.embedding, dtype=np.float64)
                out.faces.append(Labelled(f"{key}#{f.index}", v, f, r["identity"], r["group"], emb))
                out.found[cond] += 1
            continue
        rows = [r for r in regions if r.source == v.source]
        taken: dict[str, Labelled] = {}
        for f in m.faces:  # largest first: a second box on one person is dropped
            cx, cy = (f.cx - m.ox) / m.scale, (f.cy - m.oy) / m.scale
            hit = next((r for r in rows if r.holds(v.frame, cx, cy, f.width / m.scale)), None)
            if hit is None or hit.identity in taken:
                out.unlabelled[cond] += 1
                continue
            emb = np.asarray(f.embedding, dtype=np.float64)
            taken[hit.identity] = Labelled(f"{key}#{f.index}", v, f, hit.identity, hit.group, emb)
        out.faces.extend(taken.values())
        out.found[cond] += len(taken)
        if v.family == "video":  # every labelled face: the boxes were checked by eye
            out.expected[cond] += len(taken)
        else:
            out.expected[cond] += len({r.identity for r in rows})

    clean_emb = {lf.variant.source: lf.emb for lf in out.faces if lf.variant.family == "orig"}
    rep_set = set(representatives)
    for lf in out.faces:
        base = clean_emb.get(lf.variant.source)
        if lf.variant.family in STILL_FAMILIES[1:] and base is not None:
            lf.drift = float(np.linalg.norm(lf.emb - base))
            if lf.face.oracle is not None:
                lf.oracle_drift = float(np.linalg.norm(np.asarray(lf.face.oracle) - base))
            if lf.face.oracle_up4 is not None:
                lf.oracle_up4_drift = float(np.linalg.norm(np.asarray(lf.face.oracle_up4) - base))
        lf.reference = (
            lf.variant.family == "orig"
            and lf.variant.source in rep_set
            and lf.named
            and lf.face.width >= REF_MIN_WIDTH
            and abs(lf.face.yaw) < REF_MAX_YAW
        )
    return out


# Output


FACE_COLUMNS = [
    "face_id", "source", "condition", "family", "frame", "identity", "photo_group",
    "is_reference", "img_width", "img_height", "img_format", "box_left", "box_top",
    "box_width", "box_height", "confidence", "yaw", "pitch", "roll", "yaw_dlib", "pitch_dlib",
    "lm_disagree", "brightness", "sharpness", "lap_var_native", "lap_var_112", "emb_norm",
    "drift", "oracle_drift", "oracle_up4_drift", "align_err", "size_band", "pose_band",
    "blur_band",
]  # fmt: skip
SIGNALS_FROM = FACE_COLUMNS.index("is_reference")


def face_values(f: Labelled, m: Measured) -> list[Any]:
    x = f.face

    def r4(value: float | None) -> Any:
        return "" if value is None else round(value, 4)

    return [
        f.fid, f.variant.source, f.variant.condition, f.variant.family,
        f.variant.frame if f.variant.frame >= 0 else "", f.identity, f.group, int(f.reference),
        m.width, m.height, m.fmt, r4(x.left), r4(x.top), r4(x.width), r4(x.height),
        r4(x.confidence), r4(x.yaw), r4(x.pitch), r4(x.roll), r4(x.yaw_dlib), r4(x.pitch_dlib),
        r4(x.lm_disagree), r4(x.brightness), r4(x.sharpness), r4(x.lap_var_native),
        r4(x.lap_var_112), r4(x.emb_norm), r4(f.drift), r4(f.oracle_drift),
        r4(f.oracle_up4_drift), r4(x.align_err), size_band(x), pose_band(x), blur_band(x),
    ]  # fmt: skip


def write_faces(path: Path, faces: list[Labelled], measured: dict[str, Measured]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(FACE_COLUMNS)
        for f in faces:
            w.writerow(face_values(f, measured[f.image]))


def write_pairs(path: Path, pairs: list[Pair], measured: dict[str, Measured]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    signals = FACE_COLUMNS[SIGNALS_FROM:]
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["mode", "same_person", "distance", "similarity", "size_band", "pose_band",
             "blur_band", "face_a", "identity_a", "condition_a", "face_b", "identity_b",
             "condition_b", *(f"{c}_a" for c in signals), *(f"{c}_b" for c in signals)]
        )  # fmt: skip
        for p in pairs:
            w.writerow(
                [p.mode, int(p.same), round(p.distance, 5), round(p.similarity, 4), *p.bands(),
                 p.a.fid, p.a.identity, p.a.variant.condition, p.b.fid, p.b.identity,
                 p.b.variant.condition, *face_values(p.a, measured[p.a.image])[SIGNALS_FROM:],
                 *face_values(p.b, measured[p.b.image])[SIGNALS_FROM:]]
            )  # fmt: skip


def pct(k: int, n: int) -> str:
    return "-" if n == 0 else f"{100.0 * k / n:.1f}% ({k}/{n})"


def med(xs: Iterable[float | None], fmt: str = ".3f") -> str:
    vals = [x for x in xs if x is not None]
    return "-" if not vals else format(float(np.median(vals)), fmt)


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(r) + " |" for r in rows]


def rates(label: str, pairs: Sequence[Pair]) -> list[str]:
    gen = [p.similarity for p in pairs if p.same]
    imp = [p.similarity for p in pairs if not p.same]
    faces = {fid for p in pairs for fid in p.faces()}
    return [
        label,
        str(len(faces)),
        *(pct(sum(s >= t for s in gen), len(gen)) for t in THRESHOLDS),
        *(pct(sum(s >= t for s in imp), len(imp)) for t in THRESHOLDS),
        "-" if not imp else f"{max(imp):.1f}",
    ]


RATES_HEADER = [
    "band", "faces in pairs", *(f"TAR@{t:g}" for t in THRESHOLDS),
    *(f"FAR@{t:g}" for t in THRESHOLDS), "max impostor Similarity",
]  # fmt: skip
CONDITION_ORDER = (
    "orig", *(f"down{s}" for s in SIZES), "face160", *(f"blur{k:g}" for k in BLURS),
    *(f"jpeg{q}" for q in JPEG_QUALITIES), "group", *(f"group_w{s}" for s in GROUP_SIZES),
    "video",
)  # fmt: skip


def shrink(pairs: list[Pair], cond: str) -> str:
    """Median over mode-B impostor pairs of distance / the same two faces' clean distance."""
    base_cond = "group" if cond.startswith("group_w") else "orig"
    clean: dict[tuple[str, str], float] = {}
    for p in pairs:
        if p.mode == "B" and not p.same and p.a.variant.condition == base_cond:
            clean[(p.a.variant.source + p.a.identity, p.b.variant.source + p.b.identity)] = (
                p.distance
            )
    ratios = []
    for p in pairs:
        if p.mode == "B" and not p.same and p.a.variant.condition == cond:
            k = (p.a.variant.source + p.a.identity, p.b.variant.source + p.b.identity)
            d0 = clean.get(k) or clean.get((k[1], k[0]))
            if d0:
                ratios.append(p.distance / d0)
    return med(ratios, ".2f")


def report(c: Collected, pairs: list[Pair], cal: Calibration) -> list[str]:
    lines: list[str] = []
    refs = [f for f in c.faces if f.reference]
    lines.append(
        f"{len({f.image for f in c.faces})} images, {len(c.faces)} labelled faces "
        f"({len(refs)} clean references of {len({f.identity for f in refs})} people), "
        f"{sum(p.mode == 'A' for p in pairs)} mode-A and {sum(p.mode == 'B' for p in pairs)} "
        f"mode-B pairs. Calibration d80={cal.d80}, slope={cal.slope}: Similarity 80/90/99 at "
        f"distance {cal.distance_for(80):.3f}/{cal.distance_for(90):.3f}/"
        f"{cal.distance_for(99):.3f}; 99.8 at {cal.distance_for(99.8):.3f}."
    )
    titles = {
        "A": "Mode A: clean reference (CompareFaces source) vs probe face (target)",
        "B": "Mode B: probe vs probe, both faces under the same condition",
    }
    for mode in ("A", "B"):
        ps = [p for p in pairs if p.mode == mode]
        rows = [rates("all", ps)]
        for i, (names, _) in enumerate(BANDINGS):
            rows += [rates(band, [p for p in ps if p.bands()[i] == band]) for band in names]
        good = (SIZE_BANDS[2], POSE_BANDS[0], BLUR_BANDS[2])
        rows.append(rates(">=80 px, frontal, sharpness >=40", [p for p in ps if p.bands() == good]))
        small = (SIZE_BANDS[0], POSE_BANDS[0])
        rows.append(rates("<40 px, frontal", [p for p in ps if p.bands()[:2] == small]))
        turned = [p for p in ps if p.bands()[0] != SIZE_BANDS[0] and p.bands()[1] != POSE_BANDS[0]]
        rows.append(rates(">=40 px, yaw >=25", turned))
        lines += ["", f"### {titles[mode]}", ""]
        lines += table(RATES_HEADER, rows)

    by_cond: dict[str, list[Labelled]] = defaultdict(list)
    for f in c.faces:
        by_cond[f.variant.condition].append(f)
    rows = []
    for cond in CONDITION_ORDER:
        members = by_cond.get(cond, [])
        pa = [p for p in pairs if p.mode == "A" and p.b.variant.condition == cond]
        imp_b = [p for p in pairs if p.mode == "B" and not p.same and p.a.variant.condition == cond]
        gen = [p.similarity for p in pa if p.same]
        imp = [p.similarity for p in pa if not p.same]
        rows.append(
            [
                cond,
                f"{c.found[cond]}/{c.expected[cond]}",
                med((f.face.width for f in members), ".0f"),
                med((f.face.sharpness for f in members), ".0f"),
                med((abs(f.face.yaw) for f in members), ".0f"),
                pct(sum(s >= 80 for s in gen), len(gen)),
                pct(sum(s >= 99 for s in gen), len(gen)),
                pct(sum(s >= 80 for s in imp), len(imp)),
                "-" if not imp else f"{max(imp):.1f}",
                pct(sum(p.similarity >= 80 for p in imp_b), len(imp_b)),
                "-" if not imp_b else f"{max(p.similarity for p in imp_b):.1f}",
                med(p.distance for p in imp_b),
                shrink(pairs, cond),
                med(f.drift for f in members),
                med(f.oracle_drift for f in members),
                med(f.oracle_up4_drift for f in members),
                med(f.face.align_err for f in members),
            ]
        )
    lines += ["", "### Per condition", ""]
    lines += table(
        ["condition", "faces found/expected", "width px", "sharpness", "abs yaw",
         "A: TAR@80", "A: TAR@99", "A: FAR@80", "A: max impostor Sim", "B: FAR@80",
         "B: max impostor Sim", "B: impostor dist median", "B: impostor dist / clean",
         "drift", "drift, oracle landmarks", "drift, oracle 4x", "landmark error / eye dist"],
        rows,
    )  # fmt: skip

    rows = []
    for i, (names, band_of) in enumerate(BANDINGS):
        for band in names:
            members = [f for f in c.faces if band_of(f.face) == band]
            pa = [p for p in pairs if p.mode == "A" and p.bands()[i] == band]
            pb = [p for p in pairs if p.mode == "B" and p.bands()[i] == band]
            ga = [p.distance for p in pa if p.same]
            ia = [p.distance for p in pa if not p.same]
            rows.append(
                [
                    band,
                    str(len(members)),
                    med(ga),
                    "-" if not ga else f"{max(ga):.3f}",
                    med(ia),
                    "-" if not ia else f"{min(ia):.3f}",
                    med(p.distance for p in pb if p.same),
                    med(p.distance for p in pb if not p.same),
                    "-" if not pb else f"{min(p.distance for p in pb if not p.same):.3f}",
                    med(f.face.emb_norm for f in members),
                    med(f.face.lm_disagree for f in members),
                    med(abs(f.face.yaw - f.face.yaw_dlib) for f in members),
                    med((f.face.confidence for f in members), ".1f"),
                ]
            )
    lines += ["", "### Distances and signals per band", ""]
    lines += table(
        ["band", "faces", "A: genuine dist median", "A: genuine max", "A: impostor median",
         "A: impostor min", "B: genuine median", "B: impostor median", "B: impostor min",
         "embedding norm", "MTCNN/dlib eye disagreement / eye dist", "abs(yaw MTCNN - yaw dlib)",
         "confidence"],
        rows,
    )  # fmt: skip

    def where(f: Labelled) -> str:
        frame = f" f{f.variant.frame}" if f.variant.frame >= 0 else ""
        return f"{f.identity} ({f.variant.condition}, {Path(f.variant.source).name}{frame})"

    worst = sorted((p for p in pairs if not p.same), key=lambda p: -p.similarity)[:12]
    lines += ["", "### Highest-scoring impostor pairs", ""]
    lines += table(
        ["mode", "Similarity", "distance", "face a", "face b", "width px", "yaw", "sharpness"],
        (
            [
                p.mode,
                f"{p.similarity:.2f}",
                f"{p.distance:.3f}",
                where(p.a),
                where(p.b),
                f"{p.a.face.width:.0f} / {p.b.face.width:.0f}",
                f"{p.a.face.yaw:.0f} / {p.b.face.yaw:.0f}",
                f"{p.a.face.sharpness:.0f} / {p.b.face.sharpness:.0f}",
            ]
            for p in worst
        ),
    )
    extra = ", ".join(f"{k} {n}" for k, n in sorted(c.unlabelled.items()) if n)
    lines += ["", f"Detections not used (false positives, second boxes): {extra or 'none'}."]
    return lines


def live_check(n: int, pairs: list[Pair], bench: Bench) -> list[str]:
    """Re-score ``n`` mode-A pairs (the highest-scoring impostors and lowest-scoring genuine
    pairs of synthetic probes) through a live server's CompareFaces."""
    sys.path.insert(0, str(ROOT))
    from tests.conftest import CREDENTIALS, LiveServer

    pool = [p for p in pairs if p.mode == "A" and p.b.variant.family != "video"]
    imp = sorted((p for p in pool if not p.same), key=lambda p: -p.similarity)[: (n + 1) // 2]
    gen = sorted((p for p in pool if p.same), key=lambda p: p.similarity)[: n // 2]
    out = ["", f"### Live check: {len(imp) + len(gen)} pairs through boto3 CompareFaces", ""]
    worst = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        env = {"SENSORIUM_CREDENTIALS": CREDENTIALS, "SENSORIUM_SERVICES": "rekognition"}
        server = LiveServer(Path(scratch) / "data", env=env)
        server.start(timeout=180)
        try:
            client = server.client("rekognition")
            for p in imp + gen:
                v = p.b.variant
                clean = bench.measured[f"{v.source}|orig"].faces[0]
                resp = client.compare_faces(
                    SourceImage={"Bytes": (DATA / p.a.variant.source).read_bytes()},
                    TargetImage={"Bytes": bench.encoded(v, clean.width).data},
                    SimilarityThreshold=0,
                )
                m = bench.measured[p.b.image]
                got = None
                for match in resp["FaceMatches"]:
                    bb = match["Face"]["BoundingBox"]
                    cx = (bb["Left"] + bb["Width"] / 2) * m.width
                    cy = (bb["Top"] + bb["Height"] / 2) * m.height
                    if abs(cx - p.b.face.cx) < 1 and abs(cy - p.b.face.cy) < 1:
                        got = float(match["Similarity"])
                worst = max(worst, math.inf if got is None else abs(got - p.similarity))
                shown = "no match" if got is None else f"{got:.3f}"
                out.append(
                    f"- {p.a.identity} vs {p.b.identity} ({v.condition}): here "
                    f"{p.similarity:.3f}, CompareFaces {shown}"
                )
        finally:
            server.stop()
    out.append(f"- largest difference: {worst:.2g}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="/tmp/faces_quality", help="faces.csv, report, cache")
    parser.add_argument("--dump", default=None, help="write every pair with both faces' signals")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--models-dir", default=None, help="default: the configured one")
    parser.add_argument("--live-check", type=int, default=0, metavar="N")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (2 spin against other load)"
    )
    args = parser.parse_args()
    if not (DATA / "faces" / "manifest.csv").is_file() or not (DATA / VIDEO).is_file():
        print(f"skipped: shared data not found under {DATA}")
        return 0
    import torch

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    out = Path(args.out)
    bench = Bench(out, args.no_cache, args.models_dir)
    collected = collect(bench, started)
    calibration = load_calibration()
    pairs = make_pairs(collected.faces, calibration)
    write_faces(out / "faces.csv", collected.faces, bench.measured)
    if args.dump:
        write_pairs(Path(args.dump), pairs, bench.measured)
    lines = report(collected, pairs, calibration)
    if args.live_check > 0:
        lines += live_check(args.live_check, pairs, bench)
    lines += ["", f"Total {time.perf_counter() - started:.0f} s."]
    text = "\n".join(lines)
    (out / "report.md").write_text(text + "\n")
    print(text)
    print(f"\nwrote {out}/faces.csv, {out}/report.md" + (f", {args.dump}" if args.dump else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
