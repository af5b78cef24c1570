"""The sentiment classifier we train: packaged encoder (optionally LoRA-adapted) + a small head.

An artifact is a pair of files in ``artifacts/``: ``sentiment-<variant>.safetensors`` (head
weights, plus adapter weights for fine-tuned variants) and ``sentiment-<variant>.json`` (how it
was trained, its measured accuracy and the calibration temperature).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from sensorium.models.registry import Model
from sensorium.models.text.encoder import EMBEDDING_SIZE, SentenceEncoder
from sensorium.models.text.lora import adapter_state, apply_lora, merge_lora

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
DEFAULT_VARIANT = "lora"
SERVE_MAX_TOKENS = 128


class SentimentHead(nn.Module):
    """Sentence embedding -> logits for (negative, positive)."""

    def __init__(self, hidden: int = 256, dropout: float = 0.1) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(EMBEDDING_SIZE, hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, 2),
        )

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.layers(embeddings)
        return logits


class SentimentNetwork(nn.Module):
    def __init__(self, encoder: SentenceEncoder, head: SentimentHead) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.head(self.encoder(input_ids, attention_mask))
        return logits


def build_network(config: dict[str, Any]) -> SentimentNetwork:
    """An untrained network shaped as ``config`` (an artifact's metadata) describes."""
    encoder = SentenceEncoder()
    lora = config.get("lora")
    if lora:
        apply_lora(encoder.transformer, int(lora["rank"]), float(lora["alpha"]))
    return SentimentNetwork(encoder, SentimentHead(int(config["head_hidden"])))


def trained_state(network: SentimentNetwork) -> dict[str, torch.Tensor]:
    """What an artifact stores: the head, and the adapters when there are any."""
    state = {f"head.{k}": v.detach().clone() for k, v in network.head.state_dict().items()}
    adapters = adapter_state(network.encoder.transformer)
    state.update({f"encoder.transformer.{k}": v for k, v in adapters.items()})
    return state


def artifact_paths(variant: str, folder: Path = ARTIFACTS_DIR) -> tuple[Path, Path]:
    return folder / f"sentiment-{variant}.safetensors", folder / f"sentiment-{variant}.json"


def save_artifact(
    network: SentimentNetwork, metadata: dict[str, Any], variant: str, folder: Path
) -> Path:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    weights, meta = artifact_paths(variant, folder)
    save_file({k: v.contiguous() for k, v in trained_state(network).items()}, str(weights))
    meta.write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
    return weights


def load_network(
    variant: str, folder: Path = ARTIFACTS_DIR
) -> tuple[SentimentNetwork, dict[str, Any]]:
    from safetensors.torch import load_file

    weights, meta = artifact_paths(variant, folder)
    metadata: dict[str, Any] = json.loads(meta.read_text())
    network = build_network(metadata)
    missing, unexpected = network.load_state_dict(load_file(str(weights)), strict=False)
    if unexpected or any(k.startswith("head.") or k.endswith((".down", ".up")) for k in missing):
        raise ValueError(f"artifact {weights} does not match its metadata")
    merge_lora(network.encoder.transformer)
    return network.eval(), metadata


@dataclass(frozen=True)
class SentenceScore:
    """Calibrated probability that one sentence is positive."""

    text: str
    positive: float
    tokens: int


class SentimentClassifier(Model):
    """Scores sentences with a trained artifact; thread-safe (inference only)."""

    def __init__(self, variant: str = DEFAULT_VARIANT, folder: Path = ARTIFACTS_DIR) -> None:
        self.variant = variant
        self.name = f"sentiment-{self.variant}"
        self._folder = folder
        self._network: SentimentNetwork | None = None
        self._device = "cpu"
        self._lock = threading.Lock()
        self.metadata: dict[str, Any] = {}

    def load(self, device: str) -> None:
        network, self.metadata = load_network(self.variant, self._folder)
        self._device = device
        self._network = network.to(device)

    def score(self, sentences: Sequence[str], batch_size: int = 32) -> list[SentenceScore]:
        if self._network is None:
            raise RuntimeError("the sentiment model is not loaded")
        temperature = float(self.metadata.get("temperature", 1.0))
        encoder = self._network.encoder
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        scores: list[SentenceScore | None] = [None] * len(sentences)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            with self._lock:  # fast tokenizers fail ("Already borrowed") when shared by threads
                batch = encoder.tokenize([sentences[i] for i in chunk], SERVE_MAX_TOKENS)
            batch = {k: v.to(self._device) for k, v in batch.items()}
            with torch.inference_mode():
                logits = self._network(**batch) / temperature
            positive = torch.softmax(logits.float(), dim=-1)[:, 1].tolist()
            lengths = batch["attention_mask"].sum(dim=1).tolist()
            for index, p, n in zip(chunk, positive, lengths, strict=True):
                scores[index] = SentenceScore(sentences[index], float(p), int(n))
        return [s for s in scores if s is not None]
