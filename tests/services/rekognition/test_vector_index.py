"""The face search index in-process: exact and approximate search, changes, snapshots, and
catching up with a change log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from sensorium.services.rekognition.ann import Graph
from sensorium.services.rekognition.face_indexes import CollectionRef, FaceIndexes
from sensorium.services.rekognition.face_log import Change
from sensorium.services.rekognition.snapshots import GRAPH, Captured, Snapshots
from sensorium.services.rekognition.vector_index import AnnParams, CollectionIndex

DIM = 16
Pks = npt.NDArray[np.int64]
Matrix = npt.NDArray[np.float32]


def clustered(count: int, seed: int = 0) -> Matrix:
    """Faces of people: identities spread apart, a few faces each close to theirs."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(count // 3 + 1, DIM)).astype(np.float32)
    faces = centres[rng.integers(0, len(centres), count)]
    return (faces + 0.1 * rng.normal(size=(count, DIM))).astype(np.float32)


def adds(vectors: Matrix, first_pk: int = 1) -> list[Change]:
    return [Change.add(first_pk + i, vector) for i, vector in enumerate(vectors)]


def index_of(vectors: Matrix, graph: bool = False) -> CollectionIndex:
    index = CollectionIndex(DIM, AnnParams(candidates=16, expansion=64))
    index.apply(adds(vectors), 1)
    if graph:
        index.build_graph(threads=1)
    return index


def brute(vectors: Matrix, pks: list[int], query: Matrix, limit: int) -> list[int]:
    distances = np.linalg.norm(vectors.astype(np.float64) - query, axis=1)
    return [pks[i] for i in np.lexsort((pks, distances))[:limit]]


def test_exact_search_is_exact_and_sorted() -> None:
    vectors = clustered(500)
    index = index_of(vectors)
    query = vectors[42] + 0.01
    found = index.nearest(query, 10)
    assert [pk for pk, _, _ in found] == brute(vectors, list(range(1, 501)), query, 10)
    distances = [d for _, _, d in found]
    assert distances == sorted(distances)
    assert distances[0] == pytest.approx(float(np.linalg.norm(vectors[42] - query)), abs=1e-6)


def test_changes_adds_removes_and_users() -> None:
    vectors = clustered(10)
    index = CollectionIndex(DIM)
    index.apply(adds(vectors[:5]), 1)
    index.apply(adds(vectors[3:], first_pk=4), 2)  # faces 4 and 5 again: one copy each
    assert len(index) == 10 and index.version == 2
    index.apply([Change.remove(1), Change.remove(2)], 3)
    index.apply([Change.user(3, 7), Change.user(4, 7)], 4)
    hits = {pk: user for pk, user, _ in index.nearest(vectors[2], None)}
    assert sorted(hits) == list(range(3, 11))
    assert hits[3] == 7 and hits[5] is None
    index.apply([Change.user(3, None)], 5)
    assert {pk: user for pk, user, _ in index.nearest(vectors[2], None)}[3] is None


def test_a_reused_pk_holds_the_new_face() -> None:
    vectors = clustered(3)
    index = CollectionIndex(DIM)
    index.apply([Change.add(5, vectors[0])], 1)
    index.apply([Change.remove(5)], 2)
    index.apply([Change.add(5, vectors[1])], 3)  # SQLite hands a freed pk out again
    [(pk, _, distance)] = index.nearest(vectors[1], 5)
    assert pk == 5 and distance == 0.0


def test_max_distance_filters() -> None:
    vectors = clustered(100)
    index = index_of(vectors)
    assert [pk for pk, _, _ in index.nearest(vectors[0], 5, max_distance=1e-3)] == [1]


def test_approximate_search_finds_what_exact_search_finds() -> None:
    vectors = clustered(5000)
    exact, approximate = index_of(vectors), index_of(vectors, graph=True)
    assert approximate.graph is not None and exact.graph is None
    rng = np.random.default_rng(1)
    queries = vectors[rng.integers(0, len(vectors), 300)] + 0.02 * rng.normal(size=(300, DIM))
    agree = sum(exact.nearest(q, 1)[0][0] == approximate.nearest(q, 1)[0][0] for q in queries)
    assert agree / len(queries) >= 0.99
    # Within a radius: the same faces, the same distances, in the same order.
    for q in queries[:50]:
        assert approximate.nearest(q, 20, 0.3) == exact.nearest(q, 20, 0.3)


