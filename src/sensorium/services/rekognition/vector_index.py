"""Nearest-neighbour search over one collection's faces.

The float32 embeddings (``vector_store``) are the truth: every distance a search reports,
and so the order, the FaceMatchThreshold cut and MaxFaces, comes from them. A collection
with at least ``min_faces`` faces also has an HNSW graph (``ann``) that proposes candidates,
so a search re-ranks a few dozen faces instead of scanning them all; smaller collections
scan everything (exact). Changes arrive as ``face_log.Change`` batches, each at the
collection's next version; ``registry`` keeps each node's indexes in step with the log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby

import numpy as np
import numpy.typing as npt

from sensorium.services.rekognition.ann import Graph
from sensorium.services.rekognition.face_log import ADD, REMOVE, USER, Change
from sensorium.services.rekognition.vector_store import (
    NO_USER,
    Matrix,
    Pks,
    VectorStore,
    exact_distances,
)

Hit = tuple[int, int | None, float]  # face pk, user pk, distance
Fetch = Callable[[Pks], Iterator[tuple[Pks, Matrix]]]
INLINE_BUILD = 4096  # faces: a graph this small is built within the request (well under 1 s)
COMPACT_MIN = 4096  # appended rows before an exact-only store is merged into one array
RANK_SLACK = 8  # extra rows the exact scan re-ranks beyond MaxFaces (fast-form rounding)
MARGIN = 1e-4  # distance slack of the exact scan's first cut, for the same reason


@dataclass(frozen=True)
class AnnParams:
    min_faces: int = 100_000
    candidates: int = 32
    expansion: int = 128
    snapshot_changes: int = 20_000


class CollectionIndex:
    def __init__(
        self,
        dim: int,
        params: AnnParams | None = None,
        store: VectorStore | None = None,
        graph: Graph | None = None,
        version: int = 0,
        epoch: int = 0,
    ) -> None:
        self.dim = dim
        self.params = params or AnnParams()
        self.store = store or VectorStore(dim)
        self.graph = graph
        self.version = version  # the collection's face_version this index reflects
        self.epoch = epoch  # tells this collection from a later one with the same pk
        self.changes_since_snapshot = 0
        self.lock = threading.RLock()  # usearch calls and changes are serialised
        self._pending: list[Change] | None = None  # changes made while a graph is built

    def __len__(self) -> int:
        return len(self.store)

    @property
    def building(self) -> bool:
        return self._pending is not None

    # Changes

    def apply(self, changes: Sequence[Change], version: int | None = None) -> None:
        """Apply one version's changes (replaying ones already reflected changes nothing)."""
        with self.lock:
            for operation, group in groupby(changes, key=lambda change: change.operation):
                batch = list(group)
                if operation == ADD:
                    self._add(batch)
                elif operation == REMOVE:
                    self._remove(np.array([c.face_pk for c in batch], np.int64))
                else:
                    for change in batch:
                        self.store.set_user(change.face_pk, change.user_pk)
            if self._pending is not None:
                self._pending.extend(changes)
            if version is not None:
                self.version = version
            self.changes_since_snapshot += len(changes)
            if self.graph is None and self.store.extra_count > max(
                COMPACT_MIN, len(self.store.base_pks)
            ):
                self.store = self.store.compacted()

    def _add(self, changes: list[Change]) -> None:
        pks = np.array([c.face_pk for c in changes], np.int64)
        vectors = np.stack([np.asarray(c.embedding, np.float32) for c in changes])
        rows = self.store.rows(pks)
        known = rows >= 0
        if known.any():
            same = np.zeros(len(pks), bool)
            same[known] = np.all(self.store.vectors(rows[known]) == vectors[known], axis=1)
            self._remove(pks[known & ~same])  # a pk reused for another face (SQLite)
            pks, vectors = pks[~same], vectors[~same]
        self.store.add(pks, vectors)
        if self.graph is not None:
            self.graph.add(pks, vectors)

    def _remove(self, pks: Pks) -> None:
        removed = self.store.remove(pks)
        if self.graph is not None:
            self.graph.remove(removed)

    def load(self, batches: Iterable[tuple[Pks, Pks, Matrix]]) -> None:
        """Fill an empty index: (pks ascending, user pks or -1, vectors) batches."""
        pks, users, vectors = [], [], []
        for batch_pks, batch_users, batch_vectors in batches:
            pks.append(batch_pks)
            users.append(batch_users)
            vectors.append(batch_vectors)
        if not pks:
            return
        all_pks, all_users = np.concatenate(pks), np.concatenate(users)
        owned = all_users != NO_USER
        with self.lock:
            self.store = VectorStore(
                self.dim,
                all_pks,
                np.concatenate(vectors),
                dict(zip(all_pks[owned].tolist(), all_users[owned].tolist(), strict=True)),
            )

    def reconcile(self, pks: Pks, users: Pks, fetch: Fetch) -> None:
        """Make the faces exactly ``pks`` (with ``users``), fetching the vectors of those
        missing: for a node whose log is too far behind."""
        with self.lock:
            gone = np.setdiff1d(self.store.live_pks(), pks)
            self.apply([Change.remove(int(pk)) for pk in gone])
            for batch_pks, batch_vectors in fetch(np.setdiff1d(pks, self.store.live_pks())):
                self.apply(
                    [Change.add(int(p), v) for p, v in zip(batch_pks, batch_vectors, strict=True)]
                )
            owned = users != NO_USER
            self.store.users = dict(zip(pks[owned].tolist(), users[owned].tolist(), strict=True))

    # The graph

    def build_graph(self, threads: int = 0) -> None:
        """Build the graph from the faces now here, then add the changes made meanwhile;
        searches stay exact (and correct) until it is in place."""
        with self.lock:
            cut = self.store.cut()
            self._pending = []
        try:
            graph = Graph.build(self.dim, cut.batches(), threads)
        except BaseException:
            with self.lock:
                self._pending = None
            raise
        with self.lock:
            pending, self._pending = self._pending or [], None
            for change in pending:
                if change.operation == USER:
                    continue  # users live in the store
                pk = np.array([change.face_pk], np.int64)
                graph.remove(pk)
                rows = self.store.rows(pk)
                if rows[0] >= 0:
                    graph.add(pk, self.store.vectors(rows))
            self.graph = graph

    def drop_graph(self) -> None:
        with self.lock:
            self.graph = None

    # Search

    def nearest(
        self, query: npt.ArrayLike, limit: int | None, max_distance: float | None = None
    ) -> list[Hit]:
        """Up to ``limit`` (None: every one) faces within ``max_distance`` (None: any),
        closest first, as (face pk, user pk, distance)."""
        q = np.asarray(query, np.float32)
        with self.lock:
            n = len(self.store)
            if n == 0 or (limit is not None and limit <= 0):
                return []
            if self.graph is None:
                return self._exact(q, limit, max_distance)
            return self._approximate(q, n, limit, max_distance)

    def _approximate(
        self, q: Matrix, n: int, limit: int | None, max_distance: float | None
    ) -> list[Hit]:
        """Re-rank the graph's candidates; widen them until at least twice as many as the
        answer holds (faces inside the radius, up to ``limit``), since the graph's order is
        least sure at the tail."""
        assert self.graph is not None
        want = n if limit is None else min(limit, n)
        k = min(n, self.params.candidates)
        while True:
            if 4 * k > n and n >= 4 * self.params.candidates:
                return self._exact(q, limit, max_distance)  # most of it: scan it all
            found = self.graph.search(q, k, max(self.params.expansion, 2 * k))
            hits = self._ranked(q, self.store.rows(found), None)
            inside = len(hits)
            if max_distance is not None:
                inside = sum(1 for hit in hits if hit[2] <= max_distance)
            answer = min(inside, want)
            if 2 * answer <= k or len(found) < k or k >= n:
                break
            k = min(n, 4 * k if inside == len(hits) else 2 * answer, 2 * want)
        if max_distance is not None:
            hits = [hit for hit in hits if hit[2] <= max_distance]
        return hits[:want]

    def _exact(self, q: Matrix, limit: int | None, max_distance: float | None) -> list[Hit]:
        squared = self.store.distances(q)
        if max_distance is None:
            candidates = np.flatnonzero(np.isfinite(squared))
        else:
            candidates = np.flatnonzero(squared <= (max_distance + MARGIN) ** 2)
        if limit is not None and len(candidates) > limit + RANK_SLACK:
            keep = np.argpartition(squared[candidates], limit + RANK_SLACK - 1)
            candidates = candidates[keep[: limit + RANK_SLACK]]
        hits = self._ranked(q, candidates, max_distance)
        return hits if limit is None else hits[:limit]

    def _ranked(
        self, q: Matrix, rows: npt.NDArray[np.int64], max_distance: float | None
    ) -> list[Hit]:
        """The faces in these store rows (-1: none) by exact distance, ties by pk; those
        within ``max_distance``."""
        rows = rows[rows >= 0]
        pks = self.store.pks_at(rows)
        distances = exact_distances(self.store.vectors(rows), q)
        if max_distance is not None:
            inside = distances <= max_distance
            pks, distances = pks[inside], distances[inside]
        order = np.lexsort((pks, distances))
        users = self.store.users
        return [(int(pks[i]), users.get(int(pks[i])), float(distances[i])) for i in order]
