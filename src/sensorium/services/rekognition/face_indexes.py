"""Every collection's search index on this node, in step with the store of record.

Several nodes share one database. Each write logs its face changes at the collection's next
version (``face_log``). Every search reads the collection row first (it does anyway), and an
index behind that row's version applies the log entries after its own before searching; so
a face indexed or deleted on any node is found, or gone, in the next search on every node.
A node too far behind for the log (it keeps ``log_versions``) reconciles with ``faces``.

Large collections (with a graph) are saved (``snapshots``) when their graph is built and
after every ``snapshot_changes`` changes, and loaded from there on first use; graphs of more
than ``INLINE_BUILD`` faces are built, and snapshots written, by one background thread while
searches stay exact.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby

from sensorium.services.rekognition.face_log import Change, FaceSource
from sensorium.services.rekognition.snapshots import GRAPH, Captured, Snapshots
from sensorium.services.rekognition.tables import Collection
from sensorium.services.rekognition.vector_index import INLINE_BUILD, AnnParams, CollectionIndex
from sensorium.storage.owned import aware

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60.0  # how often indexes of collections deleted on other nodes are dropped
RECONCILE_TRIES = 3


@dataclass(frozen=True)
class CollectionRef:
    """Which collection, and the face version its row had when read."""

    pk: int
    epoch: int
    version: int

    @staticmethod
    def of(row: Collection) -> CollectionRef:
        return CollectionRef(row.id, epoch_of(row.created_at), row.face_version)


def epoch_of(created_at: dt.datetime) -> int:
    return int(aware(created_at).timestamp() * 1_000_000)


class FaceIndexes:
    def __init__(
        self,
        dim: int,
        source: FaceSource,
        params: AnnParams | None = None,
        snapshots: Snapshots | None = None,
    ) -> None:
        self.dim = dim
        self.source = source
        self.params = params or AnnParams()
        self.snapshots = snapshots
        self._indexes: dict[int, CollectionIndex] = {}
        self._opening: dict[int, threading.Lock] = {}
        self._lock = threading.Lock()
        self._queued: set[tuple[int, str]] = set()
        self._work: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._swept = time.monotonic()

    # Reads

    def collection(self, ref: CollectionRef) -> CollectionIndex:
        """The collection's index, at least at ``ref.version``."""
        index = self._indexes.get(ref.pk)
        if index is None or index.epoch != ref.epoch:
            index = self._open(ref)
        if index.version < ref.version:
            self._catch_up(ref.pk, index, ref.version)
        self._maintain(ref.pk, index)
        self._sweep()
        return index

    def committed(self, ref: CollectionRef, version: int | None, changes: Sequence[Change]) -> None:
        """A write of ``changes`` at ``version`` committed on this node: searched at once."""
        index = self._indexes.get(ref.pk)
        if version is None or index is None:
            return  # loaded, with these changes, on its first search
        if index.epoch != ref.epoch:
            self.forget(ref.pk)
            return
        with index.lock:
            if index.version == version - 1:
                index.apply(changes, version)
        if index.version < version:
            self._catch_up(ref.pk, index, version)
        self._maintain(ref.pk, index)

    def drop(self, collection_pk: int) -> None:
        """The collection was deleted here: its index and snapshots go."""
        self.forget(collection_pk)
        if self.snapshots is not None:
            self.snapshots.remove(collection_pk)

    def forget(self, collection_pk: int) -> None:
        with self._lock:
            self._indexes.pop(collection_pk, None)

    # Loading and catching up

    def _open(self, ref: CollectionRef) -> CollectionIndex:
        with self._lock:
            opening = self._opening.setdefault(ref.pk, threading.Lock())
        with opening:
            index = self._indexes.get(ref.pk)
            if index is not None and index.epoch == ref.epoch:
                return index
            loaded = self.snapshots.load(ref.pk, ref.epoch) if self.snapshots else None
            if loaded is not None:
                index = CollectionIndex(
                    self.dim, self.params, loaded.store, loaded.graph, loaded.version, ref.epoch
                )
                log.info(
                    "face index of collection %d: snapshot at version %d loaded (%d faces)",
                    ref.pk,
                    loaded.version,
                    len(index),
                )
                self._catch_up(ref.pk, index, max(ref.version, loaded.version))
            else:
                index = CollectionIndex(self.dim, self.params, epoch=ref.epoch)
                self._fill(ref.pk, index)
            with self._lock:
                self._indexes[ref.pk] = index
            return index

    def _fill(self, collection_pk: int, index: CollectionIndex) -> None:
        """Every face from the database, then the changes made while they were read."""
        with index.lock:
            started = self.source.version(collection_pk)
            if started is None:
                return
            index.load(self.source.faces(collection_pk))
            index.version = started
            now = self.source.version(collection_pk)
            if now is not None and now > started:
                self._catch_up(collection_pk, index, now)
        if len(index):
            log.info(
                "face index of collection %d: %d faces loaded from the database at version %d",
                collection_pk,
                len(index),
                index.version,
            )

    def _catch_up(self, collection_pk: int, index: CollectionIndex, target: int) -> None:
        with index.lock:
            if index.version >= target:
                return
            entries = self.source.changes(collection_pk, index.version, target)
            if {version for version, _ in entries} == set(range(index.version + 1, target + 1)):
                for version, group in groupby(entries, key=lambda entry: entry[0]):
                    index.apply([change for _, change in group], version)
                return
            log.info(
                "face index of collection %d at version %d: the log no longer reaches it; "
                "reconciling with the database",
                collection_pk,
                index.version,
            )
            self._reconcile(collection_pk, index)

    def _reconcile(self, collection_pk: int, index: CollectionIndex) -> None:
        """Faces as the database has them now. The changes logged while the faces were read
        are applied again: each sets a face's state, so the result is the later one."""
        for _ in range(RECONCILE_TRIES):
            started = self.source.version(collection_pk)
            if started is None:
                return
            pks, users = self.source.members(collection_pk)
            index.reconcile(
                pks, users, lambda missing: self.source.embeddings(collection_pk, missing)
            )
            now = self.source.version(collection_pk) or started
            entries = self.source.changes(collection_pk, started, now)
            if {version for version, _ in entries} == set(range(started + 1, now + 1)):
                for version, group in groupby(entries, key=lambda entry: entry[0]):
                    index.apply([change for _, change in group], version)
                index.version = now
                return
        raise RuntimeError(f"collection {collection_pk} changes faster than it can be read")

    # Graphs and snapshots

    def _maintain(self, collection_pk: int, index: CollectionIndex) -> None:
        size = len(index)
        if index.graph is None and not index.building and size >= self.params.min_faces:
            if size <= INLINE_BUILD:
                with index.lock:
                    if index.graph is None:
                        index.build_graph(threads=1)
                        index.changes_since_snapshot = self.params.snapshot_changes
            else:
                self._submit(collection_pk, "build", lambda: self._build(collection_pk, index))
        elif index.graph is not None and size < self.params.min_faces // 2:
            index.drop_graph()
        if (
            index.graph is not None
            and self.snapshots is not None
            and index.changes_since_snapshot >= self.params.snapshot_changes
        ):
            self._submit(collection_pk, "save", lambda: self._save(collection_pk, index))

    def _build(self, collection_pk: int, index: CollectionIndex) -> None:
        started = time.monotonic()
        index.build_graph()
        log.info(
            "face index of collection %d: graph of %d faces built in %.1f s",
            collection_pk,
            len(index),
            time.monotonic() - started,
        )
        if self.snapshots is not None:
            self._save(collection_pk, index)

    def _save(self, collection_pk: int, index: CollectionIndex) -> None:
        assert self.snapshots is not None
        with index.lock:
            if index.graph is None or self._indexes.get(collection_pk) is not index:
                return
            temporary = self.snapshots.begin(collection_pk)
            try:
                index.graph.save(temporary / GRAPH)
            except BaseException:
                self.snapshots.abandon(temporary)
                raise
            captured = Captured(index.version, index.store.cut(), dict(index.store.users))
            index.changes_since_snapshot = 0
        final = self.snapshots.finish(collection_pk, index.epoch, temporary, captured)
        log.info("face index of collection %d: saved to %s", collection_pk, final)

    def _submit(self, collection_pk: int, kind: str, work: Callable[[], None]) -> None:
        key = (collection_pk, kind)
        with self._lock:
            if key in self._queued:
                return
            self._queued.add(key)
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="face-indexes", daemon=True)
                self._worker.start()

        def job() -> None:
            with self._lock:
                self._queued.discard(key)
            work()

        self._work.put(job)

    def _run(self) -> None:
        while (job := self._work.get()) is not None:
            try:
                job()
            except Exception:  # a failed build or save leaves searches exact or unsaved
                log.exception("face index maintenance failed")

    def close(self, wait: bool = False) -> None:
        """Stop the background thread after the work queued (``wait``: until it is done)."""
        self._work.put(None)
        worker = self._worker
        if wait and worker is not None:
            worker.join()

    def _sweep(self) -> None:
        """Drop the indexes of collections deleted on other nodes."""
        if time.monotonic() - self._swept < SWEEP_SECONDS:
            return
        self._swept = time.monotonic()
        held = list(self._indexes)
        if not held:
            return
        existing = self.source.existing(held)
        for collection_pk in held:
            if collection_pk not in existing:
                self.drop(collection_pk)
