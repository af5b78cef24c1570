"""Non-maximum suppression in numpy (no torchvision)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def nms(
    boxes: FloatArray,
    scores: FloatArray,
    threshold: float,
    mode: Literal["union", "min"] = "union",
) -> IntArray:
    """Indices of the boxes to keep, best score first.

    ``boxes`` is ``(n, 4)`` as ``x1, y1, x2, y2``. A box is dropped when its overlap with a
    better-scoring kept box exceeds ``threshold``; overlap is intersection over union
    (``"union"``) or intersection over the smaller area (``"min"``, MTCNN's last stage).
    """
    if boxes.shape[0] == 0:
        return np.empty((0,), dtype=np.intp)
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    areas = np.maximum(x2 - x1, 0.0) * np.maximum(y2 - y1, 0.0)
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size > 0:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        w = np.maximum(0.0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]))
        h = np.maximum(0.0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]))
        inter = w * h
        if mode == "min":
            denom = np.minimum(areas[i], areas[rest])
        else:
            denom = areas[i] + areas[rest] - inter
        overlap = np.where(denom > 0, inter / np.maximum(denom, 1e-12), 0.0)
        order = rest[overlap <= threshold]
    return np.asarray(keep, dtype=np.intp)
