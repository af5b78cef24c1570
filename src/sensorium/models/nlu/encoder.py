"""Frozen sentence-encoder features: one embedding per utterance and one vector per word.

Word vectors are the encoder's contextual state at each word's first sub-token, so the slot
tagger sees the same representation the intent classifier is trained on.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from sensorium.models.registry import Model

MAX_TOKENS = 64
# Names what the vectors depend on: cached vectors of another version are not reused.
ENCODER_VERSION = f"all-MiniLM-L6-v2/mean-pooled/first-subtoken/{MAX_TOKENS}"
BATCH_SIZE = 64

Array = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Features:
    sentences: Array  # (n, dim), L2-normalised
    words: list[Array]  # per utterance (words, dim)


class UtteranceEncoder(Model):
    """The packaged all-MiniLM-L6-v2 encoder, used frozen (inference only)."""

    def __init__(self, name: str = "lex-encoder") -> None:
        self.name = name
        self._encoder: Any = None  # a SentenceEncoder once loaded
        self._device = "cpu"
        self._lock = threading.Lock()

    def load(self, device: str) -> None:
        from sensorium.models.text.encoder import SentenceEncoder

        encoder = SentenceEncoder().eval()
        self._encoder = encoder.to(device)
        self._device = device

    @property
    def dimension(self) -> int:
        from sensorium.models.text.encoder import EMBEDDING_SIZE

        return EMBEDDING_SIZE

    def encode(self, utterances: Sequence[Sequence[str]]) -> Features:
        """Encode utterances given as word lists (see ``words.split_words``)."""
        if self._encoder is None:
            raise RuntimeError("the utterance encoder is not loaded")
        # Batches of similar length waste little on padding.
        order = sorted(range(len(utterances)), key=lambda i: len(utterances[i]))
        sentences = np.zeros((len(utterances), self.dimension), np.float32)
        words: list[Array] = [np.zeros((0, self.dimension), np.float32)] * len(utterances)
        with self._lock, torch.inference_mode():
            for start in range(0, len(order), BATCH_SIZE):
                chosen = order[start : start + BATCH_SIZE]
                batch = [list(utterances[i]) or [""] for i in chosen]
                pooled, per_word = self._encode_batch(batch)
                for slot, index in enumerate(chosen):
                    sentences[index] = pooled[slot]
                    words[index] = per_word[slot][: len(utterances[index])]
        return Features(sentences, words)

    def _encode_batch(self, batch: list[list[str]]) -> tuple[Array, list[Array]]:
        encoder = self._encoder
        assert encoder is not None
        tokens = encoder.tokenizer(
            batch,
            is_split_into_words=True,
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
        )
        ids = tokens["input_ids"].to(self._device)
        mask = tokens["attention_mask"].to(self._device)
        hidden = encoder.transformer(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        pooled = torch.nn.functional.normalize(pooled, dim=-1)
        hidden_np = hidden.float().cpu().numpy()
        per_word: list[Array] = []
        for row, utterance in enumerate(batch):
            vectors = np.zeros((len(utterance), hidden_np.shape[-1]), np.float32)
            seen: set[int] = set()
            for position, word_id in enumerate(tokens.word_ids(row)):
                if word_id is not None and word_id not in seen:
                    seen.add(word_id)
                    vectors[word_id] = hidden_np[row, position]
            per_word.append(vectors)
        return pooled.float().cpu().numpy(), per_word
