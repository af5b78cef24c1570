"""Lex NLU on SNIPS (train 300/intent -> 700 validate) and Banking77 (train -> test): intent
accuracy, slot F1 (SNIPS, exact span + label), build time, parse latency; against TF-IDF +
logistic regression trained on the same data in the same run.

    nice -n 10 .venv/bin/python -m bench.lex_snips [--skip-banking] [--before]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path
from typing import Any

import torch

from bench.lex_before import pipeline_class
from bench.lex_memo import MemoEncoder
from sensorium.models.nlu.augment import Example
from sensorium.models.nlu.encoder import UtteranceEncoder
from sensorium.models.nlu.pipeline import NluPipeline
from sensorium.models.nlu.words import split_words

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "intent"


def snips(kind: str) -> list[tuple[str, str, set[tuple[str, str]], Example]]:
    rows = []
    engines = DATA / "snips" / "2017-06-custom-intent-engines"
    for folder in sorted(p for p in engines.iterdir() if p.is_dir()):
        intent = Path(folder).name
        data = json.loads(Path(folder, f"{kind}_{intent}.json").read_text(encoding="latin-1"))
        for group, item in enumerate(data[intent]):
            words: list[str] = []
            tags: list[str] = []
            gold = set()
            for part in item["data"]:
                piece = [w.text for w in split_words(part["text"])]
                entity = part.get("entity")
                words += piece
                tags += ["O" if not entity else f"{'B' if i == 0 else 'I'}-{entity}"
                         for i in range(len(piece))]  # fmt: skip
                if entity:
                    gold.add((entity, part["text"].strip()))
            text = "".join(part["text"] for part in item["data"])
            rows.append((intent, text, gold, Example(intent, tuple(words), tuple(tags), group)))
    return rows


def baseline(train: list[tuple[str, str]], test: list[tuple[str, str]]) -> tuple[float, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    started = time.perf_counter()
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(C=10, max_iter=2000),
    )
    model.fit([t for t, _ in train], [y for _, y in train])
    seconds = time.perf_counter() - started
    predicted = model.predict([t for t, _ in test])
    return sum(p == y for p, (_, y) in zip(predicted, test, strict=True)) / len(test), seconds


def evaluate(
    name: str,
    train: list[Example],
    test: list[tuple[str, str]],
    encoder: UtteranceEncoder,
    trainer: Any = NluPipeline,
) -> tuple[NluPipeline, list[Any]]:
    started = time.perf_counter()
    pipeline = trainer.train(train, encoder, seed=0)
    build = time.perf_counter() - started
    started = time.perf_counter()
    parses = pipeline.parse_many([t for t, _ in test], encoder)
    batch_ms = (time.perf_counter() - started) / len(test) * 1000
    single = time.perf_counter()
    for text, _ in test[:50]:
        pipeline.parse(text, encoder)
    single_ms = (time.perf_counter() - single) / 50 * 1000
    accuracy = sum(p.intents[0][0] == y for p, (_, y) in zip(parses, test, strict=True)) / len(test)
    tfidf, tfidf_seconds = baseline([(" ".join(e.words), e.intent) for e in train], test)
    print(f"| {name} | {accuracy:.2%} | {tfidf:.2%} | {build:.1f} s | {tfidf_seconds:.1f} s | "
          f"{single_ms:.0f} ms ({batch_ms:.1f} ms batched) |")  # fmt: skip
    return pipeline, parses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-banking", action="store_true")
    parser.add_argument(
        "--before",
        action="store_true",
        help="also the code before issue 22 (bench/lex_before.py), first: its build time "
        "includes encoding, the current build's then reads the vectors from memory",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    encoder = MemoEncoder()
    encoder.load("cpu")
    trainers: list[tuple[str, Any]] = [("", NluPipeline)]
    if args.before:
        trainers.insert(0, (" (before)", pipeline_class()))
    print("| data | Lex NLU intent acc | TF-IDF+LR acc | Lex build | TF-IDF fit | parse latency |")
    print("|---|---|---|---|---|---|")
    train, valid = snips("train"), snips("validate")
    f1 = []
    for label, trainer in trainers:
        _, parses = evaluate(
            f"SNIPS{label}", [r[3] for r in train], [(r[1], r[0]) for r in valid], encoder, trainer
        )
        tp = fp = fn = 0
        for parse, (_, _, gold, _) in zip(parses, valid, strict=True):
            predicted = {(s.slot, s.text.strip()) for s in parse.spans}
            tp, fp, fn = (
                tp + len(gold & predicted),
                fp + len(predicted - gold),
                fn + len(gold - predicted),
            )
        f1.append(f"{label or ' (now)'} {2 * tp / (2 * tp + fp + fn):.2%}")
    print(f"\nSNIPS slot F1 (exact span and label):{','.join(f1)}")
    if args.skip_banking:
        return
    folder = DATA / "banking77" / "banking_data"

    def rows(name: str) -> list[tuple[str, str]]:
        with (folder / name).open() as f:
            return [(r["text"], r["category"]) for r in csv.DictReader(f)]

    btrain, btest = rows("train.csv"), rows("test.csv")
    examples = [Example(y, tuple(w.text for w in split_words(t)), ("O",) * len(split_words(t)), i)
                for i, (t, y) in enumerate(btrain)]  # fmt: skip
    for label, trainer in trainers:
        evaluate(f"Banking77{label}", examples, btest, encoder, trainer)


if __name__ == "__main__":
    main()
