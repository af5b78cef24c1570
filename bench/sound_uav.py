"""UAV propeller recordings (../shared/data/sound/uav-propellers, 93 flights of 20 s): five
folds of whole flights (a flight is never split), stratified by the number of broken
propellers.

- classification of the number of broken propellers (0-4) per flight, against a baseline
  measured in the same run (logistic regression on log-mel band means and deviations);
- anomaly detection trained on the training folds' normal flights only: AUC of the anomaly
  score over the held-out flights (normal vs any broken), against the same baseline's
  idea of a score (distance to the mean of normal band statistics).

The data is for research: nothing trained here is kept.

    nice .venv/bin/python -m bench.sound_uav [--epochs 30] [--front-end whisper-tiny-en]
        [--freq-mask 0]  (the hyperparameter freq_mask; 0 turns frequency masks off)
        [--refit 1]  (the hyperparameter refit: retrain on every training flight)
        [--classification-only]  (skips the anomaly detector, which no front end changes)
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
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]
from sklearn.pipeline import make_pipeline  # type: ignore[import-untyped]
from sklearn.preprocessing import StandardScaler  # type: ignore[import-untyped]

from sensorium.models.sound import encoder as pretrained
from sensorium.models.sound.anomaly import AnomalySettings, train_detector
from sensorium.models.sound.classifier import FRONT_ENDS, ClassifierSettings, train_classifier
from sensorium.models.sound.data import Clip, decode, split
from sensorium.models.sound.encoder import WhisperEncoder
from sensorium.models.sound.features import MelSettings, Samples, log_mel

ROOT = Path(__file__).resolve().parents[1]
UAV = ROOT.parent / "shared" / "data" / "sound" / "uav-propellers"
FOLDS = 5


class CachedEncoder(WhisperEncoder):
    """The shared encoder, remembering each flight's embeddings across folds."""

    def __init__(self, inner: WhisperEncoder) -> None:
        self.inner = inner
        self.cache: dict[int, torch.Tensor] = {}

    def encode(self, samples: Samples) -> torch.Tensor:
        key = id(samples)
        if key not in self.cache:
            self.cache[key] = self.inner.encode(samples)
        return self.cache[key]


def load() -> list[Clip]:
    with (UAV / "manifest.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return [
        Clip(
            row["filename"],
            decode(row["filename"], (UAV / row["filename"]).read_bytes(), 60),
            row["broken_propellers"],
        )
        for row in rows
    ]


def folds(clips: list[Clip]) -> list[int]:
    """Each flight's fold: stratified by class, in manifest order."""
    assigned, seen = [], dict.fromkeys({c.label for c in clips}, 0)
    for clip in clips:
        assigned.append(seen[clip.label] % FOLDS)
        seen[clip.label] += 1
    return assigned


def statistics(clip: Clip) -> np.ndarray:
    features = log_mel(clip.samples, MelSettings()).numpy()
    return np.concatenate([features.mean(axis=1), features.std(axis=1)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--front-end", default=pretrained.NAME, choices=FRONT_ENDS)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--freq-mask", type=int, default=ClassifierSettings.freq_mask)
    parser.add_argument("--refit", type=int, default=0, choices=(0, 1))
    parser.add_argument("--classification-only", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    clips = load()
    fold_of = folds(clips)
    cached = CachedEncoder(pretrained.shared()) if args.front_end == pretrained.NAME else None
    settings = ClassifierSettings(
        epochs=args.epochs,
        patience=8,
        freq_mask=args.freq_mask,
        front_end=args.front_end,
        refit=args.refit,
    )
    correct, base_correct, seconds = [], [], []
    scores, base_scores, truth = [], [], []
    for fold in range(FOLDS):
        train = [c for c, f in zip(clips, fold_of, strict=True) if f != fold]
        test = [c for c, f in zip(clips, fold_of, strict=True) if f == fold]
        fitted, held_out = split(train, 0.15, 0)
        started = time.perf_counter()
        trained = train_classifier(fitted, held_out, settings, encoders=lambda: cached)  # type: ignore[arg-type,return-value]
        seconds.append(time.perf_counter() - started)
        correct += [trained.classifier.classify(c.samples).label == c.label for c in test]
        baseline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000))
        baseline.fit([statistics(c) for c in train], [c.label for c in train])
        base_correct += [
            p == c.label
            for p, c in zip(baseline.predict([statistics(c) for c in test]), test, strict=True)
        ]
        print(json.dumps({"fold": fold + 1, "training_seconds": round(seconds[-1], 1)}), flush=True)
        if args.classification_only:
            continue
        normal = [c for c in train if c.label == "0"]
        normal_fit, normal_held = split([Clip(c.name, c.samples, "normal") for c in normal], 0.2, 0)
        detector = train_detector(normal_fit, normal_held, AnomalySettings(epochs=args.epochs))
        scores += [detector.detector.score(c.samples).anomaly_score for c in test]
        centre = np.mean([statistics(c) for c in normal], axis=0)
        spread = np.std([statistics(c) for c in normal], axis=0) + 1e-6
        base_scores += [float(np.linalg.norm((statistics(c) - centre) / spread)) for c in test]
        truth += [c.label != "0" for c in test]
    result: dict[str, object] = {
        "flights": len(clips),
        "accuracy_per_flight": round(float(np.mean(correct)), 4),
        "baseline_accuracy_per_flight": round(float(np.mean(base_correct)), 4),
        "mean_classifier_training_seconds": round(float(np.mean(seconds)), 1),
        "front_end": args.front_end,
        "freq_mask": args.freq_mask,
        "refit": args.refit,
        "epochs": args.epochs,
    }
    if truth:
        result["anomaly_auc"] = round(float(roc_auc_score(truth, scores)), 4)
        result["baseline_anomaly_auc"] = round(float(roc_auc_score(truth, base_scores)), 4)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
