"""Saved indexes of large collections, so a restarted node does not rebuild them.

``DATA_DIR/indexes/rekognition/<collection pk>/<epoch>-<version>/`` holds the HNSW graph
(``graph.usearch``), the float32 vectors sorted by face pk (``vectors.npy``, memory-mapped
when loaded), their pks (``pks.npy``), the faces' users (``users.npy``) and ``meta.json``,
written last. A snapshot is written into a temporary folder and renamed into place, so
nodes sharing a data directory never read half of one; two that save the same version keep
the first. The epoch tells a collection from a later one that reuses its pk.
"""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from sensorium.services.rekognition.ann import Graph
from sensorium.services.rekognition.vector_store import Cut, VectorStore

log = logging.getLogger(__name__)
FORMAT = 1
KEEP = 2  # snapshots kept per collection: a node may still be loading the previous one
META = "meta.json"
GRAPH = "graph.usearch"
VECTORS = "vectors.npy"
PKS = "pks.npy"
USERS = "users.npy"


@dataclass(frozen=True)
class Loaded:
    version: int
    store: VectorStore
    graph: Graph


@dataclass(frozen=True)
class Captured:
    """What a snapshot holds, taken under the index's lock (the graph is saved then too)."""

    version: int
    cut: Cut
    users: dict[int, int]


class Snapshots:
    def __init__(self, root: Path, dim: int) -> None:
        self.root = root
        self.dim = dim

    def _folder(self, collection_pk: int) -> Path:
        return self.root / str(collection_pk)

    def _saved(self, collection_pk: int, epoch: int) -> list[tuple[int, Path]]:
        """(version, folder) of this collection's snapshots, newest first."""
        found = []
        folder = self._folder(collection_pk)
        for path in folder.iterdir() if folder.is_dir() else []:
            name_epoch, _, version = path.name.partition("-")
            if name_epoch == str(epoch) and version.isdigit():
                found.append((int(version), path))
        return sorted(found, reverse=True)

    def load(self, collection_pk: int, epoch: int) -> Loaded | None:
        """The newest snapshot that reads back whole; a damaged one is skipped (logged)."""
        self._forget_other_epochs(collection_pk, epoch)
        for version, path in self._saved(collection_pk, epoch):
            try:
                return self._read(path, version)
            except (OSError, ValueError, KeyError, RuntimeError) as error:
                log.warning("face index snapshot %s unreadable (%s); skipping it", path, error)
        return None

    def _read(self, path: Path, version: int) -> Loaded:
        meta = json.loads((path / META).read_text())
        if meta.get("format") != FORMAT or meta["dim"] != self.dim or meta["version"] != version:
            raise ValueError(f"unexpected metadata {meta}")
        pks = np.load(path / PKS)
        vectors = np.load(path / VECTORS, mmap_mode="r")
        users = np.load(path / USERS)
        count = meta["count"]
        if (
            pks.shape != (count,)
            or pks.dtype != np.int64
            or vectors.shape != (count, self.dim)
            or vectors.dtype != np.float32
            or users.ndim != 2
            or (count and not bool(np.all(pks[1:] > pks[:-1])))
        ):
            raise ValueError("arrays disagree with the metadata")
        graph = Graph.restore(path / GRAPH, self.dim)
        if len(graph) != count:
            raise ValueError(f"graph holds {len(graph)} faces, not {count}")
        store = VectorStore(
            self.dim, pks, vectors, {int(face): int(user) for face, user in users.tolist()}
        )
        return Loaded(version, store, graph)

    def begin(self, collection_pk: int) -> Path:
        """A temporary folder to write a snapshot into (the graph first, under the lock)."""
        temporary = self._folder(collection_pk) / f".tmp-{uuid.uuid4().hex}"
        temporary.mkdir(parents=True)
        return temporary

    def finish(self, collection_pk: int, epoch: int, temporary: Path, captured: Captured) -> Path:
        """Write the vectors next to the graph already in ``temporary`` and put the snapshot
        in place; older ones beyond ``KEEP`` go."""
        try:
            cut = captured.cut
            order = np.argsort(cut.pks, kind="stable")
            sorted_pks = cut.pks[order]
            vectors = np.lib.format.open_memmap(
                temporary / VECTORS, mode="w+", dtype=np.float32, shape=(len(cut), self.dim)
            )
            at = 0
            for _, batch in cut.batches():
                vectors[at : at + len(batch)] = batch
                at += len(batch)
            if len(cut) and not bool(np.all(order[1:] > order[:-1])):
                # Faces appended out of pk order: put the rows in pk order, in place.
                _permute_rows(vectors, order)
            vectors.flush()
            del vectors
            np.save(temporary / PKS, sorted_pks)
            users = np.array(sorted(captured.users.items()), np.int64).reshape(-1, 2)
            np.save(temporary / USERS, users)
            meta = {
                "format": FORMAT,
                "dim": self.dim,
                "version": captured.version,
                "count": len(cut),
            }
            (temporary / META).write_text(json.dumps(meta))
            final = self._folder(collection_pk) / f"{epoch}-{captured.version}"
            try:
                temporary.rename(final)
            except OSError:  # another node sharing this data directory saved it first
                shutil.rmtree(temporary, ignore_errors=True)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        for _, older in self._saved(collection_pk, epoch)[KEEP:]:
            shutil.rmtree(older, ignore_errors=True)
        return final

    def abandon(self, temporary: Path) -> None:
        shutil.rmtree(temporary, ignore_errors=True)

    def remove(self, collection_pk: int) -> None:
        shutil.rmtree(self._folder(collection_pk), ignore_errors=True)

    def _forget_other_epochs(self, collection_pk: int, epoch: int) -> None:
        """Snapshots of an earlier collection that had this pk (deleted since)."""
        folder = self._folder(collection_pk)
        for path in folder.iterdir() if folder.is_dir() else []:
            if not path.name.startswith((f"{epoch}-", ".tmp-")):
                shutil.rmtree(path, ignore_errors=True)


def _permute_rows(vectors: npt.NDArray[np.float32], order: npt.NDArray[np.intp]) -> None:
    # Only the rows appended since the base (few) are out of order; they sit at the end.
    first = int(np.flatnonzero(order != np.arange(len(order)))[0])
    vectors[first:] = vectors[order[first:]]
