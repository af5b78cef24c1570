"""A collection's face embeddings by face pk, as float32: every distance a search returns is
computed from these.

Two parts: a base sorted by pk (built from the database, or a snapshot's ``.npy``
memory-mapped, never written to) and the rows appended since, with removed faces masked.
Looking up a face is a binary search in the base or a dict lookup among the appended rows,
so neither a Python dict over millions of faces nor a rewrite of the base per change is
needed. Users are a dict: few faces have one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Pks = npt.NDArray[np.int64]
Matrix = npt.NDArray[np.float32]
NO_USER = -1
GATHER_ROWS = 65_536  # rows copied at a time when the whole store is read


@dataclass(frozen=True)
class Cut:
    """The live faces at one moment: pks (base ones first, ascending) and where to read
    their vectors. The arrays are never written to again, so it can be read without a lock
    while the store changes."""

    pks: Pks
    base: Matrix
    base_rows: npt.NDArray[np.int64]
    extra: Matrix
    extra_rows: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.pks)

    def batches(self, rows: int = GATHER_ROWS) -> Iterator[tuple[Pks, Matrix]]:
        """(pks, vectors) in the cut's order."""
        for start in range(0, len(self.base_rows), rows):
            part = self.base_rows[start : start + rows]
            yield self.pks[start : start + len(part)], np.asarray(self.base[part], np.float32)
        offset = len(self.base_rows)
        for start in range(0, len(self.extra_rows), rows):
            part = self.extra_rows[start : start + rows]
            yield (
                self.pks[offset + start : offset + start + len(part)],
                np.asarray(self.extra[part], np.float32),
            )


