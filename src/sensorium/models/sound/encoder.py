"""Whisper tiny.en's audio encoder (CTranslate2) as a pretrained sound front end: 16 kHz
samples -> (384, frames) embeddings at 50 frames a second, the log-mel front end's rate.

Whisper was trained on speech, but its encoder's features separate environmental sounds
well (bench/sound_esc10.py). The encoder takes at most 30 s at once: longer audio is
encoded in 30 s pieces."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
import torch

from sensorium.models.sound.features import Samples
from sensorium.models.stt.audio import SAMPLE_RATE

NAME = "whisper-tiny-en"
CHANNELS = 384
PIECE_SECONDS = 30
_SHORTEST = 1600  # 0.1 s: shorter audio is padded so that it makes mel frames


class EncoderUnavailable(RuntimeError):
    """The packaged Whisper model is not installed."""


class WhisperEncoder:
    def __init__(self, model_dir: Path, device: str = "cpu") -> None:
        try:
            import ctranslate2  # type: ignore[import-untyped]
            from faster_whisper.feature_extractor import (  # type: ignore[import-untyped]
                FeatureExtractor,
            )
        except ImportError as error:
            raise EncoderUnavailable(f"faster-whisper is not installed ({error})") from None
        if not (model_dir / "model.bin").is_file():
            raise EncoderUnavailable(f"no Whisper model in {model_dir}")
        self._ctranslate2: Any = ctranslate2
        self._model: Any = ctranslate2.models.Whisper(
            str(model_dir),
            device=device,
            compute_type="float16" if device == "cuda" else "int8",
            intra_threads=min(4, os.cpu_count() or 1),
        )
        self._features: Any = FeatureExtractor(feature_size=80)
        self._lock = threading.Lock()

    def encode(self, samples: Samples) -> torch.Tensor:
        """(CHANNELS, frames): one frame per 20 ms of ``samples``."""
        piece = PIECE_SECONDS * SAMPLE_RATE
        parts = [
            self._encode(samples[start : start + piece])
            for start in range(0, max(1, samples.size), piece)
        ]
        return torch.from_numpy(np.concatenate(parts, axis=0).T.copy())

    def _encode(self, samples: Samples) -> np.ndarray[Any, np.dtype[np.float32]]:
        if samples.size < _SHORTEST:
            samples = np.pad(samples, (0, _SHORTEST - samples.size))
        mel = self._features(samples, padding=0)
        frames = max(2, mel.shape[1] // 2 * 2)  # the encoder's stride 2 wants an even count
        padded = np.zeros((mel.shape[0], frames), dtype=np.float32)
        padded[:, : min(frames, mel.shape[1])] = mel[:, :frames]
        view = self._ctranslate2.StorageView.from_array(np.ascontiguousarray(padded[None]))
        with self._lock:
            encoded = self._model.encode(view, to_cpu=True)
        embeddings: np.ndarray[Any, np.dtype[np.float32]] = np.asarray(encoded, np.float32)[0]
        return embeddings


_shared: dict[Path, WhisperEncoder] = {}
_shared_lock = threading.Lock()


def shared(model_dir: Path | None = None) -> WhisperEncoder:
    """One encoder per model folder in this process (the packaged tiny.en by default)."""
    if model_dir is None:
        from sensorium.models.stt.whisper import default_model_dir

        try:
            model_dir = default_model_dir()
        except FileNotFoundError as error:
            raise EncoderUnavailable(
                f"the {NAME} front end needs the packaged Whisper tiny.en (the speech extra): "
                f"{error}"
            ) from None
    with _shared_lock:
        if model_dir not in _shared:
            _shared[model_dir] = WhisperEncoder(model_dir)
        return _shared[model_dir]
