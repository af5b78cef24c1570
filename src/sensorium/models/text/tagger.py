"""The token taggers we train (part of speech on UD English EWT, named entities on WNUT 2017):
frozen encoder word vectors plus spelling features, read by a small bidirectional LSTM.

An artifact is ``<name>.safetensors`` (the head's weights) and ``<name>.json`` (its labels,
sizes, how it was trained and what it measured) in ``artifacts/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from sensorium.models.registry import Model
from sensorium.models.text.tokens import (
    FLAG_COUNT,
    SHAPE_BUCKETS,
    SUFFIX_BUCKETS,
    flags,
    shape_id,
    suffix_id,
)
from sensorium.models.text.wordfeatures import WORD_VECTOR_SIZE, WordEncoder

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
SYNTAX_ARTIFACT = "syntax-tagger"
ENTITIES_ARTIFACT = "entities-tagger"


@dataclass(frozen=True)
class Spelling:
    """Spelling features of a sentence's words, as tensors."""

    shapes: torch.Tensor  # (words,) long
    suffixes: torch.Tensor  # (words,) long
    flags: torch.Tensor  # (words, FLAG_COUNT) float

    @classmethod
    def of(cls, words: Sequence[str]) -> Spelling:
        return cls(
            torch.tensor([shape_id(w) for w in words], dtype=torch.long),
            torch.tensor([suffix_id(w) for w in words], dtype=torch.long),
            torch.tensor([flags(w, i == 0) for i, w in enumerate(words)], dtype=torch.float32),
        )


class TaggerHead(nn.Module):
    def __init__(self, labels: int, hidden: int = 192, projection: int = 256) -> None:
        super().__init__()
        self.project = nn.Sequential(nn.Dropout(0.25), nn.Linear(WORD_VECTOR_SIZE, projection))
        self.shapes = nn.Embedding(SHAPE_BUCKETS, 16)
        self.suffixes = nn.Embedding(SUFFIX_BUCKETS, 32)
        width = projection + 16 + 32 + FLAG_COUNT
        self.lstm = nn.LSTM(width, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Sequential(nn.Dropout(0.25), nn.Linear(2 * hidden, labels))

    def forward(
        self,
        vectors: torch.Tensor,
        shapes: torch.Tensor,
        suffixes: torch.Tensor,
        word_flags: torch.Tensor,
        lengths: torch.Tensor,
    ) -> torch.Tensor:
        """(batch, words, ...) inputs -> (batch, words, labels) logits."""
        features = torch.cat(
            [self.project(vectors), self.shapes(shapes), self.suffixes(suffixes), word_flags],
            dim=-1,
        )
        packed = nn.utils.rnn.pack_padded_sequence(
            features, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        read, _ = self.lstm(packed)
        unpacked, _ = nn.utils.rnn.pad_packed_sequence(
            read, batch_first=True, total_length=vectors.shape[1]
        )
        logits: torch.Tensor = self.out(unpacked)
        return logits


def pad_batch(
    vectors: Sequence[torch.Tensor], spellings: Sequence[Spelling]
) -> tuple[torch.Tensor, ...]:
    """Sentences of different lengths as padded tensors (vectors, shapes, suffixes, flags,
    lengths)."""
    pad = nn.utils.rnn.pad_sequence
    return (
        pad(list(vectors), batch_first=True),
        pad([s.shapes for s in spellings], batch_first=True),
        pad([s.suffixes for s in spellings], batch_first=True),
        pad([s.flags for s in spellings], batch_first=True),
        torch.tensor([len(v) for v in vectors]),
    )


def artifact_paths(name: str, folder: Path = ARTIFACTS_DIR) -> tuple[Path, Path]:
    return folder / f"{name}.safetensors", folder / f"{name}.json"


def save_artifact(head: TaggerHead, metadata: dict[str, Any], name: str, folder: Path) -> None:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    weights, meta = artifact_paths(name, folder)
    state = head.state_dict()  # half precision halves the shipped file; no measurable loss
    save_file({k: v.detach().half().contiguous() for k, v in state.items()}, str(weights))
    weights.chmod(0o644)  # package data: readable by whoever installs it
    meta.write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")


def load_head(name: str, folder: Path = ARTIFACTS_DIR) -> tuple[TaggerHead, dict[str, Any]]:
    from safetensors.torch import load_file

    weights, meta = artifact_paths(name, folder)
    metadata: dict[str, Any] = json.loads(meta.read_text())
    head = TaggerHead(len(metadata["labels"]), int(metadata["hidden"]), int(metadata["projection"]))
    head.load_state_dict({k: v.float() for k, v in load_file(str(weights)).items()})
    return head.eval(), metadata


@dataclass(frozen=True)
class TaggedWord:
    label: str
    score: float  # the softmax probability of the label
    distribution: dict[str, float]


class TokenTagger(Model):
    """Labels each word of each sentence; thread-safe (inference only). ``encoder`` makes or
    returns the word encoder, which taggers may share (it is frozen)."""

    def __init__(
        self,
        artifact: str,
        encoder: Callable[[], WordEncoder] = WordEncoder,
        folder: Path = ARTIFACTS_DIR,
    ) -> None:
        self.name = artifact
        self._folder = folder
        self._make_encoder = encoder
        self._encoder: WordEncoder | None = None
        self._head: TaggerHead | None = None
        self.labels: list[str] = []
        self.metadata: dict[str, Any] = {}

    def load(self, device: str) -> None:
        head, self.metadata = load_head(self.name, self._folder)
        self.labels = list(self.metadata["labels"])
        self._encoder = self._make_encoder().to(device)
        self._head = head.to(device)

    def tag(
        self, sentences: Sequence[Sequence[str]], batch_size: int = 32
    ) -> list[list[TaggedWord]]:
        if self._head is None or self._encoder is None:
            raise RuntimeError(f"the {self.name} model is not loaded")
        nonempty = [i for i, words in enumerate(sentences) if words]
        vectors = self._encoder.encode([sentences[i] for i in nonempty])
        results: list[list[TaggedWord]] = [[] for _ in sentences]
        device = self._encoder.device
        for start in range(0, len(nonempty), batch_size):
            chunk = list(range(start, min(start + batch_size, len(nonempty))))
            inputs = pad_batch(
                [vectors[c] for c in chunk], [Spelling.of(sentences[nonempty[c]]) for c in chunk]
            )
            with torch.inference_mode():
                logits = self._head(*(t.to(device) for t in inputs[:4]), inputs[4])
            probabilities = torch.softmax(logits.float(), dim=-1).cpu()
            for row, c in enumerate(chunk):
                results[nonempty[c]] = [
                    self._word(probabilities[row, i]) for i in range(len(sentences[nonempty[c]]))
                ]
        return results

    def _word(self, distribution: torch.Tensor) -> TaggedWord:
        best = int(distribution.argmax())
        values = distribution.tolist()
        return TaggedWord(
            self.labels[best], float(values[best]), dict(zip(self.labels, values, strict=True))
        )
