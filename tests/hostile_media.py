"""Media made to be refused: long silent audio and large images, built in memory."""

from __future__ import annotations

import io

import av
import numpy as np
from PIL import Image


def image_bytes(width: int, height: int, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("1" if fmt == "PNG" else "L", (width, height)).save(buffer, fmt)
    return buffer.getvalue()


def silent_flac(seconds: int, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="flac") as out:
        stream = out.add_stream("flac", rate=rate, layout="mono")
        chunk = np.zeros((1, rate * 10), dtype=np.int16)
        for _ in range(seconds // 10):
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()
