"""Sound classification: training the CNN on labelled clips, and classifying any length by
half-overlapping windows (each window's scores, and their mean for the clip)."""

from __future__ import annotations

import copy
import io
import json
import math
import random
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from sensorium.models.sound import encoder as pretrained
from sensorium.models.sound.data import Clip, SoundDataError
from sensorium.models.sound.encoder import WhisperEncoder
from sensorium.models.sound.features import MelSettings, Samples, crop, log_mel, windows
from sensorium.models.sound.network import BandStatisticsMLP, EmbeddingHead, SoundCNN
from sensorium.models.stt.audio import SAMPLE_RATE

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.pt"
KIND = "classification"
LOG_MEL = "log-mel"
LOG_MEL_STATS = "log-mel-stats"
FRONT_ENDS = (LOG_MEL, LOG_MEL_STATS, pretrained.NAME)
Encoders = Callable[[], WhisperEncoder]  # the pretrained encoder, loaded when first needed


@dataclass(frozen=True)
class ClassifierSettings:
    """Hyperparameters; the artefact keeps those inference needs."""

    epochs: int = 40
    batch_size: int = 32
    learning_rate: float = 3e-3
    weight_decay: float = 1e-3
    window_seconds: float = 5.0
    n_mels: int = 64
    width: int = 16
    patience: int = 10  # epochs without a better validation loss before stopping
    mixup: float = 0.2  # Beta(a, a) of mixup; 0 turns it off
    # SpecAugment: widest frequency mask, in mel bands, and time mask, in frames; 0 turns
    # them off. Frequency masks hide the band levels that tell steady machine sounds apart
    # (docs/benchmarks.md, UAV propellers): use freq_mask=0 for those.
    freq_mask: int = 8
    time_mask: int = 25
    seed: int = 0
    # 1: once early stopping has found the best epoch count, train a fresh network on the
    # training and validation clips together for that many epochs and keep it (the held-out
    # clips are data too; docs/benchmarks.md, UAV propellers). Its validation figures are the
    # first run's: the kept network has seen the validation clips.
    refit: int = 0
    # "log-mel": the CNN learns from log-mel spectrograms; "log-mel-stats": an MLP learns
    # from each mel band's statistics over the window (steady machine sounds);
    # "whisper-tiny-en": a small head learns from Whisper tiny.en's pretrained encoder
    # (encoder.py).
    front_end: str = LOG_MEL


@dataclass(frozen=True)
class EpochReport:
    epoch: int
    epochs: int
    train_loss: float
    validation_loss: float
    validation_accuracy: float


@dataclass
class TrainingResult:
    classifier: SoundClassifier
    validation_loss: float
    validation_accuracy: float
    train_loss: float
    best_epoch: int
    epochs_run: int
    history: list[EpochReport] = field(default_factory=list)


@dataclass(frozen=True)
class WindowScores:
    start_seconds: float
    end_seconds: float
    label: str
    scores: list[tuple[str, float]]


@dataclass(frozen=True)
class Classification:
    label: str
    scores: list[tuple[str, float]]  # best first
    windows: list[WindowScores]


Network = SoundCNN | BandStatisticsMLP | EmbeddingHead


def _network(settings: ClassifierSettings, classes: int) -> Network:
    if settings.front_end == LOG_MEL:
        return SoundCNN(settings.n_mels, classes, settings.width)
    if settings.front_end == LOG_MEL_STATS:
        return BandStatisticsMLP(settings.n_mels, classes, settings.width * 8)
    if settings.front_end == pretrained.NAME:
        return EmbeddingHead(pretrained.CHANNELS, classes, settings.width * 8)
    raise ValueError(f"unknown front end {settings.front_end!r}; use one of {FRONT_ENDS}")


