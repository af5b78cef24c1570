"""``sensorium train syntax`` and ``sensorium train entities``: the Comprehend token taggers.

* syntax: UPOS on UD English EWT. The shared copy holds dev and test only: we train on dev plus
  the first half of test (a tenth of it kept aside to choose the epoch) and report accuracy on
  the second half of test, which training never sees.
* entities: WNUT 2017's six types in BIO tags, trained on its train split, the epoch chosen on
  dev, F1 reported on test.

The encoder stays frozen, so its word vectors are computed once and cached under ``--cache``.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from sensorium.models.text.encoder import ENCODER_NAME
from sensorium.models.text.tagger import (
    ENTITIES_ARTIFACT,
    SYNTAX_ARTIFACT,
    Spelling,
    TaggerHead,
    pad_batch,
    save_artifact,
)
from sensorium.models.text.wordfeatures import LAYERS, WordEncoder
from sensorium.training.conll import (
    bio_spans,
    ewt_split,
    read_wnut,
    span_scores,
)

log = logging.getLogger(__name__)

HIDDEN = 192
PROJECTION = 256


class Corpus:
    """Sentences with their cached word vectors, spellings and label ids."""

    def __init__(
        self,
        words: list[list[str]],
        tags: list[list[str]],
        labels: list[str],
        vectors: list[torch.Tensor],
    ) -> None:
        self.words = words
        self.tags = tags
        index = {label: i for i, label in enumerate(labels)}
        self.targets = [torch.tensor([index[t] for t in sentence]) for sentence in tags]
        self.vectors = vectors
        self.spellings = [Spelling.of(sentence) for sentence in words]

    def __len__(self) -> int:
        return len(self.words)


def cached_vectors(
    encoder: WordEncoder, sentences: list[list[str]], cache: Path, label: str
) -> list[torch.Tensor]:
    digest = hashlib.sha256(repr((ENCODER_NAME, LAYERS, sentences)).encode("utf-8")).hexdigest()[
        :16
    ]
    path = cache / f"word-vectors-{label}-{digest}.pt"
    if path.exists():
        stored: list[torch.Tensor] = torch.load(path)
        return [v.float() for v in stored]
    started = time.perf_counter()
    vectors = encoder.encode(sentences)
    log.info(
        "%s: %d sentences encoded in %.0f s", label, len(sentences), time.perf_counter() - started
    )
    cache.mkdir(parents=True, exist_ok=True)
    torch.save([v.half() for v in vectors], path)
    return vectors


def predict(head: TaggerHead, corpus: Corpus, labels: list[str]) -> list[list[str]]:
    head.eval()
    predicted: list[list[str]] = []
    with torch.inference_mode():
        for start in range(0, len(corpus), 64):
            chunk = range(start, min(start + 64, len(corpus)))
            logits = head(
                *pad_batch([corpus.vectors[i] for i in chunk], [corpus.spellings[i] for i in chunk])
            )
            best = logits.argmax(dim=-1)
            for row, i in enumerate(chunk):
                predicted.append([labels[j] for j in best[row, : len(corpus.words[i])].tolist()])
    return predicted


def fit(
    corpus: Corpus,
    labels: list[str],
    score: Callable[[TaggerHead], float],
    epochs: int,
    seed: int,
    learning_rate: float,
) -> tuple[TaggerHead, int, float]:
    """Train with Adam; keep the epoch that ``score`` (on held-aside data) likes best."""
    torch.manual_seed(seed)
    order = list(range(len(corpus)))
    shuffler = random.Random(seed)
    head = TaggerHead(len(labels), HIDDEN, PROJECTION)
    optimiser = torch.optim.AdamW(head.parameters(), lr=learning_rate, weight_decay=1e-4)
    loss_of = nn.CrossEntropyLoss(ignore_index=-100)
    best: tuple[float, int, dict[str, torch.Tensor]] = (-1.0, 0, {})
    for epoch in range(1, epochs + 1):
        head.train()
        shuffler.shuffle(order)
        total = 0.0
        for start in range(0, len(order), 32):
            chunk = order[start : start + 32]
            inputs = pad_batch(
                [corpus.vectors[i] for i in chunk], [corpus.spellings[i] for i in chunk]
            )
            targets = nn.utils.rnn.pad_sequence(
                [corpus.targets[i] for i in chunk], batch_first=True, padding_value=-100
            )
            logits = head(*inputs)
            loss = loss_of(logits.reshape(-1, len(labels)), targets.reshape(-1))
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(head.parameters(), 5.0)
            optimiser.step()
            total += float(loss.detach()) * len(chunk)
        measured = score(head)
        log.info("epoch %d: loss %.4f, held-aside score %.4f", epoch, total / len(order), measured)
        if measured > best[0]:
            best = (measured, epoch, {k: v.detach().clone() for k, v in head.state_dict().items()})
    head.load_state_dict(best[2])
    return head.eval(), best[1], best[0]


def accuracy(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    pairs = [
        (g, p) for gs, ps in zip(gold, predicted, strict=True) for g, p in zip(gs, ps, strict=True)
    ]
    return sum(g == p for g, p in pairs) / len(pairs)


def _describe(folder: Path, names: Sequence[str]) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in names}


def train_syntax(args: argparse.Namespace) -> int:
    _setup(args)
    train_part, held_out = ewt_split(args.data)
    shuffled = list(train_part)
    random.Random(args.seed).shuffle(shuffled)
    aside = len(shuffled) // 10
    labels = sorted({tag for s in train_part for tag in s.upos})
    encoder = WordEncoder()

    def corpus(sentences: Sequence[Any], label: str) -> Corpus:
        words = [s.words for s in sentences]
        return Corpus(
            words,
            [s.upos for s in sentences],
            labels,
            cached_vectors(encoder, words, args.cache, label),
        )

    train = corpus(shuffled[aside:], "ewt-train")
    development = corpus(shuffled[:aside], "ewt-aside")
    evaluation = corpus(held_out, "ewt-held-out")
    started = time.perf_counter()
    head, epoch, aside_accuracy = fit(
        train,
        labels,
        lambda h: accuracy(development.tags, predict(h, development, labels)),
        args.epochs,
        args.seed,
        args.learning_rate,
    )
    held_out_accuracy = accuracy(evaluation.tags, predict(head, evaluation, labels))
    log.info("UPOS accuracy on held-out EWT: %.4f", held_out_accuracy)
    from sensorium.training.sentiment import portable_path

    save_artifact(
        head,
        {
            "labels": labels,
            "hidden": HIDDEN,
            "projection": PROJECTION,
            "encoder": ENCODER_NAME,
            "encoder_layers": list(LAYERS),
            "data": {
                "folder": portable_path(args.data),
                "sha256": _describe(args.data, ["en_ewt-ud-dev.conllu", "en_ewt-ud-test.conllu"]),
                "train": "dev + first half of test (in file order), less a tenth set aside",
                "held_out": "second half of en_ewt-ud-test.conllu",
                "train_sentences": len(train),
                "aside_sentences": len(development),
                "held_out_sentences": len(evaluation),
                "licence": "CC BY-SA 4.0 (Universal Dependencies English EWT)",
            },
            "seed": args.seed,
            "epochs": args.epochs,
            "chosen_epoch": epoch,
            "learning_rate": args.learning_rate,
            "train_seconds": round(time.perf_counter() - started, 1),
            "aside_upos_accuracy": round(aside_accuracy, 4),
            "held_out_upos_accuracy": round(held_out_accuracy, 4),
        },
        SYNTAX_ARTIFACT,
        args.out,
    )
    return 0


def entity_f1(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    return span_scores([bio_spans(g) for g in gold], [bio_spans(p) for p in predicted]).f1


def train_entities(args: argparse.Namespace) -> int:
    _setup(args)
    splits = {name: read_wnut(args.data, name) for name in ("train", "dev", "test")}
    labels = sorted({tag for s in splits["train"] for tag in s.tags})
    encoder = WordEncoder()
    corpora = {
        name: Corpus(
            [s.words for s in sentences],
            [s.tags for s in sentences],
            labels,
            cached_vectors(encoder, [s.words for s in sentences], args.cache, f"wnut-{name}"),
        )
        for name, sentences in splits.items()
    }
    started = time.perf_counter()
    dev = corpora["dev"]
    head, epoch, dev_f1 = fit(
        corpora["train"],
        labels,
        lambda h: entity_f1(dev.tags, predict(h, dev, labels)),
        args.epochs,
        args.seed,
        args.learning_rate,
    )
    test = corpora["test"]
    predicted = predict(head, test, labels)
    scores = span_scores([bio_spans(t) for t in test.tags], [bio_spans(p) for p in predicted])
    log.info("entity F1 on WNUT17 test: %s", scores.as_dict())
    from sensorium.training.sentiment import portable_path

    save_artifact(
        head,
        {
            "labels": labels,
            "hidden": HIDDEN,
            "projection": PROJECTION,
            "encoder": ENCODER_NAME,
            "encoder_layers": list(LAYERS),
            "data": {
                "folder": portable_path(args.data),
                "sha256": _describe(
                    args.data,
                    sorted(["wnut17train.conll", "emerging.dev.conll", "emerging.test.annotated"]),
                ),
                "train": "wnut17train.conll; epoch chosen on emerging.dev.conll",
                "test": "emerging.test.annotated",
                "licence": "CC BY 4.0 (WNUT 2017 Emerging Entities)",
            },
            "seed": args.seed,
            "epochs": args.epochs,
            "chosen_epoch": epoch,
            "learning_rate": args.learning_rate,
            "train_seconds": round(time.perf_counter() - started, 1),
            "dev_entity_f1": round(dev_f1, 4),
            "test_entity_scores": scores.as_dict(),
        },
        ENTITIES_ARTIFACT,
        args.out,
    )
    return 0


def _setup(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    torch.set_num_threads(args.threads)
