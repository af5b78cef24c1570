"""ESC-10 five-fold accuracy of the built-in sound classifier, trained on four folds (15 %
of them held out for early stopping) and tested on the fifth, against a baseline measured
in the same run: logistic regression on each clip's log-mel band means and deviations.
The ESC data is CC BY-NC: nothing trained here is kept.

    nice .venv/bin/python -m bench.sound_esc10 [--epochs 30] [--folds 1,2,3,4,5]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.pipeline import make_pipeline  # type: ignore[import-untyped]
from sklearn.preprocessing import StandardScaler  # type: ignore[import-untyped]

from sensorium.models.sound.classifier import FRONT_ENDS, ClassifierSettings, train_classifier
from sensorium.models.sound.data import Clip, decode, split
from sensorium.models.sound.features import MelSettings, log_mel

ROOT = Path(__file__).resolve().parents[1]
ESC10 = ROOT.parent / "shared" / "data" / "sound" / "esc10"


def load() -> list[tuple[int, Clip]]:
    with (ESC10 / "manifest.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return [
        (
            int(row["fold"]),
            Clip(
                row["filename"],
                decode(row["filename"], (ESC10 / row["filename"]).read_bytes(), 60),
                row["category"],
            ),
        )
        for row in rows
    ]


def statistics(clip: Clip) -> np.ndarray:
    features = log_mel(clip.samples, MelSettings()).numpy()
    return np.concatenate([features.mean(axis=1), features.std(axis=1)])


def baseline(train: list[Clip], test: list[Clip]) -> float:
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    model.fit([statistics(c) for c in train], [c.label for c in train])
    predicted = model.predict([statistics(c) for c in test])
    return float(np.mean([p == c.label for p, c in zip(predicted, test, strict=True)]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--patience", type=int, default=8)
    parser.add_argument("--folds", default="1,2,3,4,5")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--front-end", default="log-mel", choices=FRONT_ENDS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    clips = load()
    settings = ClassifierSettings(
        epochs=args.epochs, patience=args.patience, front_end=args.front_end
    )
    results = []
    for fold in [int(f) for f in args.folds.split(",")]:
        train = [clip for f, clip in clips if f != fold]
        test = [clip for f, clip in clips if f == fold]
        fitted, held_out = split(train, 0.15, settings.seed)
        started = time.perf_counter()
        trained = train_classifier(fitted, held_out, settings)
        seconds = time.perf_counter() - started
        correct = [trained.classifier.classify(c.samples).label == c.label for c in test]
        result = {
            "fold": fold,
            "accuracy": float(np.mean(correct)),
            "baseline_accuracy": baseline(train, test),
            "training_seconds": round(seconds, 1),
            "epochs_run": trained.epochs_run,
            "best_epoch": trained.best_epoch,
        }
        results.append(result)
        print(json.dumps(result), flush=True)
    accuracy = float(np.mean([r["accuracy"] for r in results]))
    base = float(np.mean([r["baseline_accuracy"] for r in results]))
    print(
        json.dumps(
            {
                "mean_accuracy": round(accuracy, 4),
                "mean_baseline_accuracy": round(base, 4),
                "ratio": round(accuracy / base, 3),
                "mean_training_seconds": round(
                    float(np.mean([r["training_seconds"] for r in results])), 1
                ),
                "front_end": args.front_end,
                "epochs": args.epochs,
                "device": "cpu",
                "threads": args.threads,
            }
        )
    )


if __name__ == "__main__":
    main()
