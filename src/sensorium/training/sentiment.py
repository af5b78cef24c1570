"""``sensorium train sentiment``: the Comprehend sentiment models, trained on SST-2.

Two variants over the packaged encoder (all-MiniLM-L6-v2):

* ``head``: a feed-forward classifier on frozen sentence embeddings (cached once);
* ``lora``: low-rank adapters on every linear layer of the encoder, trained jointly with a head
  that starts from the ``head`` variant's weights (linear probe, then fine-tune).

Both are calibrated (one temperature, fitted on a held-out slice of the training file) and
evaluated on the dev file; weights and metadata (seed, data digest, hyper-parameters,
measured accuracy) go to ``--out``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

from sensorium.models.text.classifier import (
    SentimentHead,
    SentimentNetwork,
    build_network,
    save_artifact,
)
from sensorium.models.text.encoder import ENCODER_NAME, SentenceEncoder
from sensorium.models.text.lora import DEFAULT_TARGETS, apply_lora
from sensorium.training.sst2 import Examples, file_digest, read_split

log = logging.getLogger(__name__)

HEAD_HIDDEN = 256


def train_command(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    torch.set_num_threads(args.threads)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    data = _Data.load(args.data, args.seed, args.calibration_size)
    head_network: SentimentNetwork | None = None
    if args.variant in ("head", "all"):
        head_network = train_head(args, data, device)
    if args.variant in ("lora", "all"):
        train_lora(args, data, device, head_network)
    return 0


class _Data:
    def __init__(self, folder: Path, train: Examples, calibration: Examples, dev: Examples) -> None:
        self.folder = folder
        self.train = train
        self.calibration = calibration
        self.dev = dev

    @classmethod
    def load(cls, folder: Path, seed: int, calibration_size: int) -> _Data:
        full = read_split(folder / "train.tsv")
        order = list(range(len(full)))
        random.Random(seed).shuffle(order)
        calibration = full.subset(order[:calibration_size])
        train = full.subset(order[calibration_size:])
        return cls(folder, train, calibration, read_split(folder / "dev.tsv"))

    def describe(self) -> dict[str, Any]:
        return {
            "folder": portable_path(self.folder),
            "train_sha256": file_digest(self.folder / "train.tsv"),
            "dev_sha256": file_digest(self.folder / "dev.tsv"),
            "calibration_size": len(self.calibration),
            "dev_size": len(self.dev),
        }


# --- the frozen-embedding head -------------------------------------------------------------


def train_head(args: argparse.Namespace, data: _Data, device: str) -> SentimentNetwork:
    started = time.monotonic()
    torch.manual_seed(args.seed)
    encoder = SentenceEncoder().to(device).eval()
    train = data.train.subset(list(range(min(args.head_train_size, len(data.train)))))
    embed = _EmbeddingCache(encoder, args.cache, args.max_tokens, device)
    train_x, calibration_x, dev_x = (embed(s.texts) for s in (train, data.calibration, data.dev))
    embedding_seconds = time.monotonic() - started

    head = SentimentHead(HEAD_HIDDEN).to(device)
    optimizer = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=1e-2)
    labels = torch.tensor(train.labels, device=device)
    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(args.head_epochs):
        head.train()
        for batch in torch.split(torch.randperm(len(train), generator=generator), 256):
            batch = batch.to(device)
            loss = nn.functional.cross_entropy(head(train_x[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
        if epoch % 10 == 9:
            log.info("head epoch %d: loss %.4f", epoch + 1, loss.item())
    head.eval()
    with torch.inference_mode():
        calibration_logits, dev_logits = head(calibration_x), head(dev_x)
    temperature = fit_temperature(calibration_logits, data.calibration.labels)
    accuracy = _accuracy(dev_logits, data.dev.labels)
    seconds = time.monotonic() - started
    log.info("head: dev accuracy %.4f, temperature %.3f, %.0f s", accuracy, temperature, seconds)

    network = SentimentNetwork(encoder, head)
    metadata = _metadata(args, data, "head", accuracy, temperature, seconds, device)
    metadata.update(
        {
            "train_size": len(train),
            "epochs": args.head_epochs,
            "head_learning_rate": 1e-3,
            "head_batch_size": 256,
            "embedding_seconds": round(embedding_seconds, 1),
        }
    )
    save_artifact(network, metadata, "head", args.out)
    return network


class _EmbeddingCache:
    """Frozen sentence embeddings, computed once per (texts, max_tokens) and kept on disk."""

    def __init__(
        self, encoder: SentenceEncoder, folder: Path, max_tokens: int, device: str
    ) -> None:
        self.encoder = encoder
        self.folder = folder
        self.max_tokens = max_tokens
        self.device = device

    def __call__(self, texts: list[str]) -> torch.Tensor:
        key = hashlib.sha256(json.dumps([ENCODER_NAME, self.max_tokens, texts]).encode())
        path = self.folder / f"embeddings-{key.hexdigest()[:20]}.pt"
        if path.exists():
            cached: torch.Tensor = torch.load(path)
            return cached.to(self.device)
        embeddings = _encode_all(self.encoder, texts, self.max_tokens, self.device)
        self.folder.mkdir(parents=True, exist_ok=True)
        torch.save(embeddings.cpu(), path)
        return embeddings


def _encode_all(
    encoder: SentenceEncoder, texts: list[str], max_tokens: int, device: str
) -> torch.Tensor:
    out = torch.empty(len(texts), 384, device=device)
    started = time.monotonic()
    for done, batch in enumerate(_length_sorted_batches(texts, 64)):
        inputs = {
            k: v.to(device)
            for k, v in encoder.tokenize([texts[i] for i in batch], max_tokens).items()
        }
        with torch.inference_mode():
            out[torch.tensor(batch, device=device)] = encoder(**inputs)
        if done % 20 == 19:
            count = min((done + 1) * 64, len(texts))
            rate = count / (time.monotonic() - started)
            log.info("embedded %d/%d (%.0f/s)", count, len(texts), rate)
    return out


def _length_sorted_batches(texts: list[str], size: int) -> Iterator[list[int]]:
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), size):
        yield order[start : start + size]


# --- the LoRA fine-tune --------------------------------------------------------------------


def train_lora(
    args: argparse.Namespace, data: _Data, device: str, head_network: SentimentNetwork | None
) -> SentimentNetwork:
    started = time.monotonic()
    torch.manual_seed(args.seed)
    config = {"head_hidden": HEAD_HIDDEN}
    network = build_network(config)
    if head_network is not None:
        network.head.load_state_dict(head_network.head.state_dict())
    adapted = apply_lora(network.encoder.transformer, args.lora_rank, args.lora_alpha)
    network = network.to(device)
    trainable = [p for p in network.parameters() if p.requires_grad]
    log.info(
        "lora: %d layers adapted, %d trainable parameters",
        len(adapted),
        sum(p.numel() for p in trainable),
    )

    skip = args.head_train_size if head_network is not None else 0
    pool = list(range(len(data.train)))
    # Prefer examples the head did not see, then wrap around.
    pool = pool[skip:] + pool[:skip]
    train = data.train.subset(pool[: args.finetune_train_size])
    batches = _bucketed_batches(train.texts, args.batch_size, args.seed)
    optimizer = torch.optim.AdamW(trainable, lr=args.learning_rate, weight_decay=1e-2)
    schedule = _warmup_linear(optimizer, len(batches), warmup=max(1, len(batches) // 20))
    labels = torch.tensor(train.labels)
    network.train()
    for step, batch in enumerate(batches):
        inputs = network.encoder.tokenize([train.texts[i] for i in batch], args.max_tokens)
        inputs = {k: v.to(device) for k, v in inputs.items()}
        loss = nn.functional.cross_entropy(network(**inputs), labels[batch].to(device))
        optimizer.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        schedule.step()
        if step % 50 == 49:
            rate = (step + 1) * args.batch_size / (time.monotonic() - started)
            log.info(
                "lora step %d/%d loss %.4f (%.0f sentences/s)",
                step + 1,
                len(batches),
                loss.item(),
                rate,
            )
    network.eval()
    training_seconds = time.monotonic() - started
    calibration_logits = _network_logits(network, data.calibration.texts, args.max_tokens, device)
    temperature = fit_temperature(calibration_logits, data.calibration.labels)
    accuracy = _accuracy(
        _network_logits(network, data.dev.texts, args.max_tokens, device), data.dev.labels
    )
    seconds = time.monotonic() - started
    log.info("lora: dev accuracy %.4f, temperature %.3f, %.0f s", accuracy, temperature, seconds)

    metadata = _metadata(args, data, "lora", accuracy, temperature, seconds, device)
    metadata.update(
        {
            "train_size": len(train),
            "epochs": 1,
            "batch_size": args.batch_size,
            "learning_rate": args.learning_rate,
            "head_init": "sentiment-head" if head_network is not None else "random",
            "lora": {
                "rank": args.lora_rank,
                "alpha": args.lora_alpha,
                "targets": list(DEFAULT_TARGETS),
            },
            "training_seconds": round(training_seconds, 1),
        }
    )
    save_artifact(network, metadata, "lora", args.out)
    return network


def _bucketed_batches(texts: list[str], size: int, seed: int) -> list[list[int]]:
    """Shuffled batches of similar-length texts (less padding, same data each epoch)."""
    rng = random.Random(seed)
    order = list(range(len(texts)))
    rng.shuffle(order)
    batches = []
    window = size * 50
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: len(texts[i]))
        batches += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def _warmup_linear(
    optimizer: torch.optim.Optimizer, total: int, warmup: int
) -> torch.optim.lr_scheduler.LambdaLR:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _network_logits(
    network: SentimentNetwork, texts: list[str], max_tokens: int, device: str
) -> torch.Tensor:
    logits = torch.empty(len(texts), 2, device=device)
    for batch in _length_sorted_batches(texts, 64):
        inputs = {
            k: v.to(device)
            for k, v in network.encoder.tokenize([texts[i] for i in batch], max_tokens).items()
        }
        with torch.inference_mode():
            logits[torch.tensor(batch, device=device)] = network(**inputs)
    return logits


# --- shared --------------------------------------------------------------------------------


def fit_temperature(logits: torch.Tensor, labels: list[int]) -> float:
    """The temperature minimising held-out negative log-likelihood (a 1-D grid search)."""
    target = torch.tensor(labels, device=logits.device)
    candidates = [math.exp(x / 20) for x in range(-40, 61)]  # 0.14 .. 20
    losses = [nn.functional.cross_entropy(logits / t, target).item() for t in candidates]
    return round(candidates[min(range(len(losses)), key=losses.__getitem__)], 4)


def _accuracy(logits: torch.Tensor, labels: list[int]) -> float:
    predicted = logits.argmax(dim=-1).cpu()
    return float((predicted == torch.tensor(labels)).float().mean())


def _metadata(
    args: argparse.Namespace,
    data: _Data,
    variant: str,
    accuracy: float,
    temperature: float,
    seconds: float,
    device: str,
) -> dict[str, Any]:
    return {
        "variant": variant,
        "encoder": ENCODER_NAME,
        "head_hidden": HEAD_HIDDEN,
        "seed": args.seed,
        "max_tokens": args.max_tokens,
        "data": data.describe(),
        "dev_accuracy": round(accuracy, 4),
        "temperature": temperature,
        "seconds": round(seconds, 1),
        "device": device,
        "threads": args.threads,
        "torch": torch.__version__,
        "arguments": {
            k: portable_path(v) if isinstance(v, Path) else str(v)
            for k, v in sorted(vars(args).items())
            if isinstance(v, int | float | str | Path) and k not in _MACHINE_LOCAL
        },
    }


# Where this machine keeps caches and outputs says nothing about how the model was made.
_MACHINE_LOCAL = frozenset({"cache", "out"})


def portable_path(path: Path) -> str:
    """A path as it reads on any machine: from ``shared/`` on, else the folder's name."""
    parts = path.resolve().parts
    if "shared" in parts:
        return "/".join(parts[parts.index("shared") :])
    return path.name
