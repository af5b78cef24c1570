"""Any audio container PyAV (FFmpeg) reads -> 16 kHz mono float32, the rate Whisper expects."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000

# FFmpeg demuxer names (``container.format.name`` lists aliases, comma separated) -> the
# media format names Transcribe uses.
_FORMATS = {
    "wav": "wav",
    "mp3": "mp3",
    "flac": "flac",
    "ogg": "ogg",
    "mp4": "mp4",
    "m4a": "mp4",
    "mov": "mp4",
    "webm": "webm",
    "matroska": "webm",
    "amr": "amr",
}


class AudioError(Exception):
    """The bytes cannot be turned into speech samples."""


class UndecodableAudio(AudioError):
    """Not a readable audio file (corrupt, truncated, or no audio stream)."""


class EmptyAudio(AudioError):
    """A valid file that holds no samples."""


class AudioTooLong(AudioError):
    """Longer than the caller allows; found from the container's header or while decoding,
    so that no more than the limit is ever decoded."""

    def __init__(self, max_seconds: float) -> None:
        super().__init__(f"the audio is longer than {max_seconds:g} seconds")
        self.max_seconds = max_seconds


@dataclass(frozen=True)
class DecodedAudio:
    samples: npt.NDArray[np.float32]  # mono, SAMPLE_RATE
    media_format: str | None  # Transcribe's name for the container, None if not one of them
    container: str  # FFmpeg's name, for messages
    source_rate: int
    channels: int

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def media_format_of(container: str) -> str | None:
    for alias in container.split(","):
        if alias in _FORMATS:
            return _FORMATS[alias]
    return None


def decode_audio(data: bytes, max_seconds: float | None = None) -> DecodedAudio:
    """Decode the first audio stream, downmixed and resampled to 16 kHz mono float32;
    ``AudioTooLong`` past ``max_seconds``."""
    if not data:
        raise EmptyAudio("the file is empty (0 bytes)")
    limit = None if max_seconds is None else int(max_seconds * SAMPLE_RATE)
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise UndecodableAudio(f"the {container.format.name} file has no audio stream")
            declared = container.duration  # microseconds, when the container says
            # Headers can only estimate some durations (MP3 without a TOC): a margin.
            if max_seconds is not None and declared and declared / 1e6 > max_seconds * 1.02:
                raise AudioTooLong(max_seconds)
            stream = container.streams.audio[0]
            source_rate = int(stream.codec_context.sample_rate or 0)
            channels = int(stream.codec_context.channels or 0)
            chunks = _samples(container, stream, limit, max_seconds)
            name = container.format.name
    except av.FFmpegError as error:
        raise UndecodableAudio(f"the audio cannot be decoded ({error})") from None
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    if samples.size == 0:
        raise EmptyAudio(f"the {name} file holds no audio samples")
    return DecodedAudio(
        samples=samples,
        media_format=media_format_of(name),
        container=name,
        source_rate=source_rate,
        channels=channels,
    )


def _samples(
    container: Any, stream: Any, limit: int | None, max_seconds: float | None
) -> list[npt.NDArray[np.float32]]:
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    chunks: list[npt.NDArray[np.float32]] = []
    count = 0
    frames = (frame for frame in container.decode(stream))
    for frame in itertools.chain(frames, [None]):  # None flushes the resampler
        for out in resampler.resample(frame):
            chunk = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
            count += chunk.size
            if limit is not None and count > limit:
                assert max_seconds is not None
                raise AudioTooLong(max_seconds)
            chunks.append(chunk)
    return chunks
