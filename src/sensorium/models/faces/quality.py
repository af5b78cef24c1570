"""Face-crop quality, Rekognition-style (0-100, higher is better), in numpy.

* **Brightness** = ``100 * mean(Y) / 255`` over the face box (clipped to the image), with
  ``Y = 0.299 R + 0.587 G + 0.114 B`` (Rec. 601 luma).
* **Sharpness**: the face box, in greyscale, is resampled to 112 x 112 (box filter for
  downscaling, bilinear for upscaling, so the score depends on the detail in the face,
  not on the photo's resolution; small upscaled faces score low, as they should); the
  variance ``v`` of its 4-neighbour Laplacian is mapped with ``100 * (1 - exp(-v / 150))``
  (v = 50 -> 28, 150 -> 63, 300 -> 86, 600 -> 98).

Neither is AWS's (undocumented) formula; both are monotone in what they claim to measure.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from PIL import Image

from sensorium.models.faces.types import Box, Quality, RGBImage

SHARPNESS_SIZE = 112
SHARPNESS_SCALE = 150.0

FloatArray = npt.NDArray[np.float64]


def face_crop(rgb: RGBImage, box: Box) -> RGBImage:
    """The pixels inside ``box`` (clipped to the image); may be empty."""
    h, w = int(rgb.shape[0]), int(rgb.shape[1])
    b = box.clipped(w, h)
    x1, y1 = math.floor(b.left), math.floor(b.top)
    x2, y2 = math.ceil(b.right), math.ceil(b.bottom)
    return rgb[y1:y2, x1:x2]


def luma(rgb: RGBImage) -> FloatArray:
    arr = rgb.astype(np.float64)
    return arr[..., 0] * 0.299 + arr[..., 1] * 0.587 + arr[..., 2] * 0.114


def brightness(crop: RGBImage) -> float:
    if crop.size == 0:
        return 0.0
    return float(np.clip(luma(crop).mean() / 255.0 * 100.0, 0.0, 100.0))


def laplacian_variance(grey: FloatArray) -> float:
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    lap = (
        grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:] - 4.0 * grey[1:-1, 1:-1]
    )
    return float(lap.var())


def sharpness(crop: RGBImage) -> float:
    if crop.shape[0] < 3 or crop.shape[1] < 3:
        return 0.0
    grey = np.clip(luma(crop), 0, 255).astype(np.uint8)
    im = Image.fromarray(grey)
    downscale = min(crop.shape[0], crop.shape[1]) >= SHARPNESS_SIZE
    resample = Image.Resampling.BOX if downscale else Image.Resampling.BILINEAR
    im = im.resize((SHARPNESS_SIZE, SHARPNESS_SIZE), resample)
    v = laplacian_variance(np.asarray(im, dtype=np.float64))
    return float(100.0 * (1.0 - math.exp(-v / SHARPNESS_SCALE)))


def face_quality(rgb: RGBImage, box: Box) -> Quality:
    crop = face_crop(rgb, box)
    return Quality(brightness=brightness(crop), sharpness=sharpness(crop))
