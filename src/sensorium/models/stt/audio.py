"""Any audio container PyAV (FFmpeg) reads -> 16 kHz mono float32, the rate Whisper expects."""

from __future__ import annotations

import io
from dataclasses import dataclass

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


def decode_audio(data: bytes) -> DecodedAudio:
    """Decode the first audio stream, downmixed and resampled to 16 kHz mono float32."""
    if not data:
        raise EmptyAudio("the file is empty (0 bytes)")
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise UndecodableAudio(f"the {container.format.name} file has no audio stream")
            stream = container.streams.audio[0]
            source_rate = int(stream.codec_context.sample_rate or 0)
            channels = int(stream.codec_context.channels or 0)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            chunks: list[npt.NDArray[np.float32]] = []
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
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
