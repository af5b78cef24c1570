"""ClassifierMetadata.EvaluationMetrics on the test documents, as AWS defines them.

Accuracy: documents whose predicted labels are exactly their labels (for MULTI_CLASS, the
ordinary accuracy). Precision, Recall, F1Score: macro averages, each label's score averaged
over the labels that occur in the truth or the predictions (a score with nothing to divide
by counts 0). Micro*: from the counts pooled over every label. HammingLoss: the fraction of
wrong labels: for MULTI_CLASS the documents given the wrong class (1 - Accuracy), for
MULTI_LABEL the (document, label) decisions that are wrong.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sensorium.models.text.custom_classifier import Array


def evaluation_metrics(truth: Array, predicted: Array, multi_label: bool) -> dict[str, float]:
    """``truth`` and ``predicted``: (documents, labels) 0/1 arrays."""
    t = truth.astype(bool)
    p = predicted.astype(bool)
    true_pos = (t & p).sum(axis=0).astype(np.float64)
    false_pos = (~t & p).sum(axis=0).astype(np.float64)
    false_neg = (t & ~p).sum(axis=0).astype(np.float64)
    present = (t | p).any(axis=0)
    precision = _ratio(true_pos, true_pos + false_pos)
    recall = _ratio(true_pos, true_pos + false_neg)
    f1 = _ratio(2 * precision * recall, precision + recall)
    micro_p = _scalar(true_pos.sum(), true_pos.sum() + false_pos.sum())
    micro_r = _scalar(true_pos.sum(), true_pos.sum() + false_neg.sum())
    accuracy = float((t == p).all(axis=1).mean())
    return {
        "Accuracy": accuracy,
        "Precision": _mean(precision, present),
        "Recall": _mean(recall, present),
        "F1Score": _mean(f1, present),
        "MicroPrecision": micro_p,
        "MicroRecall": micro_r,
        "MicroF1Score": _scalar(2 * micro_p * micro_r, micro_p + micro_r),
        "HammingLoss": float((t != p).mean()) if multi_label else 1.0 - accuracy,
    }


def _ratio(top: Any, bottom: Any) -> Any:
    return np.divide(top, bottom, out=np.zeros_like(top, dtype=np.float64), where=bottom > 0)


def _scalar(top: float, bottom: float) -> float:
    return float(top / bottom) if bottom > 0 else 0.0


def _mean(values: Any, present: Any) -> float:
    return float(values[present].mean()) if present.any() else 0.0
