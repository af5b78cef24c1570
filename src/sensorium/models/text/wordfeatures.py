"""Contextual word vectors from the packaged encoder (all-MiniLM-L6-v2), kept frozen.

A word's vector is the mean of its word pieces' hidden states at a few layers, concatenated:
the middle layers carry more syntax than the last one, which is tuned for sentence pooling.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import torch

from sensorium.models.text.encoder import EMBEDDING_SIZE, SentenceEncoder

LAYERS = (2, 4, 6)
WORD_VECTOR_SIZE = EMBEDDING_SIZE * len(LAYERS)
MAX_PIECES = 512
WINDOW_WORDS = 96  # a longer sentence is read in windows of this many words


class WordEncoder:
    """Thread-safe: the fast tokenizer is not, so it runs under a lock."""

    def __init__(self, encoder: SentenceEncoder | None = None) -> None:
        self.encoder = (encoder or SentenceEncoder()).eval()
        self._lock = threading.Lock()

    def to(self, device: str) -> WordEncoder:
        self.encoder.to(device)
        return self

    @property
    def device(self) -> torch.device:
        return next(self.encoder.parameters()).device

    def encode(
        self, sentences: Sequence[Sequence[str]], batch_size: int = 16
    ) -> list[torch.Tensor]:
        """One (words, WORD_VECTOR_SIZE) float tensor per sentence, on the CPU."""
        windows: list[tuple[int, Sequence[str]]] = []
        for index, words in enumerate(sentences):
            for start in range(0, len(words), WINDOW_WORDS):
                windows.append((index, words[start : start + WINDOW_WORDS]))
        pieces: list[list[torch.Tensor]] = [[] for _ in sentences]
        order = sorted(range(len(windows)), key=lambda i: len(windows[i][1]))
        vectors: dict[int, torch.Tensor] = {}
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            for position, tensor in zip(
                chunk, self._encode_windows([windows[i][1] for i in chunk]), strict=True
            ):
                vectors[position] = tensor
        for position, (index, _) in enumerate(windows):
            pieces[index].append(vectors[position])
        return [torch.cat(parts) if parts else torch.zeros(0, WORD_VECTOR_SIZE) for parts in pieces]

    def _encode_windows(self, windows: Sequence[Sequence[str]]) -> list[torch.Tensor]:
        batch, word_ids = self._tokenize(windows)
        if any(
            _truncated(batch, i, ids, words)
            for i, (ids, words) in enumerate(zip(word_ids, windows, strict=True))
        ):
            return [self._encode_long(words) for words in windows]
        return self._run(batch, word_ids, windows)

    def _encode_long(self, words: Sequence[str]) -> torch.Tensor:
        """A window of more than MAX_PIECES pieces, read in halves."""
        batch, word_ids = self._tokenize([words])
        if not _truncated(batch, 0, word_ids[0], words):
            return self._run(batch, word_ids, [words])[0]
        if len(words) == 1:  # one enormous word: its beginning stands for it
            return self._encode_long([words[0][: MAX_PIECES // 4]])
        middle = len(words) // 2
        return torch.cat([self._encode_long(words[:middle]), self._encode_long(words[middle:])])

    def _tokenize(self, windows: Sequence[Sequence[str]]) -> tuple[Any, list[list[int | None]]]:
        with self._lock:
            batch = self.encoder.tokenizer(
                [list(words) for words in windows],
                is_split_into_words=True,
                padding=True,
                truncation=True,
                max_length=MAX_PIECES,
                return_tensors="pt",
            )
            return batch, [batch.word_ids(i) for i in range(len(windows))]

    def _run(
        self, batch: Any, word_ids: list[list[int | None]], windows: Sequence[Sequence[str]]
    ) -> list[torch.Tensor]:
        device = self.device
        with torch.inference_mode():
            output = self.encoder.transformer(
                input_ids=batch["input_ids"].to(device),
                attention_mask=batch["attention_mask"].to(device),
                output_hidden_states=True,
            )
        hidden = torch.cat([output.hidden_states[layer] for layer in LAYERS], dim=-1)
        hidden = hidden.float().cpu()
        results = []
        for i, ids in enumerate(word_ids):
            index = torch.tensor([-1 if w is None else w for w in ids])
            keep = index >= 0
            count = len(windows[i])
            sums = torch.zeros(count, WORD_VECTOR_SIZE).index_add_(0, index[keep], hidden[i][keep])
            sizes = torch.bincount(index[keep], minlength=count).clamp(min=1).unsqueeze(1)
            results.append(sums / sizes)
        return results


def _truncated(batch: Any, row: int, word_ids: list[int | None], words: Sequence[str]) -> bool:
    """Whether the tokenizer cut words off the window's end (a word of no pieces at all, such
    as a lone control character, is not a cut: its vector stays zero)."""
    full = int(batch["attention_mask"][row].sum()) >= MAX_PIECES
    covered = max((w for w in word_ids if w is not None), default=-1) + 1
    return full and covered < len(words)
