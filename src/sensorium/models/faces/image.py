"""Image bytes to an RGB numpy array, the way Rekognition accepts images (JPEG or PNG only).

* Any Pillow mode is accepted: ``L``, ``LA``, ``P`` (with or without transparency), ``RGBA``,
  ``CMYK``, ``YCbCr``, ``I``/``I;16`` (16-bit greyscale, scaled to 8 bits), ``F``.
* Transparent pixels are composited onto white (a transparent cut-out portrait then reads as
  a face on a plain background rather than on whatever colour the hidden pixels hold).
* The EXIF ``Orientation`` tag is honoured (:func:`PIL.ImageOps.exif_transpose`), so every
  coordinate the face models return is relative to the image *as displayed*.
* Undecodable, truncated or oversized data raise :class:`UnsupportedImageError`.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from sensorium.models.faces.errors import UnsupportedImageError
from sensorium.models.faces.types import RGBImage

ACCEPTED_FORMATS = ("JPEG", "PNG")
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True, slots=True)
class LoadedImage:
    """A decoded image. ``width``/``height`` are after the EXIF rotation was applied."""

    rgb: RGBImage
    width: int
    height: int
    format: str
    """``"JPEG"`` or ``"PNG"``."""
    exif_orientation: int
    """The EXIF orientation tag the file carried (1 = none/upright), already applied."""


def load_image(data: bytes) -> LoadedImage:
    """Decode JPEG/PNG ``data`` into an upright ``(h, w, 3)`` uint8 RGB array."""
    if not data:
        raise UnsupportedImageError("the image is empty")
    try:
        with warnings.catch_warnings():
            # Turn Pillow's "possible decompression bomb" warning into an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as opened:
                fmt = "JPEG" if opened.format in ("JPEG", "MPO") else str(opened.format)
                opened.load()
                orientation = int(opened.getexif().get(_EXIF_ORIENTATION, 1) or 1)
                upright = ImageOps.exif_transpose(opened)
                rgb = _to_rgb_array(upright)
    except UnsupportedImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnsupportedImageError(f"the image is too large to decode: {exc}") from exc
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError) as exc:
        # UnidentifiedImageError is an OSError; truncated data raise OSError on load().
        raise UnsupportedImageError(f"the image cannot be decoded as JPEG or PNG: {exc}") from exc
    if fmt not in ACCEPTED_FORMATS:
        raise UnsupportedImageError(f"unsupported image format {fmt!r}; JPEG or PNG only")
    height, width = rgb.shape[:2]
    return LoadedImage(
        rgb=rgb, width=width, height=height, format=fmt, exif_orientation=orientation
    )


def _to_rgb_array(im: Image.Image) -> RGBImage:
    mode = im.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(im, dtype=np.float64)
        top = 65535.0 if mode != "F" and float(arr.max(initial=0.0)) > 255.0 else 255.0
        if mode == "F":
            top = max(1.0, float(arr.max(initial=1.0)))
        grey = np.clip(arr * (255.0 / top), 0.0, 255.0).round().astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if mode in ("P", "PA", "LA", "La", "RGBa"):
        im = im.convert("RGBA")
    if im.mode == "RGBA":
        background = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, im)
    if im.mode != "RGB":
        im = im.convert("RGB")
    return np.ascontiguousarray(np.asarray(im, dtype=np.uint8))
