"""Where the face models' weight files live.

* dlib's 5-point shape predictor and face-recognition ResNet come from the
  ``face-recognition-models`` distribution (found without importing it: its
  ``__init__`` needs the removed ``pkg_resources``). The 68-point predictor it also ships
  is never used (its licence forbids commercial use).
* MTCNN's P/R/O-net state dicts come from the ``facenet-pytorch`` 2.6.0 wheel (never
  installed: its pins clash with ours), fetched into the models directory by
  ``sensorium models fetch`` (or the first ``sensorium serve``) and checked against the
  SHA-256 recorded below.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from sensorium.models.faces.errors import ModelWeightsMissingError
from sensorium.models.weights import PackagedWeights, WheelFile, WheelWeights

MTCNN_NETS = ("pnet", "rnet", "onet")
MTCNN_SUBDIR = "mtcnn"
MTCNN_WEIGHTS = WheelWeights(
    name="MTCNN face detector",
    requirement="facenet-pytorch==2.6.0",
    folder=MTCNN_SUBDIR,
    files={
        "pnet.pt": WheelFile(
            "facenet_pytorch/data/pnet.pt",
            "a2a71925e0b9996a42f63e47efc1ca19043e69558b5c523b978d611dfae49c8f",
        ),
        "rnet.pt": WheelFile(
            "facenet_pytorch/data/rnet.pt",
            "bbb937de72efc9ef83b186c49f5f558467a1d7e3453a8ece0d71a886633f6a86",
        ),
        "onet.pt": WheelFile(
            "facenet_pytorch/data/onet.pt",
            "165bfbe42940416ccfb977545cf0e976d5bf321f67083ae2aaaa5c764280118d",
        ),
    },
    licence="MIT (facenet-pytorch)",
)
DLIB_WEIGHTS = PackagedWeights("dlib face models", "face_recognition_models", "faces")
DLIB_RUNTIME = PackagedWeights("dlib", "dlib", "faces")

DLIB_SHAPE_PREDICTOR_5 = "shape_predictor_5_face_landmarks.dat"
DLIB_FACE_RECOGNITION = "dlib_face_recognition_resnet_model_v1.dat"


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
    """The configured models directory (``SENSORIUM_MODELS_DIR``, else the user cache)."""
    from sensorium.config import ModelSettings

    return ModelSettings().dir


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
    paths = MTCNN_WEIGHTS.paths(base)
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise ModelWeightsMissingError(
            f"the MTCNN weights are missing ({', '.join(missing)}); run `sensorium models "
            f"fetch` (with SENSORIUM_MODELS_DIR={base} if that is not the default)"
        )
    return MtcnnWeights(pnet=paths["pnet.pt"], rnet=paths["rnet.pt"], onet=paths["onet.pt"])
