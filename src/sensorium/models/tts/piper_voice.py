"""A Piper voice on onnxruntime, driven phoneme by phoneme.

Sensorium phonemises itself (so it knows which phonemes belong to which word) and asks the
model for audio plus the number of samples its duration predictor gave each phoneme id.
Noise scales are 0, so the same phonemes always give the same samples.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from typing import Any

import numpy as np

from sensorium.models.registry import Model
from sensorium.models.tts.speaking import Audio, Rendered, normalised
from sensorium.models.tts.voices import VoiceSpec

log = logging.getLogger(__name__)

BOS, EOS, PAD = "^", "$", "_"
# onnxruntime's CPU arena keeps the peak of any run for the life of the session: one long
# phrase left ~1.2 GB behind per voice. Past this many phoneme ids a run hands its arena
# back at the end (measured: RSS stays at the idle level, the long run ~15 % slower); short
# runs, the common case, keep the arena's speed.
SHRINK_AFTER_IDS = 200
_ESPEAK_LOCK = threading.Lock()  # espeak-ng is one global C state
_espeak: Any = None

__all__ = ["Audio", "PiperVoiceModel", "Rendered"]


class PiperVoiceModel(Model):
    def __init__(self, spec: VoiceSpec) -> None:
        self.spec = spec
        self.name = f"piper:{spec.key}"
        self._voice: Any = None
        self.aligned = False
        self._shrinking: Any = None

    def load(self, device: str) -> None:
        from piper import PiperVoice

        voice = PiperVoice.load(
            self.spec.model_path,
            self.spec.config_path,
            use_cuda=device == "cuda",
            include_alignments=True,
        )
        self.aligned = len(voice.session.get_outputs()) > 1
        if not self.aligned:
            log.warning("voice %s cannot report phoneme durations", self.spec.key)
        self._voice = voice
        import onnxruntime

        self._shrinking = onnxruntime.RunOptions()
        self._shrinking.add_run_config_entry(
            "memory.enable_memory_arena_shrinkage", "cpu:0;gpu:0" if device == "cuda" else "cpu:0"
        )

    @property
    def phoneme_map(self) -> dict[str, list[int]]:
        return dict(self._voice.config.phoneme_id_map)

    @property
    def sample_rate(self) -> int:
        return int(self._voice.config.sample_rate)

    def phonemize(self, text: str) -> list[str]:
        """The phonemes espeak-ng gives ``text``, clauses joined; unknown symbols dropped."""
        config = self._voice.config
        known = config.phoneme_id_map
        said = espeak_phonemes(config.espeak_voice, text, config.vowel_clusters)
        return [p for p in said if p in known]

    def from_ipa(self, text: str) -> list[str]:
        known = self._voice.config.phoneme_id_map
        return [p for p in unicodedata.normalize("NFD", text) if p in known]

    def render(self, phonemes: list[str], length_scale: float = 1.0) -> Rendered:
        config = self._voice.config
        table = config.phoneme_id_map
        pad = list(table[PAD])
        ids = list(table[BOS]) + pad
        sizes = []
        for phoneme in phonemes:
            ids_for = list(table[phoneme]) + pad
            ids.extend(ids_for)
            sizes.append(len(ids_for))
        ids.extend(table[EOS])
        inputs = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array([0.0, config.length_scale * length_scale, 0.0], dtype=np.float32),
        }
        if config.num_speakers > 1:
            inputs["sid"] = np.array([config.default_speaker_id], dtype=np.int64)
        options = self._shrinking if len(ids) > SHRINK_AFTER_IDS else None
        outputs = self._voice.session.run(None, inputs, options)
        audio = np.asarray(outputs[0], dtype=np.float32).reshape(-1)
        if len(outputs) < 2:
            return Rendered(normalised(audio), 0, None)
        per_id = (np.asarray(outputs[1]).reshape(-1) * config.hop_length).astype(np.int64)
        lead = int(per_id[: 1 + len(pad)].sum())
        durations = []
        position = 1 + len(pad)
        for size in sizes:
            durations.append(int(per_id[position : position + size].sum()))
            position += size
        return Rendered(normalised(audio), lead, durations)


def espeak_phonemes(voice: str, text: str, vowel_clusters: Any = None) -> list[str]:
    """The IPA symbols espeak-ng (inside Piper, GPL-3.0) gives ``text`` in ``voice``'s
    language, decomposed (accents apart), clauses joined by spaces."""
    global _espeak
    from piper.phonemize_espeak import EspeakPhonemizer

    with _ESPEAK_LOCK:
        if _espeak is None:
            _espeak = EspeakPhonemizer()
        sentences = _espeak.phonemize(voice, text, vowel_clusters)
    phonemes: list[str] = []
    for sentence in sentences:
        if phonemes and phonemes[-1] != " ":
            phonemes.append(" ")
        phonemes.extend(sentence)
    return phonemes
