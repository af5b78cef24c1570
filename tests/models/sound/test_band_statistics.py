"""The log-mel-stats front end: band statistics as the MLP sees them, and a network
trained on real UAV flights (shared data) that tells normal from damaged propellers and
survives its artefact round trip."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch

from sensorium.models.sound.classifier import (
    CONFIG_FILE,
    LOG_MEL_STATS,
    WEIGHTS_FILE,
    ClassifierSettings,
    SoundClassifier,
    train_classifier,
    unpack,
)
from sensorium.models.sound.data import Clip, decode
from sensorium.models.sound.network import BandStatisticsMLP
from tests.conftest import shared_data

FLIGHTS_PER_CLASS = 12  # up to 8 to train, 1 to stop early, the rest (4 in all) to test
SAMPLES = 8 * 16_000  # the first 8 s of each 20 s flight, to keep the test short


def test_statistics_are_band_means_deviations_and_percentiles() -> None:
    network = BandStatisticsMLP(n_mels=3, classes=2)
    features = torch.randn(2, 3, 50)
    statistics = network.statistics(features)
    assert statistics.shape == (2, 3 * 5)
    array = features.numpy()
    expected = np.concatenate(
        [
            array.mean(axis=2),
            array.std(axis=2, ddof=1),
            *np.quantile(array, [0.1, 0.5, 0.9], axis=2),
        ],
        axis=1,
    )
    np.testing.assert_allclose(statistics.numpy(), expected, rtol=1e-5, atol=1e-5)


def _flights() -> dict[str, list[Clip]]:
    root = shared_data("sound", "uav-propellers")
    with (root / "manifest.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    chosen: dict[str, list[Clip]] = {}
    for label in ("0", "4"):
        names = [r["filename"] for r in rows if r["broken_propellers"] == label]
        chosen[label] = [
            Clip(name, decode(name, (root / name).read_bytes(), 60)[:SAMPLES], label)
            for name in names[:FLIGHTS_PER_CLASS]
        ]
    return chosen


def test_the_mlp_learns_propeller_damage_and_round_trips() -> None:
    torch.set_num_threads(1)
    flights = _flights()
    train = [c for group in flights.values() for c in group[:8]]
    validation = [group[8] for group in flights.values()]
    test = [c for group in flights.values() for c in group[9:]]
    settings = ClassifierSettings(
        epochs=25, batch_size=4, window_seconds=2.0, patience=25, front_end=LOG_MEL_STATS
    )
    result = train_classifier(train, validation, settings)
    classifier = result.classifier
    assert isinstance(classifier.network, BandStatisticsMLP)
    assert result.history[-1].train_loss < result.history[0].train_loss
    assert {c.label for c in test} == {"0", "4"}
    assert [classifier.classify(c.samples).label for c in test] == [c.label for c in test]
    files = unpack(classifier.to_tar_gz())
    loaded = SoundClassifier.from_files(json.loads(files[CONFIG_FILE]), files[WEIGHTS_FILE])
    assert loaded.settings.front_end == LOG_MEL_STATS
    for clip in test:
        before = [s for _, s in classifier.classify(clip.samples).scores]
        after = [s for _, s in loaded.classify(clip.samples).scores]
        assert after == pytest.approx(before, abs=1e-6)
