from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sensorium.models.faces import ImageTooLargeError, UnsupportedImageError, load_image
from sensorium.models.faces.image import MAX_SIDE, WORK_SIDE


def _encode(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _gradient(w: int = 40, h: int = 30) -> Image.Image:
    x = np.linspace(0, 255, w, dtype=np.uint8)[None, :].repeat(h, axis=0)
    return Image.fromarray(np.stack([x, x[::-1], np.full_like(x, 128)], axis=2))


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "I;16", "1"])
def test_png_modes_decode_to_rgb(mode: str) -> None:
    im = _gradient()
    if mode == "I;16":
        arr = (np.asarray(im.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
        im = Image.fromarray(arr)
    else:
        im = im.convert(mode)
    loaded = load_image(_encode(im, "PNG"))
    assert loaded.rgb.shape == (30, 40, 3)
    assert loaded.rgb.dtype == np.uint8
    assert (loaded.width, loaded.height, loaded.format) == (40, 30, "PNG")
    if mode == "I;16":  # 16-bit scaled down, not clipped to white
        assert 100 < loaded.rgb.mean() < 160


def test_transparent_pixels_become_white() -> None:
    im = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    assert load_image(_encode(im, "PNG")).rgb.min() == 255


@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
def test_jpeg_modes(mode: str) -> None:
    loaded = load_image(_encode(_gradient().convert(mode), "JPEG"))
    assert loaded.rgb.shape == (30, 40, 3)
    assert loaded.format == "JPEG"


def test_exif_orientation_is_applied() -> None:
    upright = _gradient(40, 30)
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # 30 wide, 40 high
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    loaded = load_image(_encode(stored, "JPEG", exif=exif.tobytes(), quality=95))
    assert (loaded.width, loaded.height) == (40, 30)
    assert loaded.exif_orientation == 6
    diff = np.abs(loaded.rgb.astype(int) - np.asarray(upright, dtype=int)).mean()
    assert diff < 6


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 20],
)
def test_garbage_is_rejected(data: bytes) -> None:
    with pytest.raises(UnsupportedImageError):
        load_image(data)


def test_truncated_jpeg_is_rejected() -> None:
    data = _encode(_gradient(200, 200), "JPEG")
    with pytest.raises(UnsupportedImageError):
        load_image(data[: len(data) // 2])


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "WEBP"])
def test_other_formats_are_rejected(fmt: str) -> None:
    try:
        data = _encode(_gradient(), fmt)
    except (KeyError, OSError):
        pytest.skip(f"Pillow cannot write {fmt}")
    with pytest.raises(UnsupportedImageError):
        load_image(data)


def test_32bit_rgba_png_from_shared_data(faces_data: Path) -> None:
    loaded = load_image((faces_data / "face_recognition/tests/test_images/32bit.png").read_bytes())
    assert loaded.rgb.shape == (1200, 626, 3)


def test_sides_past_the_limit_are_refused_from_the_header() -> None:
    wide = _encode(Image.new("1", (MAX_SIDE + 1, 100)), "PNG")
    with pytest.raises(ImageTooLargeError):
        load_image(wide)


def test_a_png_past_the_pixel_budget_is_refused_before_decoding() -> None:
    with pytest.raises(ImageTooLargeError):
        load_image(_encode(Image.new("1", (7000, 7000)), "PNG"))


def test_a_large_jpeg_is_decoded_reduced_to_the_working_size() -> None:
    loaded = load_image(_encode(Image.new("L", (8000, 4000)), "JPEG"))
    assert (loaded.width, loaded.height) == (WORK_SIDE, WORK_SIDE // 2)
