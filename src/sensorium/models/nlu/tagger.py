"""The slot tagger: a bidirectional GRU over frozen contextual word vectors, BIO labels."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

HIDDEN = 128
EPOCHS = 24
BATCH = 64
# Large bots get fewer passes: the tagger's updates are bounded (SNIPS' 2,100 utterances,
# 24 passes, fit under it), so a big build trains it in about the time of a small one.
MAX_UPDATES = 800
VERSION = f"bigru-{HIDDEN}-{EPOCHS}-{BATCH}-{MAX_UPDATES}"  # a tagger is reused only as is


class TaggerNetwork(nn.Module):
    def __init__(self, dimension: int, tags: int, hidden: int = HIDDEN) -> None:
        super().__init__()
        self.dropout = nn.Dropout(0.2)
        self.rnn = nn.GRU(dimension, hidden, batch_first=True, bidirectional=True)
        self.output = nn.Linear(2 * hidden, tags)

    def forward(self, words: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(self.dropout(words))
        logits: torch.Tensor = self.output(self.dropout(states))
        return logits


def fit(
    words: list[npt.NDArray[np.float32]],
    tags: list[list[int]],
    tag_count: int,
    seed: int,
) -> TaggerNetwork:
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    network = TaggerNetwork(words[0].shape[1], tag_count)
    optimizer = torch.optim.AdamW(network.parameters(), lr=3e-3, weight_decay=1e-4)
    inputs = [torch.from_numpy(w) for w in words]
    targets = [torch.tensor(t, dtype=torch.long) for t in tags]
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    epochs = EPOCHS if len(words) > 500 else EPOCHS * 3
    batches = -(-len(words) // BATCH)
    epochs = max(1, min(epochs, MAX_UPDATES // batches))
    network.train()
    for _ in range(epochs):
        order = torch.randperm(len(inputs), generator=generator).tolist()
        for start in range(0, len(order), BATCH):
            index = order[start : start + BATCH]
            x = pad_sequence([inputs[i] for i in index], batch_first=True)
            y = pad_sequence([targets[i] for i in index], batch_first=True, padding_value=-100)
            logits = network(x)
            loss = loss_fn(logits.reshape(-1, tag_count), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    network.eval()
    return network


def decode(tag_names: list[str], predicted: list[int]) -> list[tuple[str, int, int]]:
    """BIO tag ids -> (slot, first word, last word + 1); an I- without a B- opens a span."""
    spans: list[tuple[str, int, int]] = []
    current: tuple[str, int] | None = None
    for position, tag_id in enumerate([*predicted, 0]):
        tag = tag_names[tag_id] if position < len(predicted) else "O"
        inside = tag.startswith("I-") and current is not None and current[0] == tag[2:]
        if current is not None and not inside:
            spans.append((current[0], current[1], position))
            current = None
        if tag.startswith("B-") or (tag.startswith("I-") and current is None):
            current = (tag[2:], position)
    return spans
