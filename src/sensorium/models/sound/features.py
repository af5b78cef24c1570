"""16 kHz mono samples -> log-mel spectrograms (frames of 20 ms), in PyTorch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch

from sensorium.models.stt.audio import SAMPLE_RATE

N_FFT = 1024
HOP = 320  # 20 ms: 50 frames a second
F_MIN = 20.0
LOG_FLOOR = 1e-6

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True)
class MelSettings:
    n_mels: int = 64

    @property
    def frames_per_second(self) -> float:
        return SAMPLE_RATE / HOP

    def frames(self, seconds: float) -> int:
        return max(1, round(seconds * self.frames_per_second))


def _hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def _mel_to_hz(mel: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def mel_filterbank(n_mels: int) -> npt.NDArray[np.float32]:
    """Triangular HTK mel filters, (n_mels, N_FFT // 2 + 1), each of unit area."""
    bins = np.linspace(0.0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    edges = _mel_to_hz(
        np.linspace(_hz_to_mel(np.array(F_MIN)), _hz_to_mel(np.array(SAMPLE_RATE / 2)), n_mels + 2)
    )
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    filters = np.maximum(0.0, np.minimum(rising, falling))
    filters *= 2.0 / (upper - lower)
    return filters.astype(np.float32)


class LogMel(torch.nn.Module):
    """(batch, samples) -> (batch, n_mels, frames) natural-log mel power."""

    window: torch.Tensor
    filters: torch.Tensor

    def __init__(self, settings: MelSettings) -> None:
        super().__init__()
        self.register_buffer("window", torch.hann_window(N_FFT), persistent=False)
        self.register_buffer(
            "filters", torch.from_numpy(mel_filterbank(settings.n_mels)), persistent=False
        )

    def forward(self, samples: torch.Tensor) -> torch.Tensor:
        spectrum = torch.stft(
            samples, N_FFT, HOP, window=self.window, center=True, return_complex=True
        )
        power = spectrum.real.square() + spectrum.imag.square()
        mel: torch.Tensor = torch.matmul(self.filters, power)
        return torch.log(mel + LOG_FLOOR)


def log_mel(samples: Samples, settings: MelSettings) -> torch.Tensor:
    """One clip's (n_mels, frames) log-mel spectrogram on the CPU."""
    padded = samples if samples.size >= N_FFT else np.pad(samples, (0, N_FFT - samples.size))
    with torch.no_grad():
        spectrogram: torch.Tensor = LogMel(settings)(
            torch.from_numpy(np.ascontiguousarray(padded))[None]
        )
    # Centred frames are one more than the clip's 20 ms steps (the last is mostly padding).
    return spectrogram[0, :, : max(1, round(samples.size / HOP))]


def windows(frames: int, window: int) -> list[int]:
    """Start frames of half-overlapping windows covering ``frames`` (one when shorter)."""
    if frames <= window:
        return [0]
    hop = max(1, window // 2)
    starts = list(range(0, frames - window + 1, hop))
    if starts[-1] + window < frames:
        starts.append(frames - window)
    return starts


def crop(features: torch.Tensor, start: int, window: int) -> torch.Tensor:
    """``window`` frames from ``start``; a shorter clip padded with its quietest value."""
    piece = features[:, start : start + window]
    if piece.shape[1] < window:
        fill = float(features.min()) if features.numel() else float(np.log(LOG_FLOOR))
        piece = torch.nn.functional.pad(piece, (0, window - piece.shape[1]), value=fill)
    return piece