class VectorStore:
    def __init__(
        self,
        dim: int,
        pks: Pks | None = None,
        vectors: Matrix | None = None,
        users: dict[int, int] | None = None,
    ) -> None:
        """``pks`` strictly ascending; ``vectors`` may be a read-only memory map."""
        self.dim = dim
        self.base_pks = np.zeros(0, np.int64) if pks is None else np.asarray(pks, np.int64)
        self.base: Matrix = np.zeros((0, dim), np.float32) if vectors is None else vectors
        if len(self.base) != len(self.base_pks) or self.base.shape[1] != dim:
            raise ValueError("vectors and pks disagree")
        self.base_alive = np.ones(len(self.base_pks), bool)
        self._base_norms: npt.NDArray[np.float32] | None = None
        self.extra = np.zeros((16, dim), np.float32)
        self.extra_pks = np.zeros(16, np.int64)
        self.extra_alive = np.zeros(16, bool)
        self.extra_norms = np.zeros(16, np.float32)
        self.extra_count = 0
        self.extra_rows: dict[int, int] = {}
        self.users: dict[int, int] = dict(users or {})
        self.count = len(self.base_pks)

    def __len__(self) -> int:
        return self.count

    # Lookups

    def rows(self, pks: Pks) -> npt.NDArray[np.int64]:
        """Each face's row: base rows first, then ``len(base) + i`` for appended ones; -1
        for a face not in the store."""
        pks = np.asarray(pks, np.int64)
        found = np.full(len(pks), -1, np.int64)
        n = len(self.base_pks)
        if n:
            at = np.minimum(np.searchsorted(self.base_pks, pks), n - 1)
            hit = (self.base_pks[at] == pks) & self.base_alive[at]
            found[hit] = at[hit]
        if self.extra_rows:
            for i in np.flatnonzero(found < 0):
                row = self.extra_rows.get(int(pks[i]))
                if row is not None:
                    found[i] = n + row
        return found

    def vectors(self, rows: npt.NDArray[np.int64]) -> Matrix:
        n = len(self.base_pks)
        out = np.empty((len(rows), self.dim), np.float32)
        in_base = rows < n
        out[in_base] = self.base[rows[in_base]]
        out[~in_base] = self.extra[rows[~in_base] - n]
        return out

    def pks_at(self, rows: npt.NDArray[np.int64]) -> Pks:
        n = len(self.base_pks)
        in_base = rows < n
        out = np.empty(len(rows), np.int64)
        out[in_base] = self.base_pks[rows[in_base]]
        out[~in_base] = self.extra_pks[rows[~in_base] - n]
        return out

    def contains(self, pk: int) -> bool:
        return bool(self.rows(np.array([pk]))[0] >= 0)

    def user(self, pk: int) -> int | None:
        return self.users.get(pk)

    # Changes

    def add(self, pks: Pks, vectors: Matrix) -> None:
        """New faces (pks not in the store: remove a face before adding it again)."""
        needed = self.extra_count + len(pks)
        if needed > len(self.extra):
            self._grow(max(needed, 2 * len(self.extra)))
        end = self.extra_count + len(pks)
        self.extra[self.extra_count : end] = vectors
        self.extra_pks[self.extra_count : end] = pks
        self.extra_norms[self.extra_count : end] = np.einsum("ij,ij->i", vectors, vectors)
        self.extra_alive[self.extra_count : end] = True
        for i, pk in enumerate(pks.tolist()):
            self.extra_rows[pk] = self.extra_count + i
        self.extra_count = end
        self.count += len(pks)

    def remove(self, pks: Pks) -> Pks:
        """Forget these faces; the pks that were there."""
        rows = self.rows(pks)
        present = rows >= 0
        n = len(self.base_pks)
        for row in rows[present].tolist():
            if row < n:
                self.base_alive[row] = False
            else:
                self.extra_alive[row - n] = False
                del self.extra_rows[int(self.extra_pks[row - n])]
        removed = np.asarray(pks, np.int64)[present]
        for pk in removed.tolist():
            self.users.pop(pk, None)
        self.count -= int(present.sum())
        return removed

    def set_user(self, pk: int, user_pk: int | None) -> None:
        if user_pk is None:
            self.users.pop(pk, None)
        elif self.contains(pk):
            self.users[pk] = user_pk

    def _grow(self, capacity: int) -> None:
        # New arrays, not resized ones: a Cut taken earlier keeps reading the old ones.
        for name in ("extra", "extra_pks", "extra_alive", "extra_norms"):
            old = getattr(self, name)
            new = np.zeros((capacity, *old.shape[1:]), old.dtype)
            new[: self.extra_count] = old[: self.extra_count]
            setattr(self, name, new)

    # Whole-store reads

    def cut(self) -> Cut:
        base_rows = np.flatnonzero(self.base_alive)
        extra_rows = np.flatnonzero(self.extra_alive[: self.extra_count])
        extra_pks = self.extra_pks[extra_rows]
        order = np.argsort(extra_pks, kind="stable")
        return Cut(
            np.concatenate([self.base_pks[base_rows], extra_pks[order]]),
            self.base,
            base_rows,
            self.extra,
            extra_rows[order],
        )

    def live_pks(self) -> Pks:
        return self.cut().pks

    def distances(self, query: Matrix) -> npt.NDArray[np.float32]:
        """Squared distance from ``query`` to every row (removed faces: infinity), in the
        fast form |x|^2 - 2x.q + |q|^2, which loses a little precision: callers re-rank
        with ``exact_distances``."""
        q = np.asarray(query, np.float32)
        qq = float(q @ q)
        if self._base_norms is None:
            self._base_norms = np.einsum("ij,ij->i", self.base, self.base)
        base = (self._base_norms - 2.0 * (self.base @ q) + qq).astype(np.float32, copy=False)
        if self.count < len(self.base_pks) + len(self.extra_rows):
            base[~self.base_alive] = np.inf
        k = self.extra_count
        if not k:
            return base
        extra = (self.extra_norms[:k] - 2.0 * (self.extra[:k] @ q) + qq).astype(np.float32)
        extra[~self.extra_alive[:k]] = np.inf
        return np.concatenate([base, extra])

    def compacted(self) -> VectorStore:
        """The same faces with every one in the base (sorted), in memory."""
        cut = self.cut()
        order = np.argsort(cut.pks, kind="stable")
        vectors = np.empty((len(cut), self.dim), np.float32)
        at = 0
        for _, batch in cut.batches():
            vectors[at : at + len(batch)] = batch
            at += len(batch)
        return VectorStore(self.dim, cut.pks[order], vectors[order], self.users)


def exact_distances(vectors: Matrix, query: Matrix) -> npt.NDArray[np.float64]:
    """Euclidean distances computed directly (in float64): the numbers every search reports,
    the same whichever way the candidates were found."""
    diff = vectors.astype(np.float64) - np.asarray(query, np.float64)
    squared: npt.NDArray[np.float64] = np.einsum("ij,ij->i", diff, diff)
    return np.sqrt(squared)
