"""Images of text rendered with Pillow's own font (no system fonts needed)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont


def rendered(lines: list[str], size: int = 40, angle: float = 0.0, margin: int = 40) -> bytes:
    """A PNG of ``lines`` in black on white, ``size`` pixels high, turned ``angle`` degrees
    anticlockwise."""
    font = ImageFont.load_default(size=size)
    step = round(size * 1.5)
    width = max(round(font.getlength(text)) for text in lines) + 2 * margin
    height = step * len(lines) + 2 * margin
    page = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(page)
    for number, text in enumerate(lines):
        pen.text((margin, margin + number * step), text, fill="black", font=font)
    if angle:
        page = page.rotate(angle, expand=True, fillcolor="white", resample=Image.Resampling.BICUBIC)
    out = io.BytesIO()
    page.save(out, "PNG")
    return out.getvalue()
