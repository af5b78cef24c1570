"""Following faces through sampled frames: one index per person for the whole video.

A face joins the track that is nearest in looks (embedding distance) less its overlap with
the track's last box (IoU, when seen no more than ``max_gap_ms`` before): overlapping tracks
are accepted up to a looser distance than others, which catch the same person coming back
after a cut. Otherwise it starts a new track. Each track is taken by one face per frame,
larger faces choosing first. Without embeddings (face detection), overlap alone decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from sensorium.models.faces import Box


class Sighting(Protocol):
    """A face seen in a frame (``FaceAnalysis`` is one): its box in pixels, and its
    embedding (empty when only boxes are known)."""

    @property
    def box(self) -> Box: ...

    @property
    def embedding(self) -> np.ndarray[Any, Any]: ...


@dataclass
class Track:
    index: int
    box: Box
    embedding: np.ndarray[Any, Any]
    last_ms: int


def iou(a: Box, b: Box) -> float:
    left, top = max(a.left, b.left), max(a.top, b.top)
    right = min(a.left + a.width, b.left + b.width)
    bottom = min(a.top + a.height, b.top + b.height)
    inter = max(0.0, right - left) * max(0.0, bottom - top)
    union = a.width * a.height + b.width * b.height - inter
    return float(inter / union) if union > 0 else 0.0


class FaceTracker:
    def __init__(
        self,
        min_iou: float = 0.1,
        max_gap_ms: int = 2000,
        max_distance: float = 0.55,
        overlap_distance: float = 0.7,
    ) -> None:
        self.min_iou = min_iou
        self.overlap_distance = overlap_distance
        self.max_gap_ms = max_gap_ms
        self.max_distance = max_distance
        self.tracks: list[Track] = []

    def assign(self, timestamp_ms: int, faces: Sequence[Sighting]) -> list[int]:
        """The person index of each face (in the order given)."""
        taken: set[int] = set()
        indexes = [0] * len(faces)
        order = sorted(range(len(faces)), key=lambda i: -faces[i].box.width * faces[i].box.height)
        for i in order:
            face = faces[i]
            track = self._best(face, timestamp_ms, taken)
            if track is None:
                track = Track(len(self.tracks), face.box, face.embedding, timestamp_ms)
                self.tracks.append(track)
            else:
                track.box, track.last_ms = face.box, timestamp_ms
                if face.embedding.size:
                    track.embedding = face.embedding
            taken.add(track.index)
            indexes[i] = track.index
        return indexes

    def state(self) -> list[dict[str, Any]]:
        """The tracks as plain JSON (a job's checkpoint); ``restore`` reads it back."""
        return [
            {
                "index": track.index,
                "box": [track.box.left, track.box.top, track.box.right, track.box.bottom],
                "embedding": np.asarray(track.embedding, dtype=np.float32).tolist(),
                "last_ms": track.last_ms,
            }
            for track in self.tracks
        ]

    def restore(self, state: Sequence[dict[str, Any]]) -> None:
        self.tracks = [
            Track(
                int(track["index"]),
                Box(*(float(v) for v in track["box"])),
                np.asarray(track["embedding"], dtype=np.float32),
                int(track["last_ms"]),
            )
            for track in state
        ]

    def _best(self, face: Sighting, ms: int, taken: set[int]) -> Track | None:
        """The track nearest in looks, less a bonus for overlapping its last box: a face
        overlapping a recent track joins it unless it looks like someone else
        (``overlap_distance``); any other joins the nearest track under ``max_distance``."""
        best, best_cost = None, float("inf")
        for track in self.tracks:
            if track.index in taken:
                continue
            recent = ms - track.last_ms <= self.max_gap_ms
            overlap = iou(face.box, track.box) if recent else 0.0
            distance = _distance(face.embedding, track.embedding)
            looks = bool(face.embedding.size and track.embedding.size)
            if overlap >= self.min_iou and distance < self.overlap_distance:
                cost = distance - overlap
            elif looks and distance < self.max_distance:
                cost = distance
            else:
                continue
            if cost < best_cost:
                best, best_cost = track, cost
        return best


def _distance(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    if not a.size or not b.size:
        return 0.0  # no embeddings (face detection): overlap alone decides
    return float(np.linalg.norm(a.astype(np.float64) - b.astype(np.float64)))
