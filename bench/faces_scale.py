"""Face search at millions of faces: the approximate index (HNSW graph proposing candidates,
exact float32 re-ranking) against exact search (every face compared), in the same run.

Vectors. The query side is real: dlib embeddings of the shared photos. The millions of other
faces are synthetic people, drawn to look like the real embeddings: identity centres from a
Gaussian with the real embeddings' mean and covariance (Ledoit-Wolf shrinkage; the real set
is small), scaled so that two people are as far apart as two real different people (median
distance), and 1 + Poisson(2) faces per identity around its centre, as far from each other
as two real photos of one person (median). Clustered faces are harder for HNSW than
independent noise, and closer to a real collection. The real faces (but one held-out photo
of each person with several) are indexed too, as the first rows.

Queries. (1) Perturbed copies of indexed synthetic faces (noise of the within-person
spread), so that the true nearest face is in the collection; (2) the held-out real photos.
Every search is the full search step of SearchFacesByImage: the 100 nearest faces within
the similarity-80 distance. Truth is exact search over every face.

Measured: recall@1 (the approximate first match is the exact first match, over queries with
one inside the threshold), recall of the whole match list, p50/p99 latency of the search
step (graph + re-ranking, one thread) against exact search in the same run, graph build
time (all cores), snapshot save and load time, graph and vector bytes, process RSS.

    python bench/faces_scale.py [--sizes 1000000,10000000] [--queries 1000]
        [--exact-queries 200] [--crossover 10000,30000,100000,300000] [--expansions 128,256]
        [--scratch DIR]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sensorium.models.faces import FacePipeline, load_calibration, load_image  # noqa: E402
from sensorium.services.rekognition import ann  # noqa: E402
from sensorium.services.rekognition.snapshots import GRAPH, Captured, Snapshots  # noqa: E402
from sensorium.services.rekognition.vector_index import AnnParams, CollectionIndex  # noqa: E402
from sensorium.services.rekognition.vector_store import (  # noqa: E402
    VectorStore,
    exact_distances,
)
from tests.conftest import SHARED_DATA  # noqa: E402

Matrix = npt.NDArray[np.float32]
DIM = 128
TOP = 100  # MaxFaces of every search
CHUNK = 1_000_000  # synthetic faces drawn at a time
TRUTH_ROWS = 131_072  # rows per block of the exact truth pass


@dataclass
class RealFaces:
    indexed: Matrix
    held_out: Matrix  # one photo of each person with several
    same: float  # median distance between two photos of one person
    different: float  # ... of two different people


def real_faces(pipeline: FacePipeline) -> RealFaces:
    faces = SHARED_DATA / "faces"
    with (faces / "manifest.csv").open() as handle:
        rows = [row for row in csv.DictReader(handle) if row["expected_faces"] != "0"]
    embeddings: list[Matrix] = []
    people: list[str] = []
    for row in rows:
        found = pipeline.analyze(load_image((faces / row["path"]).read_bytes()).rgb)
        for n, face in enumerate(found):
            embeddings.append(face.embedding.astype(np.float32))
            single = len(found) == 1 and row["identity"] and "unlabeled" not in row["identity"]
            people.append(row["identity"] if single else f"{row['path']}#{n}")
    stack = np.stack(embeddings)
    same, different = [], []
    for i in range(len(stack)):
        for j in range(i + 1, len(stack)):
            distance = float(np.linalg.norm(stack[i] - stack[j]))
            (same if people[i] == people[j] else different).append(distance)
    held, seen = [], set()
    for i, person in enumerate(people):
        if people.count(person) > 1 and person not in seen:
            seen.add(person)
            held.append(i)
    keep = [i for i in range(len(stack)) if i not in set(held)]
    return RealFaces(stack[keep], stack[held], float(np.median(same)), float(np.median(different)))


def ledoit_wolf(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    n, p = x.shape
    x = x - x.mean(axis=0)
    sample = x.T @ x / n
    scale = np.trace(sample) / p
    target = scale * np.eye(p)
    d2 = float(((sample - target) ** 2).sum())
    b2 = min(d2, sum(float(((np.outer(r, r) - sample) ** 2).sum()) for r in x) / n**2)
    shrink = b2 / d2
    return shrink * target + (1 - shrink) * sample


class People:
    """Synthetic identities with the real embeddings' statistics."""

    def __init__(self, real: RealFaces) -> None:
        both = np.concatenate([real.indexed, real.held_out]).astype(np.float64)
        self.mean = both.mean(axis=0)
        self.within = real.same / np.sqrt(2 * DIM)
        covariance = ledoit_wolf(both)
        between = (real.different**2 - 2 * DIM * self.within**2) / 2
        self.factor = np.linalg.cholesky(covariance * (between / np.trace(covariance)))

    def draw(self, count: int, rng: np.random.Generator) -> Matrix:
        sizes = 1 + rng.poisson(2.0, size=count)
        identity = np.repeat(np.arange(count), sizes)[:count]
        centres = self.mean + rng.standard_normal((int(identity[-1]) + 1, DIM)) @ self.factor.T
        faces = centres[identity] + rng.standard_normal((count, DIM)) * self.within
        return faces.astype(np.float32)


