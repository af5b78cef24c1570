"""The intent classifier: a feedforward network on frozen sentence embeddings.

Confidence is calibrated by temperature scaling: a first model trained on part of the data
picks the temperature that minimises the negative log-likelihood on the held-out rest, then
the final model is trained on everything and divides its logits by that temperature.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

HIDDEN = 256
EPOCHS = 30
BATCH = 128


class IntentNetwork(nn.Module):
    def __init__(self, dimension: int, classes: int, hidden: int = HIDDEN) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Dropout(0.1),
            nn.Linear(dimension, hidden),
            nn.GELU(),
            nn.Dropout(0.2),
            nn.Linear(hidden, classes),
        )

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.layers(embeddings)
        return logits


def fit(
    embeddings: npt.NDArray[np.float32],
    labels: npt.NDArray[np.int64],
    classes: int,
    seed: int,
    weights: npt.NDArray[np.float32] | None = None,
) -> IntentNetwork:
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    network = IntentNetwork(embeddings.shape[1], classes)
    optimizer = torch.optim.AdamW(network.parameters(), lr=3e-3, weight_decay=1e-3)
    x = torch.from_numpy(embeddings)
    y = torch.from_numpy(labels)
    w = torch.from_numpy(weights) if weights is not None else torch.ones(len(labels))
    loss_fn = nn.CrossEntropyLoss(reduction="none", label_smoothing=0.05)
    # Small bots get more passes so every class sees enough updates.
    epochs = max(EPOCHS // max(1, len(labels) // 2000), 15)
    network.train()
    for _ in range(epochs):
        order = torch.randperm(len(labels), generator=generator)
        for start in range(0, len(order), BATCH):
            index = order[start : start + BATCH]
            loss = (loss_fn(network(x[index]), y[index]) * w[index]).sum() / w[index].sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    network.eval()
    return network


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The temperature minimising held-out NLL (searched on a log grid: robust, exact enough)."""
    best, best_loss = 1.0, float("inf")
    for temperature in np.exp(np.linspace(np.log(0.25), np.log(8.0), 41)):
        loss = nn.functional.cross_entropy(logits / float(temperature), labels).item()
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def calibrated_fit(
    embeddings: npt.NDArray[np.float32],
    labels: npt.NDArray[np.int64],
    groups: npt.NDArray[np.int64],
    classes: int,
    seed: int,
    weights: npt.NDArray[np.float32] | None = None,
) -> tuple[IntentNetwork, float]:
    """Train, holding out whole groups (expansions of one sample utterance) for calibration."""
    rng = np.random.default_rng(seed)
    unique = np.unique(groups)
    held = set(rng.choice(unique, size=max(1, len(unique) // 5), replace=False).tolist())
    held_mask = np.array([g in held for g in groups])
    temperature = 1.0
    if held_mask.any() and (~held_mask).any():
        part = fit(
            embeddings[~held_mask],
            labels[~held_mask],
            classes,
            seed,
            None if weights is None else weights[~held_mask],
        )
        with torch.no_grad():
            logits = part(torch.from_numpy(embeddings[held_mask]))
        temperature = fit_temperature(logits, torch.from_numpy(labels[held_mask]))
    return fit(embeddings, labels, classes, seed, weights), temperature
