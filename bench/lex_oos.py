"""Out-of-scope rejection of Lex bots: a bot trained on 50 of Banking77's 77 intents (its
train split), asked the test utterances of those 50 (in scope) and of the 27 others plus
SNIPS' validation utterances (out of scope, which must fall back to FallbackIntent).

In-scope accuracy counts an utterance right when its top intent is right and is not rejected;
out-of-scope recall is the share rejected. Each rejector is reported at the bot's
nluIntentConfidenceThreshold (0.4, AWS's default) where its score is a probability, and, for
comparing scores of any scale, at the strictest threshold that keeps in-scope accuracy at
93 % or more. The code before issue 22 (bench/lex_before.py) is trained in the same run (its own
row, under its own header) unless `--skip-before`.

    nice -n 10 .venv/bin/python -m bench.lex_oos [--split 0] [--skip-before]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from bench.lex_before import pipeline_class
from bench.lex_memo import MemoEncoder
from sensorium.models.nlu.augment import Example
from sensorium.models.nlu.pipeline import NluPipeline
from sensorium.models.nlu.words import split_words

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "intent"
IN_SCOPE = 50
THRESHOLD = 0.4
ACCURACY_FLOOR = 0.93
Array = npt.NDArray[np.float32]


def banking(name: str) -> list[tuple[str, str]]:
    with (DATA / "banking77" / "banking_data" / name).open() as f:
        return [(r["text"], r["category"]) for r in csv.DictReader(f)]


def snips_validation() -> list[str]:
    texts = []
    for folder in sorted((DATA / "snips" / "2017-06-custom-intent-engines").iterdir()):
        if folder.is_dir():
            path = folder / f"validate_{folder.name}.json"
            for item in json.loads(path.read_text(encoding="latin-1"))[folder.name]:
                texts.append("".join(part["text"] for part in item["data"]))
    return texts


def words(text: str) -> tuple[str, ...]:
    return tuple(w.text for w in split_words(text))


class Evaluation:
    def __init__(self, split: int) -> None:
        intents = sorted({y for _, y in banking("train.csv")})
        order = np.random.default_rng(split).permutation(len(intents))
        self.known = sorted(intents[i] for i in order[:IN_SCOPE])
        known = set(self.known)
        self.train = [
            Example(y, words(t), ("O",) * len(words(t)), i)
            for i, (t, y) in enumerate(banking("train.csv"))
            if y in known
        ]
        test = banking("test.csv")
        self.inside = [(t, y) for t, y in test if y in known]
        self.held_out = [t for t, y in test if y not in known]
        self.snips = snips_validation()
        self.outside = self.held_out + self.snips

    def report(self, name: str, inside: Array, outside: Array, picked: list[str]) -> None:
        """Scores (higher: more sure) of in-scope and out-of-scope utterances; ``picked``
        the top intents of the in-scope ones."""
        right = np.array([p == y for p, (_, y) in zip(picked, self.inside, strict=True)])
        line = f"| {name} | {right.mean():.2%} |"
        if inside.min() >= 0.0 and inside.max() <= 1.0:
            line += self._cells(right & (inside >= THRESHOLD), outside < THRESHOLD)
        else:
            line += " - | - | - | - |"
        candidates = np.unique(np.concatenate([inside, outside]))
        accurate = [t for t in candidates if (right & (inside >= t)).mean() >= ACCURACY_FLOOR]
        threshold = max(accurate) if accurate else candidates[0]
        line += self._cells(right & (inside >= threshold), outside < threshold)
        print(line, flush=True)

    def _cells(self, accepted_right: npt.NDArray[np.bool_], rejected: npt.NDArray[np.bool_]) -> str:
        held = len(self.held_out)
        return (
            f" {accepted_right.mean():.2%} | **{rejected.mean():.2%}** | "
            f"{rejected[:held].mean():.2%} | {rejected[held:].mean():.2%} |"
        )


def header_line() -> str:
    header = "| rejector | top-1 acc | in-scope acc @0.4 | OOS recall @0.4 | B77 held-out | SNIPS "
    header += "| in-scope acc @93 % | OOS recall @93 % | B77 held-out | SNIPS |\n"
    return header + "|---" * 10 + "|"


def before_issue(run: Evaluation, encoder: MemoEncoder, texts: list[str]) -> None:
    """The code before issue 22, trained and asked in this run: its row."""
    started = time.perf_counter()
    before = pipeline_class().train(run.train, encoder, seed=0)
    old_in = before.parse_many(texts, encoder)
    old_out = before.parse_many(run.outside, encoder)
    print(f"(before: trained and parsed in {time.perf_counter() - started:.0f} s)")
    print(header_line())

    def old_score(parses: list[Any]) -> Array:
        # Before: fallback when the top probability is under the threshold or the
        # background class is more probable than it; as a score, the smaller margin.
        return np.array(
            [
                max(0.0, min(p.intents[0][1], p.intents[0][1] - p.out_of_scope + THRESHOLD))
                for p in parses
            ]
        )

    old_picked = [p.intents[0][0] for p in old_in]
    run.report(
        "before: probability + background class", old_score(old_in), old_score(old_out), old_picked
    )
    print()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", type=int, default=0, help="which 50 intents are in scope")
    parser.add_argument(
        "--skip-before", action="store_true", help="do not train the code before issue 22"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    run = Evaluation(args.split)
    encoder = MemoEncoder()
    encoder.load("cpu")
    print(
        f"bot: {len(run.known)} Banking77 intents, {len(run.train)} training utterances; "
        f"in scope {len(run.inside)}, out of scope {len(run.outside)} "
        f"({len(run.held_out)} Banking77 held-out intents + {len(run.snips)} SNIPS)\n"
    )
    texts = [t for t, _ in run.inside]
    if not args.skip_before:
        before_issue(run, encoder, texts)
    started = time.perf_counter()
    after = NluPipeline.train(run.train, encoder, seed=0)
    print(f"(after: trained in {time.perf_counter() - started:.0f} s)\n")

    print(header_line(), flush=True)

    sentences_in = encoder.encode([words(t) for t in texts]).sentences
    sentences_out = encoder.encode([words(t) for t in run.outside]).sentences
    with torch.no_grad():
        logits_in = after.classifier(torch.from_numpy(sentences_in)).numpy()
        logits_out = after.classifier(torch.from_numpy(sentences_out)).numpy()
    probabilities_in, scope_in = after.confidences(sentences_in)
    probabilities_out, scope_out = after.confidences(sentences_out)
    picked = [after.intent_names[i] for i in logits_in[:, :-1].argmax(axis=1)]

    def energy(logits: Array) -> Array:
        scaled = logits[:, :-1] / after.temperature
        top = scaled.max(axis=1)
        result: Array = top + np.log(np.exp(scaled - top[:, None]).sum(axis=1))
        return result

    def margin(logits: Array) -> Array:
        ordered = np.sort(logits[:, :-1], axis=1)
        return ordered[:, -1] - ordered[:, -2]

    labels = after.bank_labels
    centroids = np.stack(
        [after.bank[labels == c].mean(axis=0) for c in range(len(after.intent_names))]
    )
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)

    def knn(sentences: Array, logits: Array) -> Array:
        from sensorium.models.nlu.scope import nearest

        return nearest(sentences, after.bank, labels, logits[:, :-1].argmax(axis=1))

    top_in, top_out = probabilities_in[:, :-1].max(1), probabilities_out[:, :-1].max(1)
    near_in, near_out = (sentences_in @ centroids.T).max(1), (sentences_out @ centroids.T).max(1)
    rows = [
        ("calibrated probability (temperature)", top_in, top_out),
        ("1 - background class", 1 - probabilities_in[:, -1], 1 - probabilities_out[:, -1]),
        ("energy (logsumexp of logits / T)", energy(logits_in), energy(logits_out)),
        ("margin (top - second logit)", margin(logits_in), margin(logits_out)),
        ("cosine to nearest intent centroid", near_in, near_out),
        ("cosine to nearest example of the top intent (kNN)", knn(sentences_in, logits_in),
         knn(sentences_out, logits_out)),
        ("**scope model: P(top intent right)** (default)", scope_in, scope_out),
    ]  # fmt: skip
    for name, inside, outside in rows:
        run.report(name, inside, outside, picked)


if __name__ == "__main__":
    main()