def collection(path: Path, size: int, real: RealFaces, people: People) -> Matrix:
    """``size`` faces in a .npy: the real ones first, then synthetic people."""
    vectors = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(size, DIM))
    vectors[: len(real.indexed)] = real.indexed
    for start in range(len(real.indexed), size, CHUNK):
        end = min(size, start + CHUNK)
        vectors[start:end] = people.draw(end - start, np.random.default_rng(start))
    vectors.flush()
    return np.load(path, mmap_mode="r")


def queries(vectors: Matrix, real: RealFaces, people: People, count: int) -> Matrix:
    rng = np.random.default_rng(1)
    sources = rng.integers(len(real.indexed), len(vectors), count)
    noise = rng.standard_normal((count, DIM)) * people.within
    perturbed = (vectors[np.sort(sources)] + noise).astype(np.float32)
    return np.concatenate([perturbed, real.held_out])


def truth(vectors: Matrix, asked: Matrix, cutoff: float) -> list[list[int]]:
    """Exact matches of every query (pks within ``cutoff``, nearest first, at most TOP), in
    one pass over the vectors in blocks."""
    keep = TOP + 28
    best_d = np.full((len(asked), keep), np.inf, np.float32)
    best_i = np.zeros((len(asked), keep), np.int64)
    norms_q = np.einsum("ij,ij->i", asked, asked)
    for start in range(0, len(vectors), TRUTH_ROWS):
        block = np.asarray(vectors[start : start + TRUTH_ROWS])
        squared = np.einsum("ij,ij->i", block, block)[None, :] - 2 * asked @ block.T
        squared += norms_q[:, None]
        part = np.argpartition(squared, min(keep, squared.shape[1] - 1), axis=1)[:, :keep]
        both_d = np.concatenate([best_d, np.take_along_axis(squared, part, 1)], axis=1)
        both_i = np.concatenate([best_i, part + start], axis=1)
        top = np.argpartition(both_d, keep - 1, axis=1)[:, :keep]
        best_d, best_i = np.take_along_axis(both_d, top, 1), np.take_along_axis(both_i, top, 1)
    found = []
    for q, rows, distances in zip(asked, best_i, best_d, strict=True):
        rows = np.unique(rows[np.isfinite(distances)])
        exact = exact_distances(np.asarray(vectors[rows]), q)
        order = np.lexsort((rows, exact))
        found.append([int(rows[i]) + 1 for i in order if exact[i] <= cutoff][:TOP])
    return found