def test_approximate_search_widens_to_every_face_in_the_radius() -> None:
    vectors = np.repeat(clustered(1), 200, axis=0) + 1e-3 * clustered(200, seed=2)
    index = index_of(vectors.astype(np.float32), graph=True)
    assert len(index.nearest(vectors[0], None, 1.0)) == 200  # far more than the candidates
    assert len(index.nearest(vectors[0], 150, 1.0)) == 150


def test_the_graph_follows_changes() -> None:
    vectors = clustered(2000)
    index = index_of(vectors[:1000], graph=True)
    index.apply(adds(vectors[1000:], first_pk=1001), 2)
    index.apply([Change.remove(pk) for pk in range(1, 1001, 2)], 3)
    assert index.graph is not None and len(index.graph) == 1500
    for i in (1, 3, 1500):  # pks 2, 4 and 1501 (odd ones up to 999 are gone)
        found = [pk for pk, _, _ in index.nearest(vectors[i], 3)]
        assert found[0] == i + 1
    assert all(pk % 2 == 0 or pk > 1000 for pk, _, _ in index.nearest(vectors[0], 100))


def test_changes_made_while_the_graph_is_built_reach_it(monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = clustered(300)
    index = index_of(vectors[:200])
    build = Graph.build

    def build_while_writing(dim: int, batches: Iterator[tuple[Pks, Matrix]], threads: int) -> Any:
        graph = build(dim, batches, threads)
        index.apply([*adds(vectors[200:], first_pk=201), Change.remove(1)], 2)
        return graph

    monkeypatch.setattr(Graph, "build", build_while_writing)
    index.build_graph()
    assert index.graph is not None and len(index.graph) == 299
    assert index.nearest(vectors[250], 1)[0][0] == 251
    assert 1 not in [pk for pk, _, _ in index.nearest(vectors[0], 10)]


def save(snapshots: Snapshots, index: CollectionIndex, pk: int = 1) -> Path:
    assert index.graph is not None
    temporary = snapshots.begin(pk)
    index.graph.save(temporary / GRAPH)
    captured = Captured(index.version, index.store.cut(), dict(index.store.users))
    return snapshots.finish(pk, index.epoch, temporary, captured)


def test_snapshots_round_trip(tmp_path: Path) -> None:
    vectors = clustered(600)
    index = index_of(vectors[:500], graph=True)
    index.apply([Change.remove(3), Change.remove(4)], 2)
    index.apply([Change.add(700, vectors[500]), Change.add(650, vectors[501])], 3)
    index.apply([Change.user(10, 4)], 4)
    snapshots = Snapshots(tmp_path, DIM)
    save(snapshots, index)
    loaded = snapshots.load(1, index.epoch)
    assert loaded is not None and loaded.version == 4
    assert isinstance(loaded.store.base, np.memmap)
    again = CollectionIndex(DIM, index.params, loaded.store, loaded.graph, loaded.version)
    for q in vectors[::37]:
        assert again.nearest(q, 10, 2.0) == index.nearest(q, 10, 2.0)
    assert again.nearest(vectors[9], 1)[0][:2] == (10, 4)
    assert snapshots.load(1, index.epoch + 1) is None  # another collection, same pk
    assert not (tmp_path / "1").exists() or not any((tmp_path / "1").iterdir())


def test_a_damaged_snapshot_is_skipped(tmp_path: Path) -> None:
    index = index_of(clustered(200), graph=True)
    snapshots = Snapshots(tmp_path, DIM)
    older = save(snapshots, index)
    index.apply([Change.remove(1)], 2)
    newer = save(snapshots, index)
    (newer / GRAPH).write_bytes(b"not a graph")
    loaded = snapshots.load(1, index.epoch)
    assert loaded is not None and loaded.version == 1 and older.exists()
    (older / "vectors.npy").unlink()
    assert snapshots.load(1, index.epoch) is None


class Source:
    """The store of record as FaceIndexes sees it: faces, a version, a log."""

    def __init__(self) -> None:
        self.faces_now: dict[int, Matrix] = {}
        self.users_now: dict[int, int] = {}
        self.log: list[tuple[int, Change]] = []
        self.now = 0

    def write(self, changes: list[Change]) -> None:
        self.now += 1
        for change in changes:
            if change.operation == "add":
                assert change.embedding is not None
                self.faces_now[change.face_pk] = change.embedding
            elif change.operation == "remove":
                self.faces_now.pop(change.face_pk)
            elif change.user_pk is None:
                self.users_now.pop(change.face_pk, None)
            else:
                self.users_now[change.face_pk] = change.user_pk
            self.log.append((self.now, change))

    def version(self, collection_pk: int) -> int:
        return self.now

    def existing(self, collection_pks: list[int]) -> set[int]:
        return set(collection_pks)

    def changes(self, collection_pk: int, after: int, upto: int) -> list[tuple[int, Change]]:
        return [(v, c) for v, c in self.log if after < v <= upto]

    def members(self, collection_pk: int) -> tuple[Pks, Pks]:
        pks = np.array(sorted(self.faces_now), np.int64)
        return pks, np.array([self.users_now.get(int(pk), -1) for pk in pks], np.int64)

    def embeddings(self, collection_pk: int, pks: Pks) -> Iterator[tuple[Pks, Matrix]]:
        present = np.array([pk for pk in pks if pk in self.faces_now], np.int64)
        if len(present):
            yield present, np.stack([self.faces_now[int(pk)] for pk in present])

    def faces(self, collection_pk: int) -> Iterator[tuple[Pks, Pks, Matrix]]:
        pks, users = self.members(collection_pk)
        if len(pks):
            yield pks, users, np.stack([self.faces_now[int(pk)] for pk in pks])


def test_a_node_catches_up_from_the_log_or_reconciles(tmp_path: Path) -> None:
    vectors = clustered(60)
    source = Source()
    source.write(adds(vectors[:20]))
    params = AnnParams(min_faces=10, candidates=8, expansion=32, snapshot_changes=10**9)
    node = FaceIndexes(DIM, source, params)  # type: ignore[arg-type]

    def ref() -> CollectionRef:
        return CollectionRef(1, 0, source.version(1))

    assert len(node.collection(ref())) == 20
    assert node.collection(ref()).graph is not None  # at 20 faces, over min_faces
    source.write(adds(vectors[20:40], first_pk=21))  # another node's writes
    source.write([Change.remove(1), Change.user(2, 9)])
    index = node.collection(ref())
    assert index.version == 3 and len(index) == 39
    assert index.nearest(vectors[1], 1)[0][:2] == (2, 9)
    assert index.nearest(vectors[30], 1)[0][0] == 31

    source.write(adds(vectors[40:], first_pk=41))
    source.write([Change.remove(2), Change.remove(41)])
    source.log = [entry for entry in source.log if entry[0] > source.now - 1]  # pruned
    index = node.collection(ref())
    assert index.version == source.now
    assert sorted(pk for pk, _, _ in index.nearest(vectors[0], None)) == sorted(source.faces_now)
    assert index.nearest(vectors[50], 1)[0][0] == 51


def test_a_restarted_node_loads_its_snapshot(tmp_path: Path) -> None:
    vectors = clustered(40)
    source = Source()
    source.write(adds(vectors[:30]))
    params = AnnParams(min_faces=10, candidates=8, expansion=32, snapshot_changes=1)
    first = FaceIndexes(DIM, source, params, Snapshots(tmp_path, DIM))  # type: ignore[arg-type]
    assert first.collection(CollectionRef(1, 0, source.now)).graph is not None
    first.close(wait=True)  # the snapshot the graph's build queued is written
    source.write(adds(vectors[30:], first_pk=31))
    second = FaceIndexes(DIM, source, params, Snapshots(tmp_path, DIM))  # type: ignore[arg-type]
    again = second.collection(CollectionRef(1, 0, source.now))
    assert isinstance(again.store.base, np.memmap) and len(again) == 40
    assert again.nearest(vectors[35], 1)[0][0] == 36
    second.close()
