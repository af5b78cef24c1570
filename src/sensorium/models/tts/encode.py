"""Streaming audio encoders (PyAV): float mono samples in, container bytes out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fractions import Fraction
from typing import Any

import av
import numpy as np

from sensorium.models.tts.piper_voice import Audio

CODECS = {"mp3": ("mp3", "mp3"), "ogg_vorbis": ("ogg", "vorbis"), "ogg_opus": ("ogg", "libopus")}
CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "ogg_vorbis": "audio/ogg",
    "ogg_opus": "audio/ogg",
    "pcm": "audio/pcm",
    "json": "application/x-json-stream",
}


class _Sink:
    """A write-only file: muxers see it is not seekable and never rewrite earlier bytes."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


class Encoder:
    """Feed float audio at ``source_rate``; get encoded bytes back as soon as they exist."""

    def __init__(self, output_format: str, source_rate: int, target_rate: int) -> None:
        self.format = output_format
        self.source_rate = source_rate
        self.target_rate = target_rate
        self._samples = 0
        self._sink = _Sink()
        self._container: Any = None
        self._stream: Any = None
        sample_format = "s16"
        if output_format in CODECS:
            container_format, codec = CODECS[output_format]
            self._container = av.open(
                self._sink, "w", format=container_format, options={"fflags": "+bitexact"}
            )
            self._stream = self._container.add_stream(codec, rate=target_rate)
            self._stream.codec_context.layout = "stereo" if codec == "vorbis" else "mono"
            self._stream.codec_context.options = {"strict": "experimental"}
            self._stream.codec_context.flags |= av.codec.context.Flags.bitexact
            sample_format = self._stream.codec_context.format.name
            layout = self._stream.codec_context.layout.name
        else:
            layout = "mono"
        self._resampler = av.AudioResampler(format=sample_format, layout=layout, rate=target_rate)

    def feed(self, audio: Audio) -> bytes:
        if audio.size == 0:
            return b""
        pcm = np.clip(audio * 32767, -32768, 32767).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = self.source_rate
        frame.pts = self._samples
        frame.time_base = Fraction(1, self.source_rate)
        self._samples += pcm.shape[1]
        return self._emit(self._resampler.resample(frame))

    def finish(self) -> bytes:
        data = self._emit(self._resampler.resample(None))
        if self._container is not None:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
            data += self._sink.drain()
        return data

    def _emit(self, frames: Iterable[Any]) -> bytes:
        if self._container is None:
            return b"".join(bytes(frame.to_ndarray().astype("<i2").tobytes()) for frame in frames)
        for frame in frames:
            frame.pts = None
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        return self._sink.drain()


def encode_stream(
    pieces: Iterable[Audio], output_format: str, source_rate: int, target_rate: int
) -> Iterator[bytes]:
    encoder = Encoder(output_format, source_rate, target_rate)
    for audio in pieces:
        data = encoder.feed(audio)
        if data:
            yield data
    tail = encoder.finish()
    if tail:
        yield tail
