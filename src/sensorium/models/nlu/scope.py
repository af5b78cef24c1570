"""How sure the bot may be that its top intent is what was meant: a calibrated probability.

The classifier's own probability is over-confident on requests the bot was never taught
(held-out intents of the same domain land on their nearest neighbour's intent). The score
combines what the classifier says (its temperature-scaled logits) with how close the
utterance is to the sample utterances of the intent it picked and of the runner-up (cosine
in encoder space), in a logistic regression trained at build time on requests the bot really
did not know: whole intents and background sentences held out of a first classifier (see
``intents``). Its output is P(top intent is right), which ``nluIntentConfidenceThreshold`` is
compared with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]
_CHUNK = 1024


def nearest(
    sentences: Array, bank: Array, bank_labels: npt.NDArray[np.int64], picked: npt.NDArray[np.int64]
) -> Array:
    """Per sentence and column of ``picked`` (one intent per sentence, or one per column of a
    2-D array): the highest cosine to a bank example of that intent."""
    columns = picked[:, None] if picked.ndim == 1 else picked
    result = np.full(columns.shape, -1.0, np.float32)
    if len(bank):
        for start in range(0, len(sentences), _CHUNK):
            rows = slice(start, start + _CHUNK)
            similarity = sentences[rows].astype(np.float32) @ bank.astype(np.float32).T
            for column in range(columns.shape[1]):
                same = bank_labels[None, :] == columns[rows, column, None]
                result[rows, column] = np.where(same, similarity, -1.0).max(axis=1)
    return result.reshape(picked.shape)


def features(
    logits: Array,
    temperature: float,
    sentences: Array,
    bank: Array,
    bank_labels: npt.NDArray[np.int64],
) -> Array:
    """Columns: the top intent's logit over the temperature; the cosine to the nearest sample
    utterance of that intent; and how much nearer that is than the runner-up intent's nearest
    (a request of an intent the bot does not know tends to sit between two it knows).
    Measured on bench/lex_oos.py's evaluation and found to add nothing: the margin over the
    second intent, the probabilities, the closeness to any example, the share of the nearest
    examples that are of the top intent, a per-intent radius, a small MLP instead of the
    logistic regression."""
    scaled = logits[:, :-1] / temperature
    ranked = np.argsort(-scaled, axis=1, kind="stable")[:, :2]
    top = np.take_along_axis(scaled, ranked[:, :1], axis=1)[:, 0]
    closeness = nearest(sentences, bank, bank_labels, ranked)
    to_picked = closeness[:, 0]
    to_runner_up = closeness[:, 1] if ranked.shape[1] > 1 else np.full_like(to_picked, -1.0)
    return np.stack([top, to_picked, to_picked - to_runner_up], axis=1).astype(np.float32)


@dataclass(frozen=True)
class ScopeModel:
    """Logistic regression on standardised features."""

    mean: Array
    scale: Array
    weights: Array
    bias: float

    def probability(self, x: Array) -> Array:
        # A model built before a feature was added reads only the columns it was fitted on.
        x = x[:, : len(self.weights)]
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        result: Array = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
        return result

    @classmethod
    def fit(
        cls, x: Array, right: npt.NDArray[np.bool_], weights: Array, l2: float = 1e-2
    ) -> ScopeModel:
        """Newton's method on the weighted log-loss (a handful of features: exact, fast)."""
        mean = x.mean(axis=0)
        scale = x.std(axis=0) + 1e-6
        z = np.concatenate([(x - mean) / scale, np.ones((len(x), 1))], axis=1).astype(np.float64)
        y = right.astype(np.float64)
        w = weights.astype(np.float64) / weights.sum()
        theta = np.zeros(z.shape[1])
        penalty = np.full(z.shape[1], l2)
        penalty[-1] = 0.0
        for _ in range(50):
            p = 1.0 / (1.0 + np.exp(-(z @ theta)))
            gradient = z.T @ (w * (p - y)) + penalty * theta
            hessian = (
                (z * (w * p * (1 - p))[:, None]).T @ z
                + np.diag(penalty)
                + 1e-9 * np.eye(len(theta))
            )
            step = np.linalg.solve(hessian, gradient)
            theta -= step
            if np.abs(step).max() < 1e-8:
                break
        return cls(
            mean.astype(np.float32),
            scale.astype(np.float32),
            theta[:-1].astype(np.float32),
            float(theta[-1]),
        )

    def to_state(self) -> dict[str, list[float] | float]:
        return {
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
        }

    @classmethod
    def from_state(cls, state: dict[str, list[float] | float]) -> ScopeModel:
        def vector(key: str) -> Array:
            return np.array(state[key], np.float32)

        return cls(vector("mean"), vector("scale"), vector("weights"), float(state["bias"]))  # type: ignore[arg-type]