class SoundClassifier:
    def __init__(
        self,
        labels: list[str],
        settings: ClassifierSettings,
        network: Network,
        encoder: WhisperEncoder | None = None,
    ) -> None:
        self.labels = labels
        self.settings = settings
        self.mel = MelSettings(settings.n_mels)
        self.network = network.eval()
        self.window = self.mel.frames(settings.window_seconds)
        self.encoder = encoder

    @classmethod
    def create(
        cls, labels: list[str], settings: ClassifierSettings, encoders: Encoders | None = None
    ) -> SoundClassifier:
        encoder = None
        if settings.front_end == pretrained.NAME:
            encoder = (encoders or pretrained.shared)()
        return cls(labels, settings, _network(settings, len(labels)), encoder)

    def features(self, samples: Samples) -> torch.Tensor:
        """(channels, frames) at 50 frames a second, from the front end."""
        if self.encoder is not None:
            return self.encoder.encode(samples)
        return log_mel(samples, self.mel)

    def window_probabilities(self, features: torch.Tensor) -> tuple[list[int], torch.Tensor]:
        """Start frames and (windows, classes) probabilities of one clip's log-mel."""
        starts = windows(features.shape[1], self.window)
        batch = torch.stack([crop(features, start, self.window) for start in starts])
        device = next(self.network.parameters()).device
        with torch.no_grad():
            logits = self.network(self.network.standardise(batch.to(device)))
        return starts, torch.softmax(logits, dim=1).cpu()

    def classify(self, samples: Samples) -> Classification:
        starts, probabilities = self.window_probabilities(self.features(samples))
        per_second = self.mel.frames_per_second
        duration = samples.size / SAMPLE_RATE
        found = []
        for start, row in zip(starts, probabilities, strict=True):
            ranked = self._ranked(row)
            found.append(
                WindowScores(
                    round(start / per_second, 3),
                    round(min(duration, (start + self.window) / per_second), 3),
                    ranked[0][0],
                    ranked,
                )
            )
        overall = self._ranked(probabilities.mean(dim=0))
        return Classification(overall[0][0], overall, found)

    def _ranked(self, row: torch.Tensor) -> list[tuple[str, float]]:
        pairs = [(label, float(p)) for label, p in zip(self.labels, row.tolist(), strict=True)]
        return sorted(pairs, key=lambda pair: -pair[1])

    def to_tar_gz(self) -> bytes:
        """model.tar.gz: config.json (kind, labels, hyperparameters) and the state dict."""
        config = {"kind": KIND, "labels": self.labels, "settings": asdict(self.settings)}
        weights = io.BytesIO()
        torch.save(self.network.state_dict(), weights)
        return pack({CONFIG_FILE: json.dumps(config).encode(), WEIGHTS_FILE: weights.getvalue()})

    @classmethod
    def from_files(
        cls, config: dict[str, Any], weights: bytes, encoders: Encoders | None = None
    ) -> SoundClassifier:
        labels = [str(label) for label in config["labels"]]
        settings = ClassifierSettings(**config["settings"])
        classifier = cls.create(labels, settings, encoders)
        state = torch.load(io.BytesIO(weights), map_location="cpu", weights_only=True)
        classifier.network.load_state_dict(state)
        classifier.network.eval()
        return classifier


