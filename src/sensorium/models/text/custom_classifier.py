"""Document classifiers users train on their own labelled text: a feedforward head over the
packaged sentence encoder (all-MiniLM-L6-v2, frozen), trained with backpropagation.

MULTI_CLASS heads end in a softmax (cross-entropy), MULTI_LABEL heads in one sigmoid per
label (binary cross-entropy, a label is predicted from 0.5). A trained head is a few hundred
kilobytes of safetensors bytes (its labels and shape in the file's metadata), so services
keep it with the resource that owns it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from sensorium.models.registry import Model
from sensorium.models.text.encoder import EMBEDDING_SIZE, SentenceEncoder

ENCODER_MODEL = "comprehend-custom-encoder"
MAX_TOKENS = 256  # words past this many tokens do not change a document's embedding
EMBED_BATCH = 64
MULTI_LABEL_THRESHOLD = 0.5
Array = np.ndarray[Any, np.dtype[np.float32]]


class DocumentEncoder(Model):
    """The frozen sentence encoder every custom classifier shares; thread-safe."""

    name = ENCODER_MODEL

    def __init__(self) -> None:
        self._encoder: SentenceEncoder | None = None
        self.device = "cpu"
        self._lock = threading.Lock()

    def load(self, device: str) -> None:
        self._encoder = SentenceEncoder().eval().to(device)
        self.device = device

    def embed(self, texts: Sequence[str], check: Callable[[], None] | None = None) -> torch.Tensor:
        """(len(texts), 384) unit vectors on the model's device; ``check`` runs between
        batches (a job's cancellation point)."""
        if self._encoder is None:
            raise RuntimeError("the document encoder is not loaded")
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result = torch.empty((len(texts), EMBEDDING_SIZE), device=self.device)
        for start in range(0, len(order), EMBED_BATCH):
            if check is not None:
                check()
            chunk = order[start : start + EMBED_BATCH]
            with self._lock:  # fast tokenizers fail ("Already borrowed") when shared
                batch = self._encoder.tokenize([texts[i] for i in chunk], MAX_TOKENS)
            batch = {k: v.to(self.device) for k, v in batch.items()}
            with torch.inference_mode():
                result[chunk] = self._encoder(**batch).float()
        return result


class ClassifierHead(nn.Module):
    """Sentence embedding -> one logit per label."""

    def __init__(self, labels: int, hidden: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.hidden = hidden
        self.layers = nn.Sequential(
            nn.LayerNorm(EMBEDDING_SIZE),
            nn.Linear(EMBEDDING_SIZE, hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, labels),
        )

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.layers(embeddings)
        return logits


@dataclass(frozen=True)
class TrainingPlan:
    epochs: int = 40
    hidden: int = 512
    learning_rate: float = 2e-3
    weight_decay: float = 1e-2
    batch_size: int = 64
    seed: int = 0


@dataclass
class TrainedHead:
    """A trained head and what its outputs mean."""

    labels: list[str]
    multi_label: bool
    head: ClassifierHead

    def probabilities(self, embeddings: torch.Tensor) -> Array:
        """(documents, labels): softmax rows for MULTI_CLASS, independent sigmoids else."""
        self.head.eval()
        with torch.inference_mode():
            logits = self.head(embeddings.to(next(self.head.parameters()).device)).float()
            scores = torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, -1)
        return np.asarray(scores.cpu().numpy(), dtype=np.float32)

    def to(self, device: str) -> TrainedHead:
        self.head.to(device)
        return self

    def to_bytes(self) -> bytes:
        from safetensors.torch import save

        state = {k: v.detach().cpu().contiguous() for k, v in self.head.state_dict().items()}
        hidden = self.head.hidden
        meta = {"labels": self.labels, "multi_label": self.multi_label, "hidden": hidden}
        return save(state, metadata={"classifier": json.dumps(meta)})

    @classmethod
    def from_bytes(cls, data: bytes) -> TrainedHead:
        from safetensors.torch import load

        meta = json.loads(_metadata(data)["classifier"])
        head = ClassifierHead(len(meta["labels"]), int(meta["hidden"]))
        head.load_state_dict(load(data))
        return cls(list(meta["labels"]), bool(meta["multi_label"]), head.eval())


def _metadata(data: bytes) -> dict[str, str]:
    """The ``__metadata__`` of safetensors bytes (its header: a length, then JSON)."""
    size = int.from_bytes(data[:8], "little")
    header: dict[str, Any] = json.loads(data[8 : 8 + size])
    return dict(header.get("__metadata__") or {})


def train_head(
    embeddings: torch.Tensor,
    targets: Array,
    labels: Sequence[str],
    multi_label: bool,
    plan: TrainingPlan,
    check: Callable[[], None] | None = None,
    progress: Callable[[float], None] | None = None,
) -> TrainedHead:
    """Backpropagation on (documents, 384) embeddings. ``targets``: (documents, labels)
    0/1 rows (exactly one 1 per row for MULTI_CLASS)."""
    device = embeddings.device
    generator = torch.Generator().manual_seed(plan.seed)
    torch.manual_seed(plan.seed)
    head = ClassifierHead(len(labels), plan.hidden).to(device)
    optimiser = torch.optim.AdamW(
        head.parameters(), lr=plan.learning_rate, weight_decay=plan.weight_decay
    )
    steps = plan.epochs * max(1, -(-len(embeddings) // plan.batch_size))
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=plan.learning_rate, total_steps=steps
    )
    truth = torch.as_tensor(targets, dtype=torch.float32, device=device)
    classes = truth.argmax(dim=1)
    head.train()
    for epoch in range(plan.epochs):
        if check is not None:
            check()
        order = torch.randperm(len(embeddings), generator=generator).to(device)
        for start in range(0, len(order), plan.batch_size):
            batch = order[start : start + plan.batch_size]
            logits = head(embeddings[batch])
            if multi_label:
                loss = nn.functional.binary_cross_entropy_with_logits(logits, truth[batch])
            else:
                loss = nn.functional.cross_entropy(logits, classes[batch])
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
            schedule.step()
        if progress is not None:
            progress((epoch + 1) / plan.epochs)
    return TrainedHead(list(labels), multi_label, head.eval())


def predictions(probabilities: Array, multi_label: bool) -> Array:
    """0/1 decisions: the top label (MULTI_CLASS), every label from 0.5 (MULTI_LABEL)."""
    if multi_label:
        return (probabilities >= MULTI_LABEL_THRESHOLD).astype(np.float32)
    decided = np.zeros_like(probabilities)
    decided[np.arange(len(probabilities)), probabilities.argmax(axis=1)] = 1.0
    return decided
