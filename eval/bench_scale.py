"""Scale benchmark of the dense index: ``python -m eval.bench_scale [--sizes N ...] [--types T ...]``.

A national collection is around a million passages; the bundled corpus is 754. This measures the dense
(FAISS) part of search at 10 k, 100 k and 1 M passages without embedding them: each synthetic passage
vector blends two real vectors of an index (its passages' and sentences', ``embeddings.npy`` and
``sentences.npy``: 5,800 in the bundled index), the second with a share up to ``BLEND``, plus Gaussian
noise (``NOISE`` per dimension), normalised: no two alike, and the real collection's clusters kept (the
same kind of text from many places). Each passage gets
a place (one per ``PASSAGES_PER_PLACE``, about 3,300 at 1 M, as China has counties) and a year
(2015–2025). Queries are the eval sets' real questions, embedded once with the product's model.

For each size and FAISS index type, in processes of their own (so that memory is the index's):

* build: seconds to train and add, size on disk;
* search, warm, one query at a time, ``DEPTH`` rows as hybrid search takes: p50 / p95 without a filter,
  with a year filter (about a tenth of the rows) and with a place-and-year filter (a few dozen rows),
  each through ``DenseIndex.search`` as the product calls it;
* recall@10 and @50 of each against exact search on the same vectors (and the same filter);
* peak resident memory of the search process.

Writes ``eval/results/bench_scale.{json,md}``. Slow at 1 M (HNSW builds for minutes on two cores): run
it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (10_000, 100_000, 1_000_000)
TYPES = ("Flat", "HNSW32", "IVF")
DEPTH = 50
NOISE = 0.01
BLEND = (0.0, 0.4)  # the share of the second real vector
PASSAGES_PER_PLACE = 300
YEARS = tuple(range(2015, 2026))
SEED = 20261202


def synthetic(base: np.ndarray, n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` passage vectors made from ``base`` (rows of real vectors), with a place and a year each: each
    a real vector blended with another (weight ``BLEND``, as a passage recombines another's sentences)
    plus noise, so no two are the same and near neighbours are as close as in the real index."""
    rng = np.random.default_rng(seed)
    vectors = np.empty((n, base.shape[1]), np.float32)
    for start in range(0, n, 100_000):  # in slices: the noise of a million rows at once is 1.5 GB more
        size = min(n, start + 100_000) - start
        weights = rng.uniform(*BLEND, size=(size, 1))
        block = ((1 - weights) * base[rng.integers(len(base), size=size)]
                 + weights * base[rng.integers(len(base), size=size)] + rng.normal(0, NOISE, (size, base.shape[1])))
        vectors[start:start + size] = block / np.linalg.norm(block, axis=1, keepdims=True)
    places = rng.integers(max(1, n // PASSAGES_PER_PLACE), size=n)
    years = rng.choice(np.array(YEARS), size=n)
    return vectors, places, years


def filters_for(places: np.ndarray, years: np.ndarray, count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """For each query: no filter, a year's rows, and a place-and-year's rows (row ids, int64)."""
    rng = np.random.default_rng(seed + 1)
    chosen = []
    for _ in range(count):
        row = int(rng.integers(len(places)))  # a place and year that exist
        year_rows = np.flatnonzero(years == years[row])
        chosen.append({"year": year_rows, "place": year_rows[places[year_rows] == places[row]]})
    return chosen


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Row ids of the k best inner products (among ``rows`` if given), best first."""
    scores = (vectors if rows is None else vectors[rows]) @ query
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top])]
    return top if rows is None else rows[top]


def _build(vectors_path: str, index_type: str, out: str, queue: Any) -> None:
    from reportqa.indexing.dense import DenseIndex

    vectors = np.load(vectors_path, mmap_mode="r")
    started = time.perf_counter()
    dense = DenseIndex.build(vectors, index_type)
    seconds = time.perf_counter() - started
    dense.save(Path(out))
    queue.put({"build_s": round(seconds, 1), "chosen": dense.description,
               "disk_mb": round(Path(out).stat().st_size / 2**20, 1)})


def _search(index_path: str, vectors_path: str, queries: np.ndarray, chosen: list[dict[str, Any]],
            queue: Any) -> None:
    from reportqa.indexing.dense import DenseIndex
    from reportqa.indexing.store import StoredRows

    dense = DenseIndex.load(Path(index_path), StoredRows(Path(vectors_path)))  # as the product opens it
    found: dict[str, list[np.ndarray]] = {}
    row: dict[str, Any] = {}
    for kind in ("none", "year", "place"):
        times = []
        found[kind] = []
        for query, allowed in zip(queries, chosen):
            rows = None if kind == "none" else allowed[kind]
            dense.search(query, DEPTH, rows)  # warm: the first call pays page faults
            started = time.perf_counter()
            found[kind].append(dense.search(query, DEPTH, rows)[0])
            times.append(time.perf_counter() - started)
        times.sort()
        row[kind] = {"p50_ms": round(1000 * statistics.median(times), 2),
                     "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 2),
                     "rows": round(float(np.mean([len(a[kind]) for a in chosen])), 1) if kind != "none" else None}
    # Before the exact search below reads every vector (mapped pages count as resident).
    row["rss_mib"] = peak_rss_mib()
    vectors = np.load(vectors_path, mmap_mode="r")
    for kind in ("none", "year", "place"):
        recall10, recall50 = [], []
        for query, allowed, got in zip(queries, chosen, found[kind]):
            truth = exact_top(vectors, query, DEPTH, None if kind == "none" else allowed[kind])
            recall10.append(len(set(got[:10].tolist()) & set(truth[:10].tolist())) / min(10, len(truth)))
            recall50.append(len(set(got.tolist()) & set(truth.tolist())) / len(truth))
        row[kind] |= {"recall10": round(float(np.mean(recall10)), 4), "recall50": round(float(np.mean(recall50)), 4)}
    queue.put(row)


def _baseline(queue: Any) -> None:
    import faiss  # noqa: F401 - what every search process loads

    from reportqa.indexing.dense import DenseIndex  # noqa: F401

    queue.put({"rss_mib": peak_rss_mib()})


def peak_rss_mib() -> int:
    """This process's peak resident memory (``VmHWM``: unlike ``ru_maxrss`` it starts again at exec, so a
    spawned process does not report its parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _in_child(target: Any, *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def question_vectors(limit: int) -> np.ndarray:
    """The eval sets' questions, embedded with the product's model (query prompt)."""
    from eval.retrieval import DEFAULT_SETS
    from reportqa.indexing.embedding import make_embedder
    from reportqa.settings import Settings

    questions = [json.loads(line)["question"] for path in DEFAULT_SETS if path.exists()
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return make_embedder(Settings.from_env()).embed_queries(questions[:limit])


def run(sizes: list[int], types: list[str], base: np.ndarray, queries: np.ndarray) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
        for n in sizes:
            vectors, places, years = synthetic(base, n)
            vectors_path = str(Path(folder) / f"vectors-{n}.npy")
            np.save(vectors_path, vectors)
            chosen = filters_for(places, years, len(queries))
            del vectors
            for index_type in types:
                index_path = str(Path(folder) / f"{n}-{index_type.replace(',', '_')}.faiss")
                built = _in_child(_build, vectors_path, index_type, index_path)
                searched = _in_child(_search, index_path, vectors_path, queries, chosen)
                rows.append({"passages": n, "type": index_type, **built, **searched})
                print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
                Path(index_path).unlink()
    return rows


def markdown(rows: list[dict[str, Any]], queries: int, baseline: int, len_base: int) -> str:
    header = ["passages", "type", "chosen", "build s", "disk MiB", "RSS MiB", "p50 / p95 ms", "recall@10 / @50",
              "year filter: p50 / p95 ms, recall@50", "place+year filter: p50 / p95 ms, recall@50"]
    table = [[f"{r['passages']:,}", r["type"], r["chosen"], r["build_s"], r["disk_mb"], r["rss_mib"],
              f"{r['none']['p50_ms']} / {r['none']['p95_ms']}", f"{r['none']['recall10']} / {r['none']['recall50']}",
              f"{r['year']['p50_ms']} / {r['year']['p95_ms']}, {r['year']['recall50']}",
              f"{r['place']['p50_ms']} / {r['place']['p95_ms']}, {r['place']['recall50']}"] for r in rows]
    return ("# Dense index at scale\n\n"
            f"{queries} real questions; synthetic passages blending two of "
            f"{len_base:,} real passage and sentence vectors (the second's share {BLEND[0]}–{BLEND[1]}, noise {NOISE} "
            "per dimension); "
            f"top {DEPTH} as hybrid search takes; recall against exact search on the same vectors and filter. "
            f"RSS is the search process's peak ({baseline} MiB with numpy and FAISS loaded and no index).\n\n"
            + "\n".join("| " + " | ".join(map(str, line)) + " |" for line in [header, ["---"] * len(header), *table])
            + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--types", nargs="+", default=list(TYPES))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--index", default="index", help="index whose passage and sentence vectors seed the synthetic ones")
    args = parser.parse_args()
    base = np.concatenate([np.load(Path(args.index) / name) for name in ("embeddings.npy", "sentences.npy")])
    queries = question_vectors(args.queries)
    baseline = _in_child(_baseline)["rss_mib"]
    rows = run(args.sizes, args.types, base, queries)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_scale.json").write_text(json.dumps({"baseline_rss_mib": baseline, "rows": rows}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "bench_scale.md").write_text(markdown(rows, len(queries), baseline, len(base)), encoding="utf-8")
    print(markdown(rows, len(queries), baseline, len(base)))


if __name__ == "__main__":
    main()
