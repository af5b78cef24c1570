"""Image bytes to an RGB numpy array, the way Rekognition accepts images (JPEG or PNG only).

* Any Pillow mode is accepted: ``L``, ``LA``, ``P`` (with or without transparency), ``RGBA``,
  ``CMYK``, ``YCbCr``, ``I``/``I;16`` (16-bit greyscale, scaled to 8 bits), ``F``.
* Transparent pixels are composited onto white (a transparent cut-out portrait then reads as
  a face on a plain background rather than on whatever colour the hidden pixels hold).
* The EXIF ``Orientation`` tag is honoured (:func:`PIL.ImageOps.exif_transpose`), so every
  coordinate the face models return is relative to the image *as displayed*.
* Undecodable, truncated or oversized data raise :class:`UnsupportedImageError`.
* Cost is bounded before decoding, from the header: sides past ``MAX_SIDE`` are refused
  (:class:`ImageTooLargeError`); a JPEG is decoded directly at a reduced scale near
  ``WORK_SIDE`` (libjpeg's DCT scaling); a PNG, which cannot be reduced while decoding, may
  hold at most ``MAX_DECODED_PIXELS``. Every image is then resized to at most ``WORK_SIDE`` on
  its longer side: face detection works at that resolution anyway (Rekognition documents the
  same: larger images need proportionally larger faces).
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from sensorium.models.faces.errors import ImageTooLargeError, UnsupportedImageError
from sensorium.models.faces.types import RGBImage

ACCEPTED_FORMATS = ("JPEG", "PNG")
_EXIF_ORIENTATION = 0x0112
MAX_SIDE = 10_000  # Rekognition's largest image side (DetectLabels, DetectModerationLabels)
MAX_DECODED_PIXELS = 36_000_000  # a PNG of 6000 x 6000: about 144 MB decoded
WORK_SIDE = 2560


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
                _reduce_while_decoding(opened, fmt)
                opened.load()
                orientation = int(opened.getexif().get(_EXIF_ORIENTATION, 1) or 1)
                upright = _at_most(ImageOps.exif_transpose(opened), WORK_SIDE)
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


def _reduce_while_decoding(opened: Image.Image, fmt: str) -> None:
    """Refuse what is too large from the header alone; ask libjpeg for a reduced decode."""
    width, height = opened.size
    if max(width, height) > MAX_SIDE:
        raise ImageTooLargeError(
            f"the image is {width}x{height} pixels; its sides may be at most {MAX_SIDE}"
        )
    longer = max(width, height)
    if fmt == "JPEG" and longer > WORK_SIDE:
        scale = WORK_SIDE / longer
        opened.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
    elif width * height > MAX_DECODED_PIXELS:
        raise ImageTooLargeError(
            f"the {fmt} image has {width * height} pixels; at most {MAX_DECODED_PIXELS} are "
            "decoded (a JPEG of these dimensions is accepted)"
        )


def _at_most(image: Image.Image, side: int) -> Image.Image:
    if max(image.size) <= side:
        return image
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _to_rgb_array(im: Image.Image) -> RGBImage:
    mode = im.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(im, dtype=np.float32)
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
