"""The intent classifier: a feedforward network on frozen sentence embeddings.

Confidence is calibrated on a first model trained on part of the data: its held-out
utterances of known intents pick the temperature that minimises the negative log-likelihood,
and together with held-out whole intents they train the scope model (``scope``). The final
model is trained on everything and divides its logits by that temperature.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from sensorium.models.nlu.scope import ScopeModel, features

HIDDEN = 256
BATCH = 128
# Passes over the data: MAX_EPOCHS while they cost at most PASS_BUDGET utterance passes (30
# rather than 15 raised top-1 and out-of-scope recall on bench/lex_oos.py, issue 22), fewer
# for larger bots, but never under MIN_EPOCHS: a 15,000-utterance bot trains 15, as before.
MAX_EPOCHS = 30
MIN_EPOCHS = 15
PASS_BUDGET = 15 * 15_000
# The share of requests a bot does not know that the scope model assumes (its prior): it sets
# where nluIntentConfidenceThreshold's default 0.4 falls (bench/lex_oos.py).
UNKNOWN_SHARE = 0.1


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
    epochs = epochs_for(len(labels))
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


def epochs_for(examples: int) -> int:
    return max(MIN_EPOCHS, min(MAX_EPOCHS, PASS_BUDGET // max(1, examples)))


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
) -> tuple[IntentNetwork, float, ScopeModel | None]:
    """Train on everything; calibrate on a first model that did not see part of the data.

    The first model misses a fifth of the intents (whole) and a fifth of the sample
    utterances of the others (whole groups: expansions of one sample utterance), and a fifth
    of the background. The held-out groups of known intents give the temperature; those and
    the held-out intents and background (requests the first model cannot know) train the
    scope model: P(top intent is right). The last class is the background."""
    rng = np.random.default_rng(seed)
    background = classes - 1
    intents = np.unique(labels[labels != background])
    held_intents = rng.choice(
        intents, size=len(intents) // 5 if len(intents) >= 3 else 0, replace=False
    )
    unknown = np.isin(labels, held_intents)
    unique = np.unique(groups[~unknown])
    held_groups = rng.choice(unique, size=max(1, len(unique) // 5), replace=False)
    held = np.isin(groups, held_groups) | unknown
    known = held & ~unknown & (labels != background)
    if not known.any() or held.all():
        network = fit(embeddings, labels, classes, seed, weights)
        return network, 1.0, None
    part = fit(
        embeddings[~held], labels[~held], classes, seed, None if weights is None else weights[~held]
    )
    with torch.no_grad():
        logits = part(torch.from_numpy(embeddings[held])).numpy()
    temperature = fit_temperature(
        torch.from_numpy(logits[known[held]]), torch.from_numpy(labels[known])
    )
    bank = ~held & (labels != background)
    picked = logits[:, :-1].argmax(axis=1)
    x = features(logits, temperature, embeddings[held], embeddings[bank], labels[bank])
    right = known[held] & (picked == labels[held])
    unknown_held = held & ~known
    balance = np.where(
        known[held],
        (1 - UNKNOWN_SHARE) / known.sum(),
        UNKNOWN_SHARE / max(1, unknown_held.sum()),
    )
    scope = None
    if right.any() and not right.all():  # else there is nothing to learn the scope from
        scope = ScopeModel.fit(x, right, balance.astype(np.float32))
    return fit(embeddings, labels, classes, seed, weights), temperature, scope
