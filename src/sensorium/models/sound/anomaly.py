"""Sound anomaly detection: an autoencoder of log-mel patches trained on normal clips only;
a clip's anomaly score is its mean reconstruction error, and the threshold the chosen
quantile of the scores of normal clips held out from training."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from sensorium.models.sound.classifier import CONFIG_FILE, WEIGHTS_FILE, pack
from sensorium.models.sound.data import Clip, SoundDataError
from sensorium.models.sound.features import MelSettings, Samples, crop, log_mel, windows
from sensorium.models.sound.network import PatchAutoencoder

KIND = "anomaly-detection"


@dataclass(frozen=True)
class AnomalySettings:
    epochs: int = 30
    batch_size: int = 128
    learning_rate: float = 1e-3
    n_mels: int = 64
    patch_frames: int = 16
    hidden: int = 256
    code: int = 32
    threshold_quantile: float = 0.99
    seed: int = 0


@dataclass(frozen=True)
class AnomalyEpoch:
    epoch: int
    epochs: int
    train_loss: float
    validation_loss: float


@dataclass(frozen=True)
class AnomalyScore:
    anomaly_score: float
    threshold: float

    @property
    def is_anomaly(self) -> bool:
        return self.anomaly_score > self.threshold


class AnomalyDetector:
    def __init__(
        self, settings: AnomalySettings, network: PatchAutoencoder, threshold: float
    ) -> None:
        self.settings = settings
        self.mel = MelSettings(settings.n_mels)
        self.network = network.eval()
        self.threshold = threshold

    def patches(self, features: torch.Tensor) -> torch.Tensor:
        size = self.settings.patch_frames
        return torch.stack(
            [crop(features, start, size) for start in windows(features.shape[1], size)]
        )

    def clip_score(self, features: torch.Tensor) -> float:
        patches = self.network.standardise(self.patches(features))
        with torch.no_grad():
            errors = (self.network(patches) - patches).square().mean(dim=(1, 2))
        return float(errors.mean())

    def score(self, samples: Samples) -> AnomalyScore:
        return AnomalyScore(self.clip_score(log_mel(samples, self.mel)), self.threshold)

    def to_tar_gz(self) -> bytes:
        config = {"kind": KIND, "threshold": self.threshold, "settings": asdict(self.settings)}
        weights = io.BytesIO()
        torch.save(self.network.state_dict(), weights)
        return pack({CONFIG_FILE: json.dumps(config).encode(), WEIGHTS_FILE: weights.getvalue()})

    @classmethod
    def from_files(cls, config: dict[str, object], weights: bytes) -> AnomalyDetector:
        settings = AnomalySettings(**config["settings"])  # type: ignore[arg-type]
        network = _network(settings)
        state = torch.load(io.BytesIO(weights), map_location="cpu", weights_only=True)
        network.load_state_dict(state)
        return cls(settings, network, float(config["threshold"]))  # type: ignore[arg-type]


def _network(settings: AnomalySettings) -> PatchAutoencoder:
    return PatchAutoencoder(settings.n_mels, settings.patch_frames, settings.hidden, settings.code)


@dataclass
class AnomalyTraining:
    detector: AnomalyDetector
    train_loss: float
    validation_loss: float  # mean score of the held-out normal clips
    epochs_run: int


def train_detector(
    normal: list[Clip],
    held_out: list[Clip],
    settings: AnomalySettings,
    report: Callable[[AnomalyEpoch], None] | None = None,
    device: str = "cpu",
) -> AnomalyTraining:
    """Fit the autoencoder to ``normal`` patches; calibrate the threshold on ``held_out``."""
    if not normal or not held_out:
        raise SoundDataError("anomaly detection needs normal clips to train on and to hold out")
    torch.manual_seed(settings.seed)
    detector = AnomalyDetector(settings, _network(settings), 0.0)
    features = [log_mel(clip.samples, detector.mel) for clip in normal]
    held = [log_mel(clip.samples, detector.mel) for clip in held_out]
    network = detector.network
    network.standardise.fit(features)
    patches = network.standardise(torch.cat([detector.patches(f) for f in features]))
    network.to(device)
    optimiser = torch.optim.Adam(network.parameters(), lr=settings.learning_rate)
    chooser = random.Random(settings.seed)
    train_loss = float("nan")
    for epoch in range(1, settings.epochs + 1):
        network.train()
        order = torch.randperm(
            len(patches), generator=torch.Generator().manual_seed(chooser.randint(0, 2**31))
        )
        losses = []
        for start in range(0, len(order), settings.batch_size):
            batch = patches[order[start : start + settings.batch_size]].to(device)
            loss: Any = nn.functional.mse_loss(network(batch), batch)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss.detach()))
        train_loss = float(np.mean(losses))
        network.eval()
        if report is not None:
            network.to("cpu")
            validation = float(np.mean([detector.clip_score(f) for f in held]))
            network.to(device)
            report(AnomalyEpoch(epoch, settings.epochs, train_loss, validation))
    network.to("cpu").eval()
    scores = [detector.clip_score(f) for f in held]
    detector.threshold = float(np.quantile(scores, settings.threshold_quantile))
    return AnomalyTraining(detector, train_loss, float(np.mean(scores)), settings.epochs)
