"""The networks: a small CNN and an MLP of band statistics over log-mel windows, and a
log-mel patch autoencoder.

Each carries the per-band mean and deviation of their training features as buffers, so a
saved state dict is everything inference needs."""

from __future__ import annotations

import torch
from torch import nn


class Standardise(nn.Module):
    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, n_mels: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_mels, 1))
        self.register_buffer("std", torch.ones(n_mels, 1))

    def fit(self, features: list[torch.Tensor]) -> None:
        joined = torch.cat(features, dim=1)
        self.mean.copy_(joined.mean(dim=1, keepdim=True))
        self.std.copy_(joined.std(dim=1, keepdim=True).clamp_min(1e-3))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        standardised: torch.Tensor = (features - self.mean) / self.std
        return standardised


def _block(inputs: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, padding=1, bias=False),
        nn.BatchNorm2d(outputs),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
    )


class SoundCNN(nn.Module):
    """(batch, n_mels, frames) standardised log-mel -> class logits."""

    def __init__(self, n_mels: int, classes: int, width: int = 16, dropout: float = 0.3) -> None:
        super().__init__()
        self.standardise = Standardise(n_mels)
        self.features = nn.Sequential(
            _block(1, width),
            _block(width, width * 2),
            _block(width * 2, width * 4),
            _block(width * 4, width * 8),
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(width * 8 * 2, classes)

    def embed(self, features: torch.Tensor) -> torch.Tensor:
        maps = self.features(features[:, None])  # (batch, channels, mels, frames)
        over_time = maps.mean(dim=2)
        return torch.cat([over_time.mean(dim=2), over_time.amax(dim=2)], dim=1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.head(self.dropout(self.embed(features)))
        return logits


class PatchAutoencoder(nn.Module):
    """(batch, n_mels, frames) standardised log-mel patches -> their reconstruction."""

    def __init__(self, n_mels: int, frames: int, hidden: int = 256, code: int = 32) -> None:
        super().__init__()
        self.standardise = Standardise(n_mels)
        size = n_mels * frames
        self.shape = (n_mels, frames)
        self.encoder = nn.Sequential(
            nn.Linear(size, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, code),
        )
        self.decoder = nn.Sequential(
            nn.Linear(code, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, size),
        )

    def forward(self, patches: torch.Tensor) -> torch.Tensor:
        flat = patches.reshape(patches.shape[0], -1)
        rebuilt: torch.Tensor = self.decoder(self.encoder(flat))
        return rebuilt.reshape(patches.shape)


class EmbeddingHead(nn.Module):
    """(batch, channels, frames) standardised pretrained embeddings -> class logits: a
    temporal convolution, mean and max over time, a linear layer."""

    def __init__(
        self, channels: int, classes: int, hidden: int = 128, dropout: float = 0.3
    ) -> None:
        super().__init__()
        self.standardise = Standardise(channels)
        self.temporal = nn.Sequential(
            nn.Dropout(dropout),
            nn.Conv1d(channels, hidden, 3, padding=1),
            nn.BatchNorm1d(hidden),
            nn.ReLU(inplace=True),
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden * 2, classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        maps = self.temporal(features)
        pooled = torch.cat([maps.mean(dim=2), maps.amax(dim=2)], dim=1)
        logits: torch.Tensor = self.head(self.dropout(pooled))
        return logits


class BandStatisticsMLP(nn.Module):
    """(batch, n_mels, frames) standardised log-mel -> class logits from each band's mean,
    deviation and percentiles over the window: what separates steady machine sounds (a
    propeller's spectrum) better than the CNN's local patterns, learned by a small MLP."""

    quantiles: torch.Tensor

    def __init__(
        self,
        n_mels: int,
        classes: int,
        hidden: int = 128,
        dropout: float = 0.3,
        quantiles: tuple[float, ...] = (0.1, 0.5, 0.9),
    ) -> None:
        super().__init__()
        self.standardise = Standardise(n_mels)
        self.register_buffer("quantiles", torch.tensor(quantiles), persistent=False)
        inputs = n_mels * (2 + len(quantiles))
        # No batch normalisation: the inputs are already standardised per band, and a
        # training batch may hold a single window.
        self.head = nn.Sequential(
            nn.Linear(inputs, hidden),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden, classes),
        )

    def statistics(self, features: torch.Tensor) -> torch.Tensor:
        percentiles = torch.quantile(features, self.quantiles, dim=2)  # (q, batch, mels)
        parts = [features.mean(dim=2), features.std(dim=2), *percentiles]
        return torch.cat(parts, dim=1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.head(self.statistics(features))
        return logits
