"""Where the face models' weight files live.

* dlib's 5-point shape predictor and face-recognition ResNet come from the
  ``face-recognition-models`` distribution (found without importing it: its
  ``__init__`` needs the removed ``pkg_resources``). The 68-point predictor it also ships
  is never used (its licence forbids commercial use).
* MTCNN's P/R/O-net state dicts come from the ``facenet-pytorch`` 2.6.0 wheel (never
  installed: its pins clash with ours). Fetch and unpack them with::

      pip download --no-deps facenet-pytorch==2.6.0 -d /tmp/fp
      python -m sensorium.models.faces.weights \\
          /tmp/fp/facenet_pytorch-2.6.0-py3-none-any.whl .models

  which writes ``.models/mtcnn/{pnet,rnet,onet}.pt``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sensorium.models.faces.errors import ModelWeightsMissingError

MODELS_DIR_ENV = "SENSORIUM_MODELS_DIR"
MTCNN_NETS = ("pnet", "rnet", "onet")
MTCNN_SUBDIR = "mtcnn"
# SHA-256 of the state dicts inside facenet_pytorch-2.6.0-py3-none-any.whl.
MTCNN_SHA256: dict[str, str] = {
    "pnet": "a2a71925e0b9996a42f63e47efc1ca19043e69558b5c523b978d611dfae49c8f",
    "rnet": "bbb937de72efc9ef83b186c49f5f558467a1d7e3453a8ece0d71a886633f6a86",
    "onet": "165bfbe42940416ccfb977545cf0e976d5bf321f67083ae2aaaa5c764280118d",
}

DLIB_SHAPE_PREDICTOR_5 = "shape_predictor_5_face_landmarks.dat"
DLIB_FACE_RECOGNITION = "dlib_face_recognition_resnet_model_v1.dat"

_FIX_MTCNN = (
    "run `make models`, or: pip download --no-deps facenet-pytorch==2.6.0 -d /tmp/fp && "
    "python -m sensorium.models.faces.weights /tmp/fp/facenet_pytorch-2.6.0-py3-none-any.whl "
    "<models dir>"
)


@dataclass(frozen=True, slots=True)
class DlibWeights:
    shape_predictor_5: Path
    face_recognition: Path


@dataclass(frozen=True, slots=True)
class MtcnnWeights:
    pnet: Path
    rnet: Path
    onet: Path


def default_models_dir() -> Path:
    """``$SENSORIUM_MODELS_DIR`` if set, else ``./.models`` (relative to the working dir)."""
    env = os.environ.get(MODELS_DIR_ENV)
    return Path(env) if env else Path.cwd() / ".models"


def find_dlib_weights() -> DlibWeights:
    """The dlib model files shipped by the ``face-recognition-models`` distribution."""
    spec = importlib.util.find_spec("face_recognition_models")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        folder = Path(location) / "models"
        sp = folder / DLIB_SHAPE_PREDICTOR_5
        fr = folder / DLIB_FACE_RECOGNITION
        if sp.is_file() and fr.is_file():
            return DlibWeights(shape_predictor_5=sp, face_recognition=fr)
    raise ModelWeightsMissingError(
        "dlib face models not found: pip install face-recognition-models "
        f"(need {DLIB_SHAPE_PREDICTOR_5} and {DLIB_FACE_RECOGNITION})"
    )


def find_mtcnn_weights(models_dir: str | os.PathLike[str] | None = None) -> MtcnnWeights:
    """The MTCNN state dicts under ``<models_dir>/mtcnn/`` (default :func:`default_models_dir`)."""
    base = Path(models_dir) if models_dir is not None else default_models_dir()
    folder = base / MTCNN_SUBDIR
    paths = {name: folder / f"{name}.pt" for name in MTCNN_NETS}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise ModelWeightsMissingError(
            f"MTCNN weights missing ({', '.join(missing)}); {_FIX_MTCNN}"
        )
    return MtcnnWeights(pnet=paths["pnet"], rnet=paths["rnet"], onet=paths["onet"])


def extract_mtcnn_weights(
    wheel_path: str | os.PathLike[str], dest_dir: str | os.PathLike[str]
) -> MtcnnWeights:
    """Copy ``facenet_pytorch/data/{pnet,rnet,onet}.pt`` out of the wheel (a zip) into
    ``<dest_dir>/mtcnn/``. Only those three members are read; nothing is executed."""
    folder = Path(dest_dir) / MTCNN_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel_path) as wheel:
        for name in MTCNN_NETS:
            member = f"facenet_pytorch/data/{name}.pt"
            try:
                data = wheel.read(member)
            except KeyError as exc:
                raise ModelWeightsMissingError(f"{wheel_path} has no {member}") from exc
            expected = MTCNN_SHA256.get(name)
            if expected is not None and hashlib.sha256(data).hexdigest() != expected:
                raise ModelWeightsMissingError(f"{member} in {wheel_path}: checksum mismatch")
            tmp = folder / f".{name}.pt.tmp"
            tmp.write_bytes(data)
            tmp.replace(folder / f"{name}.pt")
    return find_mtcnn_weights(dest_dir)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print(
            "usage: python -m sensorium.models.faces.weights WHEEL [MODELS_DIR]",
            file=sys.stderr,
        )
        return 2
    dest = Path(args[1]) if len(args) == 2 else default_models_dir()
    weights = extract_mtcnn_weights(args[0], dest)
    print(f"MTCNN weights written to {weights.pnet.parent}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
