"""Where the text models' weight files live: inside the ``rapidocr`` wheel (the ``faces`` extra).

rapidocr 3.10.0 (Apache-2.0) ships three ONNX files under ``rapidocr/models``: PP-OCRv6's
small text detector and small recogniser, and PP-OCR's mobile v2.0 direction classifier.
Left to its defaults rapidocr resolves model names from a table of download URLs, and fetches
any file whose checksum differs; we never let it: every file is named by path, checked
against the SHA-256 recorded here, and opened directly, so nothing is downloaded at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sensorium.models.ocr.errors import OcrWeightsMissingError
from sensorium.models.registry import package_dir
from sensorium.models.weights import PackagedWeights, sha256_of

RAPIDOCR_VERSION = "3.10.0"
PPOCR_WEIGHTS = PackagedWeights("PP-OCR text models", "rapidocr", "faces")

DETECTOR = "PP-OCRv6_det_small.onnx"
CLASSIFIER = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
RECOGNISER = "PP-OCRv6_rec_small.onnx"
SHA256 = {
    DETECTOR: "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f",
    CLASSIFIER: "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c",
    RECOGNISER: "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884",
}


@dataclass(frozen=True, slots=True)
class PpOcrWeights:
    detector: Path
    classifier: Path
    recogniser: Path


def find_ppocr_weights(check: bool = True) -> PpOcrWeights:
    """The three ONNX files inside the installed ``rapidocr``; with ``check``, each must have
    the SHA-256 recorded above (the files the benchmarks measured)."""
    fix = f"pip install 'sensorium[faces]' (rapidocr=={RAPIDOCR_VERSION})"
    try:
        folder = package_dir("rapidocr") / "models"
    except FileNotFoundError:
        raise OcrWeightsMissingError(f"rapidocr is not installed: {fix}") from None
    for name, digest in SHA256.items():
        path = folder / name
        if not path.is_file():
            raise OcrWeightsMissingError(f"{path} is missing: {fix}")
        if check and sha256_of(path) != digest:
            raise OcrWeightsMissingError(
                f"{path} is not the file this version of Sensorium was measured with "
                f"(SHA-256 differs): {fix}"
            )
    return PpOcrWeights(folder / DETECTOR, folder / CLASSIFIER, folder / RECOGNISER)
