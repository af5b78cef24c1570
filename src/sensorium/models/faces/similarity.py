"""Euclidean distance between dlib embeddings -> Rekognition ``Similarity`` (0-100).

``similarity(d) = 100 * sigmoid(slope * (d80 - d) + ln 4)``: monotone decreasing, equal to
80 at the distance ``d80``. ``d80`` and ``slope`` are fitted by ``bench/faces_calibrate.py``
and stored, with the data and rates behind them, in ``calibration.json`` next to this file.

``d80`` depends on the quality bands of the two faces (``bands.py``): a pair of poor faces
must be closer to score 80, so that different people score 80 no more often than between
good faces (``bench/faces_quality.py`` fits the cells; ``calibration.json`` keeps them).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from sensorium.models.faces.bands import Band, pair_cell
from sensorium.models.faces.types import Embedding

CALIBRATION_FILE = "calibration.json"
_LN4 = math.log(4.0)

# AssociateFaces' default UserMatchThreshold; the server's association threshold.
ASSOCIATE_FACES_THRESHOLD = 75.0


@dataclass(frozen=True, slots=True)
class Calibration:
    d80: float  # between two good faces, the most lenient cell
    slope: float
    model_version: str
    cells: tuple[tuple[str, float], ...] = ()  # pair cell -> its d80, where stricter

    def similarity(self, distance: float, a: Band = Band.GOOD, b: Band = Band.GOOD) -> float:
        z = self.slope * (self.d80_of(a, b) - distance) + _LN4
        if z >= 0:
            value = 100.0 / (1.0 + math.exp(-z))
        else:
            e = math.exp(z)
            value = 100.0 * e / (1.0 + e)
        return min(100.0, max(0.0, value))

    def d80_of(self, a: Band, b: Band) -> float:
        return min(self.d80, dict(self.cells).get(pair_cell(a, b), self.d80))

    def distance_for(self, similarity_threshold: float) -> float:
        """The largest distance whose similarity is >= ``similarity_threshold`` (0 < t < 100)
        in the most lenient cell; a vector search pre-filters with it."""
        p = min(max(similarity_threshold / 100.0, 1e-12), 1 - 1e-12)
        return self.d80 + (_LN4 - math.log(p / (1 - p))) / self.slope


@functools.cache
def load_calibration() -> Calibration:
    text = resources.files("sensorium.models.faces").joinpath(CALIBRATION_FILE).read_text()
    data: dict[str, Any] = json.loads(text)
    cells = data.get("quality_cells", {}).get("d80", {})
    return Calibration(
        d80=float(data["d80"]),
        slope=float(data["slope"]),
        model_version=str(data["model_version"]),
        cells=tuple((str(cell), float(value)) for cell, value in sorted(cells.items())),
    )


def distance(a: Embedding, b: Embedding) -> float:
    return float(np.linalg.norm(a.astype(np.float64) - b.astype(np.float64)))


def similarity(distance_value: float) -> float:
    """Rekognition-style similarity (0-100) for a Euclidean embedding distance."""
    return load_calibration().similarity(distance_value)


def embedding_similarity(a: Embedding, b: Embedding) -> float:
    return similarity(distance(a, b))
