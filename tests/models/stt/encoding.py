"""Re-encode a shared clip into another container/codec/rate/layout with PyAV (for tests)."""

from __future__ import annotations

import io
from pathlib import Path

import av

# name -> (container, codec, sample rate, channel layout): every format Transcribe accepts.
FORMATS = {
    "wav": ("wav", "pcm_s16le", 22050, "stereo"),
    "mp3": ("mp3", "libmp3lame", 44100, "stereo"),
    "flac": ("flac", "flac", 48000, "mono"),
    "ogg": ("ogg", "libopus", 48000, "mono"),
    "m4a": ("mp4", "aac", 44100, "stereo"),
    "webm": ("webm", "libopus", 48000, "stereo"),
    "amr": ("amr", "libopencore_amrnb", 8000, "mono"),
}


def encode(source: Path, container: str, codec: str, rate: int, layout: str) -> bytes:
    buffer = io.BytesIO()
    with av.open(str(source)) as src, av.open(buffer, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        assert isinstance(stream, av.AudioStream)
        if codec == "libopencore_amrnb":
            stream.bit_rate = 12200
        encoder = stream.codec_context
        resampler = av.AudioResampler(format=encoder.format, layout=layout, rate=rate)
        fifo = av.AudioFifo()
        for frame in src.decode(audio=0):
            for converted in resampler.resample(frame):
                fifo.write(converted)
        for converted in resampler.resample(None):
            fifo.write(converted)
        size = encoder.frame_size or 1024
        while fifo.samples:
            chunk = fifo.read(min(size, fifo.samples))
            assert chunk is not None
            if chunk.samples < size and encoder.frame_size:
                break  # fixed-frame codecs drop the last partial frame (a few ms)
            for packet in stream.encode(chunk):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def encode_as(source: Path, name: str) -> bytes:
    return encode(source, *FORMATS[name])
