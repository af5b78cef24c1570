"""Kokoro-82M on onnxruntime: one session for every voice, a style vector per voice.

The exported graph returns audio only; its duration predictor's output (frames per input
id, already rounded and at least 1) is made a graph output too, so speech marks are timed
by the durations the model itself used. Nothing is sampled: the same phonemes always give
the same samples.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sensorium.models.registry import Model
from sensorium.models.tts.kokoro import assets
from sensorium.models.tts.kokoro.vocab import MAX_PHONEMES, PAD, VOCAB, from_ipa
from sensorium.models.tts.speaking import Audio, Rendered, normalised

SAMPLE_RATE = 24_000
SAMPLES_PER_FRAME = 600  # the decoder's hop: 40 duration frames a second
DURATIONS = "/encoder/Clip_output_0"  # the duration predictor's frames per input id
STYLE_SHAPE = (MAX_PHONEMES, 1, 256)  # one style row per input length
# As for Piper: a long run hands onnxruntime's CPU arena back, so one long phrase does not
# keep its peak memory for the life of the process.
SHRINK_AFTER_IDS = 200
BRITISH_PREFIX = "b"  # Kokoro's voice keys start with their language: bf_emma, bm_george

Frames = npt.NDArray[np.int64]


class KokoroModel(Model):
    name = "kokoro"

    def __init__(self, models_dir: Path) -> None:
        self.models_dir = models_dir
        self._session: Any = None
        self._shrinking: Any = None
        self._styles: dict[str, npt.NDArray[np.float32]] = {}
        self._styles_lock = threading.Lock()

    def load(self, device: str) -> None:
        import onnx
        import onnxruntime

        graph = onnx.load_from_string(assets.joined_model())
        graph.graph.output.append(
            onnx.helper.make_tensor_value_info(DURATIONS, onnx.TensorProto.FLOAT, None)
        )
        providers = ["CPUExecutionProvider"]
        if device == "cuda" and "CUDAExecutionProvider" in onnxruntime.get_available_providers():
            providers.insert(0, "CUDAExecutionProvider")
        self._session = onnxruntime.InferenceSession(graph.SerializeToString(), providers=providers)
        self._shrinking = onnxruntime.RunOptions()
        self._shrinking.add_run_config_entry(
            "memory.enable_memory_arena_shrinkage", "cpu:0;gpu:0" if device == "cuda" else "cpu:0"
        )

    def style(self, key: str) -> npt.NDArray[np.float32]:
        """The voice's style vectors, read once (``FileNotFoundError`` when not fetched)."""
        with self._styles_lock:
            found = self._styles.get(key)
            if found is None:
                path = assets.voice_path(self.models_dir, key)
                found = np.fromfile(path, dtype=np.float32)
                if found.size != np.prod(STYLE_SHAPE):
                    raise ValueError(f"{path} is not a Kokoro voice ({found.size} values)")
                found = found.reshape(STYLE_SHAPE)
                self._styles[key] = found
            return found

    def synthesize(self, ids: list[int], key: str, speed: float) -> tuple[Audio, Frames]:
        """Audio for phoneme ids (at most ``MAX_PHONEMES``) and frames per id, pads included."""
        if len(ids) > MAX_PHONEMES:
            raise ValueError(f"{len(ids)} phonemes; Kokoro takes at most {MAX_PHONEMES}")
        inputs = {
            "tokens": np.array([[PAD, *ids, PAD]], dtype=np.int64),
            "style": self.style(key)[len(ids)],
            "speed": np.array([speed], dtype=np.float32),
        }
        options = self._shrinking if len(ids) > SHRINK_AFTER_IDS else None
        audio, frames = self._session.run(None, inputs, options)
        per_id = np.asarray(frames).reshape(-1).astype(np.int64)
        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        return normalised(samples), per_id

    def voice(self, key: str, phonemes: Callable[[str], list[str]]) -> KokoroVoice:
        self.style(key)
        return KokoroVoice(self, key, phonemes)


@dataclass(frozen=True)
class KokoroVoice:
    """One Kokoro voice as the renderer sees it (``speaking.Voice``)."""

    model: KokoroModel
    key: str
    phonemes: Callable[[str], list[str]]
    sample_rate: int = SAMPLE_RATE
    aligned: bool = True

    def phonemize(self, text: str) -> list[str]:
        return self.phonemes(text)

    def from_ipa(self, text: str) -> list[str]:
        return from_ipa(text, british=self.key.startswith(BRITISH_PREFIX))

    def render(self, phonemes: list[str], length_scale: float = 1.0) -> Rendered:
        kept = [index for index, phoneme in enumerate(phonemes) if phoneme in VOCAB]
        if not kept:
            return Rendered(np.zeros(0, dtype=np.float32), 0, [0] * len(phonemes))
        ids = [VOCAB[phonemes[index]] for index in kept]
        audio, frames = self.model.synthesize(ids, self.key, 1.0 / length_scale)
        samples = frames * SAMPLES_PER_FRAME
        durations = [0] * len(phonemes)
        for position, index in enumerate(kept):
            durations[index] = int(samples[position + 1])
        return Rendered(audio, int(samples[0]), durations)
