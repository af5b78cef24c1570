"""How sure the bot may be that its top intent is what was meant: a calibrated probability.

The classifier's own probability is over-confident on requests the bot was never taught
(held-out intents of the same domain land on their nearest neighbour's intent). The score
combines what the classifier says (its temperature-scaled logits) with how close the
utterance is to the sample utterances of the intent it picked (cosine in encoder space), in
a logistic regression trained at build time on requests the bot really did not know: whole
intents and background sentences held out of a first classifier (see ``pipeline``). Its
output is P(top intent is right), which ``nluIntentConfidenceThreshold`` is compared with.
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
    """Per sentence: the highest cosine to a bank example of the picked intent."""
    to_picked = np.full(len(sentences), -1.0, np.float32)
    if not len(bank):
        return to_picked
    for start in range(0, len(sentences), _CHUNK):
        rows = slice(start, start + _CHUNK)
        similarity = sentences[rows].astype(np.float32) @ bank.astype(np.float32).T
        same = bank_labels[None, :] == picked[rows, None]
        to_picked[rows] = np.where(same, similarity, -1.0).max(axis=1)
    return to_picked


def features(logits: Array, temperature: float, to_picked: Array) -> Array:
    """Columns: the top intent's logit over the temperature, and the cosine to the nearest
    sample utterance of that intent. (Measured in bench/lex_oos.py: the margin over the
    second intent, the probabilities and the closeness to any example add nothing.)"""
    top = (logits[:, :-1] / temperature).max(axis=1)
    return np.stack([top, to_picked], axis=1).astype(np.float32)


@dataclass(frozen=True)
class ScopeModel:
    """Logistic regression on standardised features."""

    mean: Array
    scale: Array
    weights: Array
    bias: float

    def probability(self, x: Array) -> Array:
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