def timed(
    index: CollectionIndex, asked: Matrix, cutoff: float
) -> tuple[list[float], list[list[int]]]:
    index.nearest(asked[0], TOP, cutoff)  # warm: norms, first pages
    times, results = [], []
    for q in asked:
        started = time.perf_counter()
        hits = index.nearest(q, TOP, cutoff)
        times.append((time.perf_counter() - started) * 1000)
        results.append([pk for pk, _, _ in hits])
    return times, results


def rss_gib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def recall(found: list[list[int]], expected: list[list[int]]) -> tuple[float, float, int]:
    """recall@1 over queries with an exact match, recall of the match lists, and how many
    queries had one."""
    with_match = [(f, e) for f, e in zip(found, expected, strict=True) if e]
    first = sum(bool(f) and f[0] == e[0] for f, e in with_match) / max(1, len(with_match))
    listed = sum(len(set(f) & set(e)) for f, e in with_match)
    return first, listed / max(1, sum(len(e) for _, e in with_match)), len(with_match)


def scale_run(
    size: int,
    real: RealFaces,
    people: People,
    params: AnnParams,
    cutoff: float,
    count: int,
    exact_count: int,
    scratch: Path,
    expansions: list[int],
) -> list[str]:
    work = scratch / f"faces-{size}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        vectors = collection(work / "vectors.npy", size, real, people)
        made = time.perf_counter() - started
        pks = np.arange(1, size + 1, dtype=np.int64)
        index = CollectionIndex(DIM, params, VectorStore(DIM, pks, vectors))
        started = time.perf_counter()
        index.build_graph()
        built = time.perf_counter() - started
        assert index.graph is not None
        graph_bytes = index.graph.memory_bytes

        snapshots = Snapshots(work / "snapshots", DIM)
        started = time.perf_counter()
        temporary = snapshots.begin(1)
        index.graph.save(temporary / GRAPH)
        snapshots.finish(1, 0, temporary, Captured(0, index.store.cut(), {}))
        saved = time.perf_counter() - started
        del index
        started = time.perf_counter()
        loaded = snapshots.load(1, 0)
        load_s = time.perf_counter() - started
        assert loaded is not None
        approximate = CollectionIndex(DIM, params, loaded.store, loaded.graph, loaded.version)
        exact = CollectionIndex(DIM, params, loaded.store)
        on_disk = folder_bytes(work / "snapshots")

        asked = queries(vectors, real, people, count)
        started = time.perf_counter()
        expected = truth(vectors, asked, cutoff)
        truth_s = time.perf_counter() - started
        picks = np.linspace(0, len(asked) - 1, min(exact_count, len(asked))).astype(int)
        exact_ms, exact_found = timed(exact, asked[picks], cutoff)
        assert exact_found == [expected[i] for i in picks], "exact search disagrees with truth"
        n_real = len(real.held_out)
        rows = []
        for expansion in expansions:
            approximate.params = replace(params, expansion=expansion)
            ann_ms, found = timed(approximate, asked, cutoff)
            rss = rss_gib()
            first, listed, matched = recall(found[:-n_real], expected[:-n_real])
            real_first, _, real_matched = recall(found[-n_real:], expected[-n_real:])
            rows.append(
                f"| {size:,} | {expansion} | {first:.4f} | {real_first:.3f} ({real_matched}) | "
                f"{listed:.4f} | {pct(ann_ms, 50):.2f} | {pct(ann_ms, 99):.2f} | "
                f"{pct(exact_ms, 50):.0f} | {pct(exact_ms, 99):.0f} | "
                f"{pct(exact_ms, 50) / pct(ann_ms, 50):.0f}x / "
                f"{pct(exact_ms, 99) / pct(ann_ms, 99):.0f}x | {built / 60:.1f} | "
                f"{size / built:,.0f} | {saved:.0f} / {load_s:.1f} | {graph_bytes / 2**30:.2f} | "
                f"{size * DIM * 4 / 2**30:.2f} | {on_disk / 2**30:.2f} | {rss:.1f} | "
                f"{peak_gib():.1f} |"
            )
            print(rows[-1], flush=True)
        print(
            f"  {size:,}: vectors {made:.0f} s, graph built in {built:.0f} s, saved {saved:.0f} s, "
            f"loaded {load_s:.1f} s, truth {truth_s:.0f} s; {matched}/{count} perturbed and "
            f"{real_matched}/{n_real} real queries have a match",
            flush=True,
        )
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def crossover(
    sizes: list[int], real: RealFaces, people: People, params: AnnParams, cutoff: float
) -> Iterator[str]:
    """Small collections: exact search against the graph, to choose where graphs start."""
    rng = np.random.default_rng(7)
    for size in sizes:
        vectors = np.concatenate([real.indexed, people.draw(size - len(real.indexed), rng)])
        store = VectorStore(DIM, np.arange(1, size + 1, dtype=np.int64), vectors)
        approximate, exact = (
            CollectionIndex(DIM, params, store),
            CollectionIndex(DIM, params, store),
        )
        started = time.perf_counter()
        approximate.build_graph()
        built = time.perf_counter() - started
        asked = queries(vectors, real, people, 300)
        ann_ms, found = timed(approximate, asked, cutoff)
        exact_ms, expected = timed(exact, asked, cutoff)
        first, _, _ = recall(found, expected)
        yield (
            f"| {size:,} | {pct(exact_ms, 50):.2f} | {pct(exact_ms, 99):.2f} | "
            f"{pct(ann_ms, 50):.2f} | {pct(ann_ms, 99):.2f} | {first:.4f} | {built:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--queries", type=int, default=1000, help="perturbed queries per size")
    parser.add_argument("--exact-queries", type=int, default=200)
    parser.add_argument("--crossover", default="10000,30000,100000,300000")
    parser.add_argument("--candidates", type=int, default=AnnParams.candidates)
    parser.add_argument(
        "--expansions",
        default=f"{AnnParams.expansion},256",
        help="search breadths timed on the same graph (the first is the default one)",
    )
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    if not (SHARED_DATA / "faces").exists():
        raise SystemExit(f"shared data not found at {SHARED_DATA}")
    pipeline = FacePipeline()
    pipeline.load()
    real = real_faces(pipeline)
    del pipeline
    people = People(real)
    cutoff = load_calibration().distance_for(80.0)
    expansions = [int(e) for e in args.expansions.split(",")]
    params = AnnParams(min_faces=1, candidates=args.candidates, expansion=expansions[0])
    print(
        f"# faces at scale ({platform.machine()}, {os.cpu_count()} cores; graph {ann.DTYPE}, "
        f"M={ann.CONNECTIVITY}, ef_add={ann.EXPANSION_ADD}, candidates {params.candidates}, "
        f"ef {params.expansion}; {len(real.indexed)} real faces indexed, "
        f"{len(real.held_out)} held out; same person {real.same:.3f}, different "
        f"{real.different:.3f}, threshold-80 distance {cutoff:.4f})",
        flush=True,
    )
    if args.crossover:
        print("\n| faces | exact p50 ms | exact p99 ms | graph p50 ms | graph p99 ms | "
              "recall@1 | build s |")  # fmt: skip
        print("|---|---|---|---|---|---|---|")
        for row in crossover(
            [int(s) for s in args.crossover.split(",")], real, people, params, cutoff
        ):
            print(row, flush=True)
    rows = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        rows += scale_run(
            size,
            real,
            people,
            params,
            cutoff,
            args.queries,
            args.exact_queries,
            args.scratch,
            expansions,
        )
    print(
        "\n| faces | ef | recall@1 | recall@1 real (n) | match-list recall | p50 ms | p99 ms | "
        "exact p50 ms | exact p99 ms | exact / ours (p50 / p99) | build min | faces/s | "
        "save / load s | graph GiB | vectors GiB | on disk GiB | RSS GiB | peak RSS GiB |"
    )
    print("|---" * 18 + "|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
