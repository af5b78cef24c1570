from __future__ import annotations

import numpy as np

from sensorium.services.rekognition.vector_index import CollectionIndex, Entry


def entries(count: int, seed: int = 0) -> list[Entry]:
    rng = np.random.default_rng(seed)
    return [Entry(i + 1, None, rng.normal(size=8).astype(np.float32)) for i in range(count)]


def test_nearest_is_exact_and_sorted() -> None:
    index = CollectionIndex(8)
    items = entries(500)
    index.replace(items)
    query = items[42].embedding + 0.01
    brute = sorted(
        ((e.face_pk, float(np.linalg.norm(e.embedding - query))) for e in items),
        key=lambda pair: pair[1],
    )[:10]
    found = index.nearest(query, 10)
    assert [pk for pk, _, _ in found] == [pk for pk, _ in brute]
    assert [d for _, _, d in found] == sorted(d for _, _, d in found)


def test_add_remove_and_users() -> None:
    index = CollectionIndex(8)
    items = entries(10)
    index.add(items[:5])
    index.add(items[3:])  # overlapping adds keep one copy
    assert len(index.snapshot) == 10
    index.remove([1, 2])
    assert sorted(index.snapshot.face_pks.tolist()) == list(range(3, 11))
    index.set_user([3, 4], 7)
    hits = {pk: user for pk, user, _ in index.nearest(items[2].embedding, 10)}
    assert hits[3] == 7 and hits[5] is None


def test_max_distance_filters() -> None:
    index = CollectionIndex(8)
    items = entries(100)
    index.replace(items)
    assert [pk for pk, _, _ in index.nearest(items[0].embedding, 5, max_distance=1e-3)] == [1]
