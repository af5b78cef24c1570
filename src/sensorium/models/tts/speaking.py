"""What the renderer needs from a voice, whichever engine speaks: phonemes for text (and for
written IPA), and audio for phonemes with the samples the model spent on each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Rendered:
    """Audio for a phoneme sequence and, per phoneme, the samples the model spent on it.

    ``lead`` is the samples spent on the start-of-utterance symbol before the first phoneme.
    ``durations`` is None when the model cannot report alignments.
    """

    audio: Audio
    lead: int
    durations: list[int] | None


class Voice(Protocol):
    @property
    def sample_rate(self) -> int: ...

    @property
    def aligned(self) -> bool:
        """Whether ``render`` reports durations (speech marks need them)."""
        ...

    def phonemize(self, text: str) -> list[str]: ...

    def from_ipa(self, text: str) -> list[str]:
        """The voice's symbols for IPA written by people (SSML ``<phoneme>``, lexicons)."""
        ...

    def render(self, phonemes: list[str], length_scale: float = 1.0) -> Rendered: ...


def normalised(audio: Audio) -> Audio:
    """Peak at 0.9, so every voice and every phrase plays at the same level."""
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak < 1e-8:
        return np.zeros_like(audio)
    return (audio / peak * 0.9).astype(np.float32)