def pack(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(time.time())
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def unpack(data: bytes, max_bytes: int = 512 * 1024**2) -> dict[str, bytes]:
    """The regular files of a tar.gz (no links, nothing above ``max_bytes`` in all)."""
    files: dict[str, bytes] = {}
    total = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive:
            if not member.isfile():
                continue
            total += member.size
            if total > max_bytes:
                raise ValueError(f"the archive holds more than {max_bytes} bytes")
            extracted = archive.extractfile(member)
            if extracted is not None:
                files[member.name.removeprefix("./")] = extracted.read()
    return files


Report = Callable[[EpochReport], None]  # may raise to stop training (a cancelled job)


def train_classifier(
    train: list[Clip],
    validation: list[Clip],
    settings: ClassifierSettings,
    report: Report | None = None,
    device: str = "cpu",
    encoders: Encoders | None = None,
) -> TrainingResult:
    """Backpropagation with time shift, SpecAugment and mixup; the epoch with the lowest
    validation loss is kept (early stopping after ``patience`` epochs without better)."""
    labels = sorted({clip.label for clip in train})
    if len(labels) < 2:
        raise SoundDataError(f"training needs at least two classes; found {labels or 'none'}")
    if not validation:
        raise SoundDataError("no validation clips (give a validation channel or more clips)")
    unknown = sorted({clip.label for clip in validation} - set(labels))
    if unknown:
        raise SoundDataError(f"validation classes absent from training: {unknown}")
    index = {label: i for i, label in enumerate(labels)}
    run = _Run(labels, settings, device, encoders)
    # The front ends are fixed transforms (the pretrained encoder included): a refit reuses
    # the features.
    train_features = [run.classifier.features(clip.samples) for clip in train]
    train_targets = torch.tensor([index[clip.label] for clip in train])
    valid_features = [run.classifier.features(clip.samples) for clip in validation]
    valid_targets = torch.tensor([index[clip.label] for clip in validation])
    best: tuple[float, float, int, dict[str, torch.Tensor]] | None = None
    history: list[EpochReport] = []
    train_loss = float("nan")
    for epoch, train_loss in run.epochs(train_features, train_targets, settings.epochs):
        network = run.classifier.network
        network.eval()
        valid_loss, valid_accuracy = evaluate(run.classifier, valid_features, valid_targets)
        reported = EpochReport(epoch, settings.epochs, train_loss, valid_loss, valid_accuracy)
        history.append(reported)
        if best is None or valid_loss < best[0]:
            best = (valid_loss, valid_accuracy, epoch, copy.deepcopy(network.state_dict()))
        if report is not None:
            report(reported)
        if epoch - best[2] >= settings.patience:
            break
    assert best is not None
    classifier = run.classifier
    if settings.refit:
        refit = _Run(labels, settings, device, encoders)
        features = [*train_features, *valid_features]
        for _ in refit.epochs(features, torch.cat([train_targets, valid_targets]), best[2]):
            pass
        classifier = refit.classifier
    else:
        classifier.network.load_state_dict(best[3])
    classifier.network.to("cpu").eval()
    return TrainingResult(classifier, best[0], best[1], train_loss, best[2], len(history), history)


class _Run:
    """One network trained from scratch (seeded by the settings): its epochs on given clips."""

    def __init__(
        self,
        labels: list[str],
        settings: ClassifierSettings,
        device: str,
        encoders: Encoders | None,
    ) -> None:
        torch.manual_seed(settings.seed)
        self.chooser = random.Random(settings.seed)
        self.classifier = SoundClassifier.create(labels, settings, encoders)
        self.classes = len(labels)
        self.settings = settings
        self.device = device

    def epochs(
        self, features: list[torch.Tensor], targets_all: torch.Tensor, count: int
    ) -> Iterator[tuple[int, float]]:
        """Train on the clips' ``features`` for up to ``count`` epochs (one learning-rate
        cycle over them); after each, (the epoch, its mean training loss). The caller may
        stop early."""
        settings, classifier, chooser, device = (
            self.settings, self.classifier, self.chooser, self.device,
        )  # fmt: skip
        network = classifier.network
        network.standardise.fit(features)
        network.to(device)
        optimiser = torch.optim.AdamW(
            network.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
        )
        draws = _window_draws(features, classifier.window)
        steps = max(1, math.ceil(len(draws) / settings.batch_size))
        schedule = torch.optim.lr_scheduler.OneCycleLR(
            optimiser, settings.learning_rate, total_steps=count * steps
        )
        for epoch in range(1, count + 1):
            network.train()
            order = draws[torch.randperm(len(draws))]
            losses = []
            for step in range(steps):
                chosen = order[step * settings.batch_size : (step + 1) * settings.batch_size]
                batch = torch.stack(
                    [_augmented(features[i], classifier.window, settings, chooser) for i in chosen]
                ).to(device)
                targets = (
                    nn.functional.one_hot(targets_all[chosen], self.classes).float().to(device)
                )
                batch, targets = _mixup(batch, targets, settings.mixup, chooser)
                batch = _spec_augment(network.standardise(batch), settings, chooser)
                loss: Any = torch.sum(
                    -targets * torch.log_softmax(network(batch), dim=1), dim=1
                ).mean()
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                losses.append(float(loss.detach()))
            yield epoch, float(np.mean(losses))


def evaluate(
    classifier: SoundClassifier, features: list[torch.Tensor], targets: torch.Tensor
) -> tuple[float, float]:
    """Clip-level (mean over windows) cross-entropy and accuracy."""
    probabilities = torch.stack(
        [classifier.window_probabilities(f)[1].mean(dim=0) for f in features]
    )
    loss = float(nn.functional.nll_loss(torch.log(probabilities + 1e-9), targets))
    accuracy = float((probabilities.argmax(dim=1) == targets).float().mean())
    return loss, accuracy


def _window_draws(features: list[torch.Tensor], window: int) -> torch.Tensor:
    """Each clip's index once per half-overlapping window it holds: an epoch sees as many
    random windows as inference would score, so long clips give more optimiser steps."""
    counts = torch.tensor([len(windows(f.shape[1], window)) for f in features])
    return torch.repeat_interleave(torch.arange(len(features)), counts)


def _augmented(
    features: torch.Tensor, window: int, settings: ClassifierSettings, chooser: random.Random
) -> torch.Tensor:
    """A random window of the clip, shifted in time (rolled) by up to half its length."""
    start = chooser.randint(0, max(0, features.shape[1] - window))
    piece = crop(features, start, window)
    return torch.roll(piece, chooser.randint(-window // 2, window // 2), dims=1)


def _mixup(
    batch: torch.Tensor, targets: torch.Tensor, alpha: float, chooser: random.Random
) -> tuple[torch.Tensor, torch.Tensor]:
    if alpha <= 0 or batch.shape[0] < 2:
        return batch, targets
    share = chooser.betavariate(alpha, alpha)
    order = torch.randperm(batch.shape[0])
    return (
        share * batch + (1 - share) * batch[order],
        share * targets + (1 - share) * targets[order],
    )


def _spec_augment(
    batch: torch.Tensor, settings: ClassifierSettings, chooser: random.Random
) -> torch.Tensor:
    """Two frequency and two time masks per example, set to the (standardised) mean."""
    masked = batch.clone()
    bands, frames = batch.shape[1], batch.shape[2]
    for example in masked:
        for _ in range(2):
            width = chooser.randint(0, min(settings.freq_mask, bands - 1))
            start = chooser.randint(0, bands - width)
            example[start : start + width, :] = 0.0
            width = chooser.randint(0, min(settings.time_mask, frames - 1))
            start = chooser.randint(0, frames - width)
            example[:, start : start + width] = 0.0
    return masked
