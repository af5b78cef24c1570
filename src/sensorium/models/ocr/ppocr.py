"""PP-OCR through rapidocr and onnxruntime: lines of text, each with its words.

The steps are rapidocr's (PP-OCRv6 small detector, PP-OCR mobile v2.0 direction classifier,
PP-OCRv6 small recogniser); two things are our own:

* **Upside-down lines.** The direction classifier turns a crop it believes upside down
  before recognition; it is sometimes sure and wrong (a line of the photographed page in the
  shared data), and sometimes misses upside-down text. A crop it turns, and any crop read
  with less than ``DOUBT_BELOW`` confidence, is read the other way up too, and the reading
  with the higher recogniser confidence is kept.
* **Words.** Each line is split into words at its spaces and every word is placed from the
  frames the recogniser emitted its characters at (:mod:`sensorium.models.ocr.words`);
  rapidocr's own word boxes are not used (rounded to whole pixels, they ignore a crop read
  upside down, and rapidocr 3.10 pairs each English word with one character's probability).

Lines whose recogniser confidence is below ``MIN_LINE_CONFIDENCE`` (rapidocr's default
``text_score``) are dropped: below it PP-OCR's readings are mostly noise.

rapidocr and onnxruntime are imported when the model loads; every model file is opened from
the path :func:`find_ppocr_weights` checked (nothing is downloaded).
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

from sensorium.models.ocr.types import Quad, TextLine
from sensorium.models.ocr.weights import RAPIDOCR_VERSION, PpOcrWeights, find_ppocr_weights
from sensorium.models.ocr.words import Orientation, Recognised, place, split

RGBImage = np.ndarray[Any, np.dtype[np.uint8]]

# Rekognition's TextModelVersion: the model files (PP-OCRv6 small) and our pipeline (v1:
# words placed from the recogniser's frames, upside-down crops read both ways).
TEXT_MODEL_VERSION = "ppocrv6_small_v1"
MIN_LINE_CONFIDENCE = 0.5
# A line read with less confidence than this is read upside down too (the better one is kept).
DOUBT_BELOW = 0.9
# PP-OCR turns a crop at least this much taller than wide a quarter turn before reading it.
VERTICAL_RATIO = 1.5


class PpOcr:
    """Detect, orient and read every line of text in an RGB image."""

    model_version = TEXT_MODEL_VERSION

    def __init__(self, weights: PpOcrWeights | None = None) -> None:
        self._weights = weights
        self._engine: Any = None
        # rapidocr keeps per-call settings on the engine object: one reading at a time.
        self._lock = threading.Lock()

    def load(self, device: str = "cpu") -> None:
        from rapidocr import RapidOCR

        weights = self._weights or find_ppocr_weights()
        params = {
            "Global.log_level": "warning",
            "Global.return_word_box": True,  # the recogniser's frame for each character
            "Global.text_score": MIN_LINE_CONFIDENCE,
            "Det.model_path": str(weights.detector),
            "Cls.model_path": str(weights.classifier),
            "Rec.model_path": str(weights.recogniser),
            "EngineConfig.onnxruntime.use_cuda": device == "cuda",
        }
        engine: Any = RapidOCR(params=params)
        # rapidocr opens each model on its first use; open all three now.
        engine._load_det_model()
        engine._load_cls_model()
        recogniser = engine._load_rec_model()
        if not recogniser.session.have_key():
            # Without its character list inside the file, rapidocr would download one.
            raise RuntimeError(f"{weights.recogniser} carries no character list")
        self._engine = engine

    @property
    def runtime(self) -> str:
        return f"rapidocr {RAPIDOCR_VERSION}"

    def read(self, rgb: RGBImage) -> list[TextLine]:
        """Every line of text in reading order (:func:`reading_order`), in pixel
        coordinates."""
        assert self._engine is not None, "load() first"
        with self._lock:
            return self._read(np.ascontiguousarray(rgb[:, :, ::-1]))  # rapidocr takes BGR

    def _read(self, bgr: np.ndarray[Any, Any]) -> list[TextLine]:
        from rapidocr.main import RapidOCRError
        from rapidocr.utils.process_img import map_boxes_to_original

        engine = self._engine
        height, width = bgr.shape[:2]
        image, record = engine.preprocess_img(bgr)
        try:
            crops, detected = engine.detect_and_crop(image, record)
        except RapidOCRError:  # no text found
            return []
        boxes = np.asarray(detected.boxes, dtype=np.float64)
        vertical = [_is_vertical(box) for box in boxes]
        turned, classified = engine.cls_and_rotate(crops)
        flipped = [
            "180" in label and score > engine.cfg.Cls.cls_thresh
            for label, score in classified.cls_res
        ]
        readings = _readings(engine.recognize_txt(turned))
        # Read the other way up what the classifier turned, and what reads poorly as it is.
        doubtful = [
            index
            for index, reading in enumerate(readings)
            if flipped[index] or _score(reading) < DOUBT_BELOW
        ]
        if doubtful:
            others = [
                crops[index] if flipped[index] else np.ascontiguousarray(np.rot90(crops[index], 2))
                for index in doubtful
            ]
            for index, other in zip(doubtful, _readings(engine.recognize_txt(others)), strict=True):
                if _score(other) > _score(readings[index]):
                    readings[index] = other
                    flipped[index] = not flipped[index]
        placed = map_boxes_to_original(boxes.copy(), record, height, width)
        lines = []
        for box, reading, upright_vertical, flip in zip(
            placed, readings, vertical, flipped, strict=True
        ):
            text, score = reading[0], reading[1]
            if not text.strip() or score < MIN_LINE_CONFIDENCE:
                continue
            quad = _quad(box)
            orientation = Orientation(vertical=upright_vertical, flipped=flip)
            words = split(reading[2], quad, orientation)
            lines.append(
                TextLine(
                    text=" ".join(word.text for word in words),
                    confidence=float(score),
                    polygon=place(quad, 0.0, 1.0, orientation),
                    words=tuple(words),
                )
            )
        return reading_order(lines)


def reading_order(lines: list[TextLine]) -> list[TextLine]:
    """Lines top to bottom, then left to right, as the text runs: turned by the lines' mean
    direction (each weighted by its length), so that a page photographed at an angle or
    upside down is still read from its first line."""
    if len(lines) < 2:
        return lines
    dx = sum(line.polygon[1][0] - line.polygon[0][0] for line in lines)
    dy = sum(line.polygon[1][1] - line.polygon[0][1] for line in lines)
    norm = math.hypot(dx, dy) or 1.0
    cos, sin = dx / norm, dy / norm

    def along_and_down(line: TextLine) -> tuple[float, float, float]:
        cx = sum(x for x, _ in line.polygon) / 4
        cy = sum(y for _, y in line.polygon) / 4
        (x0, y0), _, _, (x3, y3) = line.polygon
        return cx * cos + cy * sin, -cx * sin + cy * cos, math.hypot(x3 - x0, y3 - y0)

    placed = sorted(((along_and_down(line), line) for line in lines), key=lambda p: p[0][1])
    rows: list[list[tuple[tuple[float, float, float], TextLine]]] = []
    for item in placed:
        (_, down, height), _ = item
        if rows and down - rows[-1][0][0][1] < height / 2:
            rows[-1].append(item)  # beside the row's first line: the same row
        else:
            rows.append([item])
    return [line for row in rows for _, line in sorted(row, key=lambda p: p[0][0])]


Reading = tuple[str, float, Recognised]


def _readings(output: Any) -> list[Reading]:
    readings: list[Reading] = []
    for text, score, info in zip(output.txts, output.scores, output.word_results, strict=True):
        columns = [column for word in info.word_cols for column in word]
        recognised = Recognised(
            text=str(text),
            confidences=[float(c) for c in info.confs],
            columns=[int(c) for c in columns],
            frames=float(info.line_txt_len),
        )
        readings.append((str(text), float(score), recognised))
    return readings


def _score(reading: Reading) -> float:
    return reading[1] if reading[0].strip() else -1.0


def _is_vertical(box: np.ndarray[Any, Any]) -> bool:
    """What PP-OCR's crop decides (``get_rotate_crop_image``): sides measured as it does."""
    width = int(max(np.linalg.norm(box[0] - box[1]), np.linalg.norm(box[2] - box[3])))
    height = int(max(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2])))
    return width > 0 and height / width >= VERTICAL_RATIO


def _quad(box: np.ndarray[Any, Any]) -> Quad:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = (
        (float(x), float(y)) for x, y in np.asarray(box, np.float64)
    )
    return ((x0, y0), (x1, y1), (x2, y2), (x3, y3))
