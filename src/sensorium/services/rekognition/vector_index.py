"""Exact nearest-neighbour search over a collection's face embeddings, held in memory.

Each collection's embeddings live in one contiguous float32 matrix; a search is one
matrix-vector product over every face (exact, no approximation). Writers replace the arrays
wholesale under a lock after their transaction commits, so readers always see a consistent
snapshot and a deleted face is gone from results as soon as DeleteFaces returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
NO_USER = -1


@dataclass(frozen=True)
class Snapshot:
    face_pks: npt.NDArray[np.int64]
    user_pks: npt.NDArray[np.int64]
    matrix: npt.NDArray[np.float32]  # (n, dim)
    norms: npt.NDArray[np.float32]  # squared norms of the rows

    @staticmethod
    def empty(dim: int) -> Snapshot:
        return Snapshot(
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros((0, dim), np.float32),
            np.zeros(0, np.float32),
        )

    def __len__(self) -> int:
        return len(self.face_pks)


@dataclass(frozen=True)
class Entry:
    face_pk: int
    user_pk: int | None
    embedding: Vector


class CollectionIndex:
    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.snapshot = Snapshot.empty(dim)

    def replace(self, entries: Iterable[Entry]) -> None:
        items = list(entries)
        if not items:
            self.snapshot = Snapshot.empty(self.dim)
            return
        matrix = np.stack([item.embedding for item in items]).astype(np.float32)
        self.snapshot = Snapshot(
            np.array([item.face_pk for item in items], np.int64),
            np.array([NO_USER if item.user_pk is None else item.user_pk for item in items]),
            matrix,
            np.einsum("ij,ij->i", matrix, matrix),
        )

    def add(self, entries: list[Entry]) -> None:
        old = self.snapshot
        present = set(old.face_pks.tolist())
        entries = [entry for entry in entries if entry.face_pk not in present]
        if not entries:
            return
        new = np.stack([item.embedding for item in entries]).astype(np.float32)
        users = [NO_USER if item.user_pk is None else item.user_pk for item in entries]
        self.snapshot = Snapshot(
            np.concatenate([old.face_pks, np.array([e.face_pk for e in entries], np.int64)]),
            np.concatenate([old.user_pks, np.array(users, np.int64)]),
            np.concatenate([old.matrix, new]),
            np.concatenate([old.norms, np.einsum("ij,ij->i", new, new)]),
        )

    def remove(self, face_pks: Iterable[int]) -> None:
        old = self.snapshot
        keep = ~np.isin(old.face_pks, np.fromiter(face_pks, np.int64))
        self.snapshot = Snapshot(
            old.face_pks[keep], old.user_pks[keep], old.matrix[keep], old.norms[keep]
        )

    def set_user(self, face_pks: Iterable[int], user_pk: int | None) -> None:
        old = self.snapshot
        users = old.user_pks.copy()
        users[np.isin(old.face_pks, np.fromiter(face_pks, np.int64))] = (
            NO_USER if user_pk is None else user_pk
        )
        self.snapshot = Snapshot(old.face_pks, users, old.matrix, old.norms)

    def nearest(
        self, query: Vector, limit: int, max_distance: float | None = None
    ) -> list[tuple[int, int | None, float]]:
        """Up to ``limit`` (face_pk, user_pk, distance), closest first."""
        snap = self.snapshot
        if len(snap) == 0 or limit <= 0:
            return []
        q = query.astype(np.float32)
        squared = snap.norms - 2.0 * (snap.matrix @ q) + float(q @ q)
        distances = np.sqrt(np.maximum(squared, 0.0))
        if max_distance is not None:
            candidates = np.flatnonzero(distances <= max_distance)
        else:
            candidates = np.arange(len(distances))
        if len(candidates) > limit:
            part = np.argpartition(distances[candidates], limit - 1)[:limit]
            candidates = candidates[part]
        order = candidates[np.argsort(distances[candidates], kind="stable")]
        return [
            (
                int(snap.face_pks[i]),
                None if snap.user_pks[i] == NO_USER else int(snap.user_pks[i]),
                float(distances[i]),
            )
            for i in order
        ]


class VectorIndex:
    """Every collection's index, loaded from storage on first use."""

    def __init__(self, dim: int, loader: Callable[[int], list[Entry]]) -> None:
        self.dim = dim
        self._loader = loader
        self._indexes: dict[int, CollectionIndex] = {}
        self.lock = threading.RLock()  # writers hold it across commit + update

    def collection(self, collection_pk: int) -> CollectionIndex:
        index = self._indexes.get(collection_pk)
        if index is None:
            with self.lock:
                index = self._indexes.get(collection_pk)
                if index is None:
                    index = CollectionIndex(self.dim)
                    index.replace(self._loader(collection_pk))
                    self._indexes[collection_pk] = index
        return index

    def drop(self, collection_pk: int) -> None:
        with self.lock:
            self._indexes.pop(collection_pk, None)
