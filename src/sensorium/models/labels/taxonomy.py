"""Rekognition-style labels from ImageNet's 1000 classes, written down once in
``taxonomy.json`` (shipped in the package).

The file holds every label (``Name`` -> its direct ``Parents``, ``Aliases`` and
``Categories``, AWS's category names) and, for each ImageNet class in the network's output
order, the label it is (``["mountain bike", "Mountain Bike"]``; Mountain Bike's parent is
Bicycle, whose parent is Vehicle, then Transportation). Labels form a graph without cycles; a
label's ``Parents`` in an answer are all its ancestors, as AWS lists them.

Confidence rule: a label's confidence is the sum of the probabilities of the classes that are
it or one of its descendants, each class counted once (a class reached along two paths
counts once). So a parent is always at least as confident as each of its children, and Dog is
as sure as all 118 dog breeds together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt

TAXONOMY_FILE = "taxonomy.json"


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    parents: tuple[str, ...]  # every ancestor, nearest first
    aliases: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScoredLabel:
    label: Label
    confidence: float  # percent


class Taxonomy:
    def __init__(self, document: dict[str, object]) -> None:
        raw = document["labels"]
        classes = document["classes"]
        assert isinstance(raw, dict) and isinstance(classes, list)
        self.version = str(document["version"])
        direct = {name: list(entry["Parents"]) for name, entry in raw.items()}
        for name, parents in direct.items():
            for parent in parents:
                if parent not in direct:
                    raise ValueError(f"label {name!r}: unknown parent {parent!r}")
        self.labels: dict[str, Label] = {}
        for name, entry in raw.items():
            self.labels[name] = Label(
                name,
                tuple(_ancestors(name, direct)),
                tuple(entry["Aliases"]),
                tuple(entry["Categories"]),
            )
        self.class_names = [str(imagenet) for imagenet, _ in classes]
        self.class_labels = [str(label) for _, label in classes]
        unknown = sorted({label for label in self.class_labels if label not in self.labels})
        if unknown:
            raise ValueError(f"classes map to unknown labels: {', '.join(unknown)}")
        # Each label's classes (itself and every descendant), as an index matrix.
        names = sorted(self.labels)
        self.names = names
        row = {name: n for n, name in enumerate(names)}
        membership = np.zeros((len(names), len(self.class_labels)), dtype=np.float32)
        for index, label in enumerate(self.class_labels):
            for name in (label, *self.labels[label].parents):
                membership[row[name], index] = 1.0
        self._membership = membership

    def score(self, probabilities: npt.NDArray[np.float32]) -> list[ScoredLabel]:
        """Every label with a confidence above zero, most confident first (ties by name)."""
        totals = self._membership @ probabilities.astype(np.float32)
        order = sorted(range(len(self.names)), key=lambda n: (-float(totals[n]), self.names[n]))
        return [
            ScoredLabel(self.labels[self.names[n]], min(100.0, float(totals[n]) * 100.0))
            for n in order
            if totals[n] > 0
        ]

    def get(self, name: str) -> Label:
        return self.labels[name]


def _ancestors(name: str, direct: dict[str, list[str]]) -> list[str]:
    seen: list[str] = []
    frontier: Sequence[str] = direct[name]
    path = {name}
    while frontier:
        following: list[str] = []
        for parent in frontier:
            if parent in path:
                raise ValueError(f"the taxonomy has a cycle through {parent!r}")
            if parent not in seen:
                seen.append(parent)
                following.extend(direct[parent])
        frontier = following
    return seen


@cache
def load_taxonomy() -> Taxonomy:
    text = resources.files("sensorium.models.labels").joinpath(TAXONOMY_FILE).read_text("utf-8")
    document: dict[str, object] = json.loads(text)
    return Taxonomy(document)
