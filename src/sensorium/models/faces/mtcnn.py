"""MTCNN face detector (Zhang et al. 2016), our own PyTorch/numpy implementation.

Weights: the P/R/O-net state dicts distributed in the ``facenet-pytorch`` 2.6.0 wheel
(converted from the authors' Caffe models), see :mod:`sensorium.models.faces.weights`.

Cascade:

1. Image pyramid: scales ``12/min_face_size * factor**k`` while the short side stays >= 12 px.
2. P-Net (fully convolutional) on every scale; cells with face probability >= ``thresholds[0]``
   become 12x12 windows mapped back to the image; NMS 0.5 per scale, then 0.7 over all;
   box regression; boxes squared.
3. R-Net on 24x24 crops (zero-padded outside the image): probability >= ``thresholds[1]``,
   NMS 0.7, regression, squared.
4. O-Net on 48x48 crops: probability >= ``thresholds[2]``, five landmarks, regression, then
   NMS 0.7 on intersection-over-minimum.

``DetectedFace.confidence`` is 100 x O-Net's face probability.
Landmark order from O-Net: image-left eye, image-right eye, nose, image-left mouth corner,
image-right mouth corner, which is Rekognition's eyeLeft, eyeRight, nose, mouthLeft,
mouthRight.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sensorium.models.faces.detector import FaceDetector
from sensorium.models.faces.nms import nms
from sensorium.models.faces.types import Box, DetectedFace, Landmarks5, Point, RGBImage
from sensorium.models.faces.weights import MtcnnWeights, find_mtcnn_weights

if TYPE_CHECKING:
    import torch

FloatArray = npt.NDArray[np.float64]

DEFAULT_THRESHOLDS = (0.6, 0.7, 0.9)
DEFAULT_MIN_FACE_SIZE = 20
DEFAULT_FACTOR = 0.709


def _build_nets() -> tuple[torch.nn.Module, torch.nn.Module, torch.nn.Module]:
    """The three networks; attribute names match the facenet-pytorch state dicts."""
    import torch
    from torch import nn

    class PNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, 10, kernel_size=3)
            self.prelu1 = nn.PReLU(10)
            self.pool1 = nn.MaxPool2d(2, 2, ceil_mode=True)
            self.conv2 = nn.Conv2d(10, 16, kernel_size=3)
            self.prelu2 = nn.PReLU(16)
            self.conv3 = nn.Conv2d(16, 32, kernel_size=3)
            self.prelu3 = nn.PReLU(32)
            self.conv4_1 = nn.Conv2d(32, 2, kernel_size=1)
            self.conv4_2 = nn.Conv2d(32, 4, kernel_size=1)

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            x = self.pool1(self.prelu1(self.conv1(x)))
            x = self.prelu2(self.conv2(x))
            x = self.prelu3(self.conv3(x))
            prob = torch.softmax(self.conv4_1(x), dim=1)
            return prob, self.conv4_2(x)

    class RNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, 28, kernel_size=3)
            self.prelu1 = nn.PReLU(28)
            self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv2 = nn.Conv2d(28, 48, kernel_size=3)
            self.prelu2 = nn.PReLU(48)
            self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv3 = nn.Conv2d(48, 64, kernel_size=2)
            self.prelu3 = nn.PReLU(64)
            self.dense4 = nn.Linear(576, 128)
            self.prelu4 = nn.PReLU(128)
            self.dense5_1 = nn.Linear(128, 2)
            self.dense5_2 = nn.Linear(128, 4)

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            x = self.pool1(self.prelu1(self.conv1(x)))
            x = self.pool2(self.prelu2(self.conv2(x)))
            x = self.prelu3(self.conv3(x))
            # The Caffe original flattens in (W, H, C) order.
            x = x.permute(0, 3, 2, 1).contiguous().flatten(1)
            x = self.prelu4(self.dense4(x))
            return torch.softmax(self.dense5_1(x), dim=1), self.dense5_2(x)

    class ONet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, 32, kernel_size=3)
            self.prelu1 = nn.PReLU(32)
            self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv2 = nn.Conv2d(32, 64, kernel_size=3)
            self.prelu2 = nn.PReLU(64)
            self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv3 = nn.Conv2d(64, 64, kernel_size=3)
            self.prelu3 = nn.PReLU(64)
            self.pool3 = nn.MaxPool2d(2, 2, ceil_mode=True)
            self.conv4 = nn.Conv2d(64, 128, kernel_size=2)
            self.prelu4 = nn.PReLU(128)
            self.dense5 = nn.Linear(1152, 256)
            self.prelu5 = nn.PReLU(256)
            self.dense6_1 = nn.Linear(256, 2)
            self.dense6_2 = nn.Linear(256, 4)
            self.dense6_3 = nn.Linear(256, 10)

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            x = self.pool1(self.prelu1(self.conv1(x)))
            x = self.pool2(self.prelu2(self.conv2(x)))
            x = self.pool3(self.prelu3(self.conv3(x)))
            x = self.prelu4(self.conv4(x))
            x = x.permute(0, 3, 2, 1).contiguous().flatten(1)
            x = self.prelu5(self.dense5(x))
            return torch.softmax(self.dense6_1(x), dim=1), self.dense6_2(x), self.dense6_3(x)

    return PNet(), RNet(), ONet()


def _square(boxes: FloatArray) -> FloatArray:
    """Grow each ``x1, y1, x2, y2`` box to a square around its centre (MTCNN's ``rerec``)."""
    out = boxes.copy()
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    out[:, 0] = boxes[:, 0] + w * 0.5 - side * 0.5
    out[:, 1] = boxes[:, 1] + h * 0.5 - side * 0.5
    out[:, 2] = out[:, 0] + side
    out[:, 3] = out[:, 1] + side
    return out


def _regress(boxes: FloatArray, reg: FloatArray) -> FloatArray:
    out = boxes.copy()
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    out[:, 0] += reg[:, 0] * w
    out[:, 1] += reg[:, 1] * h
    out[:, 2] += reg[:, 2] * w
    out[:, 3] += reg[:, 3] * h
    return out


class MtcnnDetector(FaceDetector):
    """MTCNN: boxes, O-Net probability as confidence, five landmarks (mouth included)."""

    name = "mtcnn"

    def __init__(
        self,
        weights: MtcnnWeights | None = None,
        *,
        models_dir: str | os.PathLike[str] | None = None,
        min_face_size: int = DEFAULT_MIN_FACE_SIZE,
        thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
        factor: float = DEFAULT_FACTOR,
        max_image_side: int | None = 1600,
        device: str = "cpu",
    ) -> None:
        """``max_image_side``: larger images are downscaled (area filter) before detection
        and coordinates scaled back; this bounds the pyramid's cost. ``None`` disables it.
        ``device``: where the three networks run ("cpu" or "cuda")."""
        if len(thresholds) != 3:
            raise ValueError("thresholds needs one value per stage (3)")
        self._weights = weights
        self._models_dir = models_dir
        self.min_face_size = min_face_size
        self.thresholds = (float(thresholds[0]), float(thresholds[1]), float(thresholds[2]))
        self.factor = factor
        self.max_image_side = max_image_side
        self.device = device
        self._nets: tuple[torch.nn.Module, torch.nn.Module, torch.nn.Module] | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._nets is not None:
                return
            import torch

            weights = self._weights or find_mtcnn_weights(self._models_dir)
            nets = _build_nets()
            for net, path in zip(nets, (weights.pnet, weights.rnet, weights.onet), strict=True):
                state = torch.load(path, map_location="cpu", weights_only=True)
                net.load_state_dict(state)
                net.to(self.device).eval()
            self._nets = nets

    def detect(self, rgb: RGBImage) -> list[DetectedFace]:
        import torch

        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f"expected an (h, w, 3) RGB array, got shape {rgb.shape}")
        if self._nets is None:
            self.load()
        assert self._nets is not None
        with torch.inference_mode():
            return self._detect(rgb)

    # -- the cascade -------------------------------------------------------------------

    def _detect(self, rgb: RGBImage) -> list[DetectedFace]:
        import torch
        import torch.nn.functional as F

        pnet, rnet, onet = self._nets  # type: ignore[misc]
        img = torch.from_numpy(np.array(rgb, dtype=np.float32)).permute(2, 0, 1)[None]
        img = img.to(self.device)
        full_h, full_w = int(rgb.shape[0]), int(rgb.shape[1])
        shrink = 1.0
        if self.max_image_side is not None and max(full_h, full_w) > self.max_image_side:
            shrink = self.max_image_side / max(full_h, full_w)
            size = (max(1, round(full_h * shrink)), max(1, round(full_w * shrink)))
            img = F.interpolate(img, size=size, mode="area")
        img = (img - 127.5) * 0.0078125
        h, w = int(img.shape[2]), int(img.shape[3])
        min_face = max(12.0, self.min_face_size * shrink)

        # Stage 1: P-Net over the pyramid.
        scale = 12.0 / min_face
        short = min(h, w) * scale
        candidates: list[FloatArray] = []
        while short >= 12:
            sh, sw = int(h * scale + 1), int(w * scale + 1)
            scaled = F.interpolate(img, size=(sh, sw), mode="area")
            prob_t, reg_t = pnet(scaled)
            prob = prob_t[0, 1].cpu().numpy().astype(np.float64)
            reg = reg_t[0].cpu().numpy().astype(np.float64)
            ys, xs = np.nonzero(prob >= self.thresholds[0])
            if ys.size:
                x1 = np.floor((2 * xs + 1) / scale)
                y1 = np.floor((2 * ys + 1) / scale)
                x2 = np.floor((2 * xs + 12) / scale)
                y2 = np.floor((2 * ys + 12) / scale)
                found = np.stack(
                    [x1, y1, x2, y2, prob[ys, xs], *(reg[k, ys, xs] for k in range(4))], axis=1
                )
                found = found[nms(found[:, :4], found[:, 4], 0.5)]
                candidates.append(found)
            scale *= self.factor
            short *= self.factor
        if not candidates:
            return []
        boxes = np.concatenate(candidates, axis=0)
        boxes = boxes[nms(boxes[:, :4], boxes[:, 4], 0.7)]
        boxes = _square(_regress(boxes[:, :4], boxes[:, 5:9]))

        # Stage 2: R-Net refines.
        prob_t, reg_t = rnet(self._crops(img, boxes, 24))
        score = prob_t[:, 1].cpu().numpy().astype(np.float64)
        keep = score >= self.thresholds[1]
        boxes, score = boxes[keep], score[keep]
        reg = reg_t.cpu().numpy().astype(np.float64)[keep]
        if boxes.shape[0] == 0:
            return []
        pick = nms(boxes, score, 0.7)
        boxes = _square(_regress(boxes[pick], reg[pick]))

        # Stage 3: O-Net scores, regresses and places landmarks.
        prob_t, reg_t, pts_t = onet(self._crops(img, boxes, 48))
        score = prob_t[:, 1].cpu().numpy().astype(np.float64)
        keep = score >= self.thresholds[2]
        boxes, score = boxes[keep], score[keep]
        reg = reg_t.cpu().numpy().astype(np.float64)[keep]
        pts = pts_t.cpu().numpy().astype(np.float64)[keep]
        if boxes.shape[0] == 0:
            return []
        x0 = np.floor(boxes[:, 0])[:, None]
        y0 = np.floor(boxes[:, 1])[:, None]
        side_w = (np.floor(boxes[:, 2]) - np.floor(boxes[:, 0]))[:, None]
        side_h = (np.floor(boxes[:, 3]) - np.floor(boxes[:, 1]))[:, None]
        px = x0 + pts[:, 0:5] * side_w
        py = y0 + pts[:, 5:10] * side_h
        boxes = _regress(boxes, reg)
        pick = nms(boxes, score, 0.7, mode="min")

        inv = 1.0 / shrink
        faces: list[DetectedFace] = []
        for i in pick:
            b = boxes[i] * inv
            xs_i, ys_i = px[i] * inv, py[i] * inv
            points = [Point(float(xs_i[k]), float(ys_i[k])) for k in range(5)]
            faces.append(
                DetectedFace(
                    box=Box(float(b[0]), float(b[1]), float(b[2]), float(b[3])),
                    confidence=float(min(100.0, max(0.0, score[i] * 100.0))),
                    landmarks=Landmarks5(
                        eye_left=points[0],
                        eye_right=points[1],
                        nose=points[2],
                        mouth_left=points[3],
                        mouth_right=points[4],
                    ),
                )
            )
        faces.sort(key=lambda f: -f.confidence)
        return faces

    @staticmethod
    def _crops(img: torch.Tensor, boxes: FloatArray, size: int) -> torch.Tensor:
        """``size`` x ``size`` crops of the (normalised) image, zero-padded (pixel value 0,
        i.e. -1 after normalisation) where a box leaves the image."""
        import torch
        import torch.nn.functional as F

        h, w = int(img.shape[2]), int(img.shape[3])
        out = torch.empty((boxes.shape[0], 3, size, size), dtype=img.dtype, device=img.device)
        for k in range(boxes.shape[0]):
            x1, y1 = math.floor(boxes[k, 0]), math.floor(boxes[k, 1])
            x2, y2 = math.floor(boxes[k, 2]), math.floor(boxes[k, 3])
            bw, bh = max(1, x2 - x1), max(1, y2 - y1)
            canvas = torch.full((1, 3, bh, bw), -1.0, dtype=img.dtype, device=img.device)
            sx1, sy1 = max(0, x1), max(0, y1)
            sx2, sy2 = min(w, x1 + bw), min(h, y1 + bh)
            if sx2 > sx1 and sy2 > sy1:
                canvas[:, :, sy1 - y1 : sy2 - y1, sx1 - x1 : sx2 - x1] = img[:, :, sy1:sy2, sx1:sx2]
            out[k] = F.interpolate(canvas, size=(size, size), mode="area")[0]
        return out
