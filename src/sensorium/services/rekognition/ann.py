"""An HNSW graph over a collection's faces (usearch), keyed by face pk.

It only proposes candidates: every distance a search reports is computed again from the
float32 vectors (``vector_store``). Its own copy of the vectors is bfloat16: half the
memory, the Euclidean geometry kept (usearch's int8 would normalise the vectors: cosine),
and on this CPU (AVX-512 BF16) the fastest to build. The usearch binding is not safe for
concurrent calls on one index, so its owner serialises them.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from usearch.index import Index

Pks = npt.NDArray[np.int64]
Matrix = npt.NDArray[np.float32]
# Measured in bench/faces_scale.py: recall@1 after re-ranking against build time and memory.
DTYPE = "bf16"
CONNECTIVITY = 16
EXPANSION_ADD = 64


@functools.cache
def _usearch() -> type[Index]:
    # usearch's extension links its own libstdc++ and exports its locale symbols; imported
    # before onnxruntime, that one binds to them and crashes (SIGSEGV on import). With the
    # system libstdc++ loaded globally first, every extension shares it.
    with contextlib.suppress(OSError):  # not a glibc system: nothing to share
        ctypes.CDLL("libstdc++.so.6", mode=ctypes.RTLD_GLOBAL)
    from usearch.index import Index

    return Index


class Graph:
    def __init__(self, dim: int, index: Index | None = None) -> None:
        self.dim = dim
        self.index = index or _usearch()(
            ndim=dim,
            metric="l2sq",
            dtype=DTYPE,
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
        )

    @staticmethod
    def build(dim: int, batches: Iterable[tuple[Pks, Matrix]], threads: int = 0) -> Graph:
        """A graph of every face in ``batches``, built on ``threads`` cores (0: all)."""
        graph = Graph(dim)
        for pks, vectors in batches:
            graph.add(pks, vectors, threads or os.cpu_count() or 1)
        return graph

    def __len__(self) -> int:
        return len(self.index)

    def add(self, pks: Pks, vectors: Matrix, threads: int = 1) -> None:
        if len(pks):
            self.index.add(pks.astype(np.uint64), vectors, threads=threads)

    def remove(self, pks: Pks) -> None:
        for pk in pks.tolist():
            if pk in self.index:
                self.index.remove(pk)

    def search(self, query: Matrix, count: int, expansion: int) -> Pks:
        """About the ``count`` nearest faces' pks (fewer when the graph holds fewer)."""
        breadth = max(expansion, count)
        if self.index.expansion_search != breadth:
            # usearch declares the setter apart from the property, which mypy misses.
            self.index.expansion_search = breadth  # type: ignore[misc]
        found = self.index.search(np.asarray(query, np.float32), count)
        return np.asarray(found.keys, np.int64)

    @property
    def memory_bytes(self) -> int:
        return int(self.index.memory_usage)

    def save(self, path: Path) -> None:
        self.index.save(str(path))

    @staticmethod
    def restore(path: Path, dim: int) -> Graph:
        """The graph saved at ``path``, in memory (it is changed in place afterwards);
        ``ValueError`` when the file is not a graph of ``dim`` dimensions."""
        index = _usearch().restore(str(path), view=False)
        if index is None or index.ndim != dim:
            raise ValueError(f"{path} is not a face graph of {dim} dimensions")
        return Graph(dim, index)
