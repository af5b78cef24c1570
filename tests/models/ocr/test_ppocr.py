"""PP-OCR from the rapidocr wheel: loads and reads without touching the network, finds
rotated and multi-line text, and refuses model files that are not the recorded ones."""

from __future__ import annotations

import io
import math
import socket
from typing import Any

import numpy as np
import pytest
from PIL import Image

from sensorium.models.ocr import OcrWeightsMissingError, PpOcr, TextLine, find_ppocr_weights
from sensorium.models.ocr import weights as weights_module
from tests.models.ocr.render import rendered

pytest.importorskip("rapidocr", reason="the ocr extra is not installed")


def rgb(png: bytes) -> np.ndarray[Any, Any]:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.fixture(scope="module")
def ocr() -> PpOcr:
    """Loaded with every way out to the network closed: nothing may be downloaded."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the OCR model reached for the network: {args}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        from rapidocr.utils import download_file

        patch.setattr(download_file.DownloadFile, "run", refuse)
        model = PpOcr()
        model.load("cpu")
        # The first reading runs every step (detector, classifier, recogniser).
        assert model.read(rgb(rendered(["Offline check"])))[0].text == "Offline check"
    return model


def angle_of(line: TextLine) -> float:
    (x0, y0), (x1, y1), _, _ = line.polygon
    return math.degrees(math.atan2(-(y1 - y0), x1 - x0))  # anticlockwise, y pointing down


def test_rotated_lines_and_their_words(ocr: PpOcr) -> None:
    lines = ocr.read(rgb(rendered(["STOP AHEAD", "slow down now"], angle=25)))
    assert [line.text for line in lines] == ["STOP AHEAD", "slow down now"]
    assert [[word.text for word in line.words] for line in lines] == [
        ["STOP", "AHEAD"],
        ["slow", "down", "now"],
    ]
    for line in lines:
        assert angle_of(line) == pytest.approx(25, abs=4)
        assert 0.9 <= line.confidence <= 1
        # Words follow the line: left to right along it, each inside its span.
        starts = [word.polygon[0][0] for word in line.words]
        assert starts == sorted(starts)


def test_upside_down_and_vertical_text(ocr: PpOcr) -> None:
    (flipped,) = ocr.read(rgb(rendered(["Upside down words"], angle=180)))
    assert flipped.text == "Upside down words"
    assert abs(angle_of(flipped)) == pytest.approx(180, abs=4)
    (upward,) = ocr.read(rgb(rendered(["Reading upwards"], angle=90)))
    assert upward.text == "Reading upwards"
    assert angle_of(upward) == pytest.approx(90, abs=4)


def test_no_text(ocr: PpOcr) -> None:
    blank = np.full((200, 300, 3), 255, np.uint8)
    assert ocr.read(blank) == []


def test_weights_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    found = find_ppocr_weights()
    assert found.detector.name == "PP-OCRv6_det_small.onnx"
    changed = dict(weights_module.SHA256, **{weights_module.RECOGNISER: "0" * 64})
    monkeypatch.setattr(weights_module, "SHA256", changed)
    with pytest.raises(OcrWeightsMissingError, match="SHA-256 differs"):
        find_ppocr_weights()
