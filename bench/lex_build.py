"""Lex build time against bot size: the NLU training of a bot locale (what BuildBotLocale's job
runs) for bots of 10, 50 and 150 intents of about 100 utterances each, with the code before
issue 22 (bench/lex_before.py) and now, in the same run; then a rebuild after one intent's
utterances changed (the encoding cache of the first build, read back from the model's bytes).

Encoding is the same code before and now (every utterance once, in length-sorted batches), so
it is timed once per bot and added to both trainings, which are timed with the vectors served
from memory. The rebuild is timed in full: it runs the encoder
on what changed.

Intents are Banking77's (its train split, up to 100 utterances each, no slots) and slices of
100 utterances of SNIPS' train_full intents (with their slot annotations, so the tagger trains),
half and half up to Banking77's 77.

    nice -n 10 .venv/bin/python -m bench.lex_build [--sizes 10 50 150] [--before 10 50 150]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch

from bench.lex_before import pipeline_class
from bench.lex_memo import MemoEncoder
from sensorium.models.nlu.augment import Example
from sensorium.models.nlu.background import BACKGROUND
from sensorium.models.nlu.pipeline import NluPipeline
from sensorium.models.nlu.words import split_words

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "intent"
PER_INTENT = 100
Array = npt.NDArray[np.float32]


def banking_intents() -> list[list[Example]]:
    by_intent: dict[str, list[str]] = {}
    with (DATA / "banking77" / "banking_data" / "train.csv").open() as f:
        for row in csv.DictReader(f):
            by_intent.setdefault(row["category"], []).append(row["text"])
    intents = []
    for name, texts in sorted(by_intent.items()):
        examples = []
        for text in texts[:PER_INTENT]:
            words = tuple(w.text for w in split_words(text))
            examples.append(Example(name, words, ("O",) * len(words), 0))
        intents.append(examples)
    return intents


def snips_intents() -> list[list[Example]]:
    """SNIPS' train_full utterances of each intent, 100 at a time, as separate intents."""
    slices: list[list[list[Example]]] = []
    engines = DATA / "snips" / "2017-06-custom-intent-engines"
    for folder in sorted(p for p in engines.iterdir() if p.is_dir()):
        path = folder / f"train_{folder.name}_full.json"
        items = json.loads(path.read_text(encoding="latin-1"))[folder.name]
        chunks: list[list[Example]] = []
        for start in range(0, len(items) - PER_INTENT + 1, PER_INTENT):
            name = f"{folder.name}{start // PER_INTENT}"
            chunk = []
            for item in items[start : start + PER_INTENT]:
                words: list[str] = []
                tags: list[str] = []
                for part in item["data"]:
                    piece = [w.text for w in split_words(part["text"])]
                    entity = part.get("entity")
                    words += piece
                    tags += ["O" if not entity else f"{'B' if i == 0 else 'I'}-{entity}"
                             for i in range(len(piece))]  # fmt: skip
                chunk.append(Example(name, tuple(words), tuple(tags), 0))
            chunks.append(chunk)
        slices.append(chunks)
    # Round-robin over SNIPS' intents, so a small bot has several kinds of slots.
    ordered: list[list[Example]] = []
    for round_ in range(max(len(s) for s in slices)):
        ordered.extend(s[round_] for s in slices if round_ < len(s))
    return ordered


def bot(size: int, banking: list[list[Example]], snips: list[list[Example]]) -> list[Example]:
    from_banking = min(len(banking), size // 2)
    chosen = banking[:from_banking] + snips[: size - from_banking]
    examples = [e for intent in chosen for e in intent]
    # One group per utterance, as BuildBotLocale gives sample utterances without slots.
    return [Example(e.intent, e.words, e.tags, group) for group, e in enumerate(examples)]


def changed(examples: list[Example]) -> list[Example]:
    """The first intent's utterances reworded (a prefix), as an edit of one intent."""
    first = examples[0].intent
    return [
        Example(e.intent, ("please", *e.words), ("O", *e.tags), e.group) if e.intent == first else e
        for e in examples
    ]


def encoding_seconds(encoder: MemoEncoder, keys: list[tuple[str, ...]]) -> float:
    """Encoder time for ``keys``, which are then remembered for the trainings that follow."""
    started = time.perf_counter()
    encoder.remember(keys)
    return time.perf_counter() - started


def timed(train: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = train()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 150])
    parser.add_argument("--before", type=int, nargs="*", default=[10, 50, 150])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    banking, snips = banking_intents(), snips_intents()
    print(f"torch threads: {args.threads}\n")
    print("| intents | utterances | with slots | encoding | training before | training now | "
          "build before | build now | ratio | rebuild, one intent changed | "
          "re-encoded / reused |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        encoder = MemoEncoder()
        encoder.load("cpu")
        examples = bot(size, banking, snips)
        slotted = sum(any(t != "O" for t in e.tags) for e in examples)
        background = [tuple(w.text for w in split_words(s)) for s in BACKGROUND]
        keys = sorted({e.words for e in examples} | set(background))
        encoding = encoding_seconds(encoder, keys)
        old_train, old_total = "-", "-"
        old_build = 0.0
        if size in args.before:
            old_seconds, _ = timed(partial(pipeline_class().train, examples, encoder, seed=0))
            old_build = encoding + old_seconds
            old_train, old_total = f"{old_seconds:.1f} s", f"{old_build:.1f} s"
        new_seconds, pipeline = timed(partial(NluPipeline.train, examples, encoder, seed=0))
        assert isinstance(pipeline, NluPipeline)
        new_build = encoding + new_seconds
        previous = NluPipeline.from_bytes(pipeline.to_bytes(), encoder.dimension, with_cache=True)
        edited = changed(examples)
        again_seconds, rebuilt = timed(
            partial(NluPipeline.train, edited, encoder, seed=0, previous=previous)
        )
        assert isinstance(rebuilt, NluPipeline) and rebuilt.report is not None
        ratio = f"{old_build / new_build:.1f}x" if old_build else "-"
        print(f"| {size} | {len(examples):,} | {slotted:,} | {encoding:.1f} s | {old_train} | "
              f"{new_seconds:.1f} s | {old_total} | {new_build:.1f} s | {ratio} | "
              f"{again_seconds:.1f} s | {rebuilt.report.encoded:,} / {rebuilt.report.reused:,} |",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
