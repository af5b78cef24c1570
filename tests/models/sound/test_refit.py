"""``refit=1``: the network kept is trained afresh on the training and validation clips for
the epoch count early stopping found."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from sensorium.models.sound.classifier import ClassifierSettings, train_classifier
from sensorium.models.sound.data import Clip
from sensorium.models.stt.audio import SAMPLE_RATE


def tone(hertz: float, seed: int) -> np.ndarray:
    """A second of a noisy sine tone."""
    noise = np.random.default_rng(seed).normal(0, 0.05, SAMPLE_RATE)
    time = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    return (0.5 * np.sin(2 * np.pi * hertz * time) + noise).astype(np.float32)


def clips(seeds: range) -> list[Clip]:
    return [
        Clip(f"{label}{s}", tone(hz, s), label)
        for s in seeds
        for label, hz in (("low", 300.0), ("high", 3000.0))
    ]


def test_refit_trains_a_fresh_network_on_every_clip() -> None:
    settings = ClassifierSettings(
        epochs=6, window_seconds=1.0, n_mels=32, front_end="log-mel-stats", patience=3
    )
    train, validation = clips(range(6)), clips(range(6, 9))
    kept = train_classifier(train, validation, settings)
    refitted = train_classifier(train, validation, dataclasses.replace(settings, refit=1))
    assert refitted.best_epoch == kept.best_epoch  # the same first run chose the count
    assert refitted.validation_loss == kept.validation_loss
    before = kept.classifier.network.state_dict()
    after = refitted.classifier.network.state_dict()
    assert any(not torch.equal(before[name], after[name]) for name in before)
    for label, hertz in (("low", 300.0), ("high", 3000.0)):
        assert refitted.classifier.classify(tone(hertz, 99)).label == label
