"""Encoder outputs kept between builds of a bot, keyed by (encoder version, utterance words).

A rebuild encodes only the utterances it has not seen (an intent whose sample utterances
changed); everything else comes from the previous build's cache, which travels inside the
built model. Vectors are stored as float16, and fresh ones are rounded the same way before
use, so a build from the cache trains on exactly the numbers a fresh build would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from sensorium.models.nlu.encoder import ENCODER_VERSION, UtteranceEncoder

Array = npt.NDArray[np.float32]
Key = tuple[str, ...]


def rounded(vectors: Array) -> Array:
    return vectors.astype(np.float16).astype(np.float32)


@dataclass
class EncodingCache:
    sentences: dict[Key, Array] = field(default_factory=dict)
    words: dict[Key, Array] = field(default_factory=dict)  # only for utterances asked with words
    encoded: int = 0  # utterances this build ran through the encoder
    reused: int = 0  # utterances this build took from the cache

    def encode(
        self, encoder: UtteranceEncoder, utterances: Sequence[Key], with_words: Sequence[bool]
    ) -> tuple[Array, list[Array | None]]:
        """Sentence vectors of every utterance; word vectors where ``with_words``."""
        missing = sorted(
            {
                key
                for key, words in zip(utterances, with_words, strict=True)
                if key not in self.sentences or (words and key not in self.words)
            }
        )
        if missing:
            fresh = encoder.encode(missing)
            for index, key in enumerate(missing):
                self.sentences[key] = rounded(fresh.sentences[index])
                self.words[key] = rounded(fresh.words[index])
        distinct = set(utterances)
        self.encoded += len(missing)
        self.reused += len(distinct) - len(missing)
        sentences = np.stack([self.sentences[key] for key in utterances]).astype(np.float32)
        words = [
            self.words[key] if wanted else None
            for key, wanted in zip(utterances, with_words, strict=True)
        ]
        return sentences, words

    def keep_only(self, sentences: set[Key], words: set[Key]) -> None:
        """Forget what the current build did not use (the cache never outgrows the bot)."""
        self.sentences = {k: v for k, v in self.sentences.items() if k in sentences}
        self.words = {k: v for k, v in self.words.items() if k in words}

    def to_state(self) -> dict[str, Any]:
        keys = sorted(self.sentences)
        word_keys = sorted(self.words)
        dimension = next(iter(self.sentences.values())).shape[-1] if keys else 0
        return {
            "encoder": ENCODER_VERSION,
            "keys": ["\x1f".join(k) for k in keys],
            "sentences": torch.from_numpy(
                np.stack([self.sentences[k] for k in keys]).astype(np.float16)
                if keys
                else np.zeros((0, dimension), np.float16)
            ),
            "word_keys": ["\x1f".join(k) for k in word_keys],
            "word_counts": [len(self.words[k]) for k in word_keys],
            "words": torch.from_numpy(
                np.concatenate([self.words[k] for k in word_keys]).astype(np.float16)
                if word_keys
                else np.zeros((0, dimension), np.float16)
            ),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> EncodingCache:
        """An empty cache when there is none, or it came from another encoder."""
        if not state or state.get("encoder") != ENCODER_VERSION:
            return cls()
        sentences = state["sentences"].float().numpy()
        cache = cls(sentences={_key(k): sentences[i] for i, k in enumerate(state["keys"])})
        words = state["words"].float().numpy()
        offsets = np.cumsum([0, *state["word_counts"]])
        for index, key in enumerate(state["word_keys"]):
            cache.words[_key(key)] = words[offsets[index] : offsets[index + 1]]
        return cache


def _key(joined: str) -> Key:
    return tuple(joined.split("\x1f")) if joined else ()
