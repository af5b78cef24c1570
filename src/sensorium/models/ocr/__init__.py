"""Text in images for Rekognition's DetectText: PP-OCR (rapidocr, onnxruntime).

Pure model code: numpy images in, dataclasses out (pixel coordinates). rapidocr is imported
lazily, when the model is loaded.

Typical use::

    from sensorium.models.ocr import PpOcr

    ocr = PpOcr()                 # PP-OCRv6 small, from the rapidocr wheel
    ocr.load()                    # once, at start-up
    lines = ocr.read(image.rgb)   # list[TextLine], each with its words
"""

from sensorium.models.ocr.engine import TEXT_MODEL, TextEngine, TextRequest
from sensorium.models.ocr.errors import OcrWeightsMissingError
from sensorium.models.ocr.ppocr import MIN_LINE_CONFIDENCE, TEXT_MODEL_VERSION, PpOcr
from sensorium.models.ocr.types import Point, Quad, TextLine, TextWord
from sensorium.models.ocr.weights import PPOCR_WEIGHTS, find_ppocr_weights

__all__ = [
    "MIN_LINE_CONFIDENCE",
    "PPOCR_WEIGHTS",
    "TEXT_MODEL",
    "TEXT_MODEL_VERSION",
    "OcrWeightsMissingError",
    "Point",
    "PpOcr",
    "Quad",
    "TextEngine",
    "TextLine",
    "TextRequest",
    "TextWord",
    "find_ppocr_weights",
]
