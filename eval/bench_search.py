"""Index and search benchmark: ``python -m eval.bench_search [PATH ...]``.

Measures, on the bundled corpus by default, in a temporary index folder:

* full ingest (every passage and every sentence embedded): seconds and passages/s;
* re-ingest with nothing changed, and with one report added to an index built
  without it: seconds and passages embedded;
* warm search latency (model loaded, one query at a time, with question
  understanding, as ``python -m reportqa search`` runs it) p50/p95 over the
  ``dev_qa`` questions plus passage openings as queries (≥ 50 in all);
* peak resident memory of the process;

once with the torch backend (before) and once with the ONNX int8 one (after),
each in its own process, and prints after / before as a ratio.

Run it on an idle machine: another busy process on the two cores skews every
figure. Writes ``eval/results/bench_search.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from eval.retrieval import DEFAULT_SETS
from reportqa.indexing.build import IndexUpdate, plan_update, update_index
from reportqa.indexing.embedding import Embedder, make_embedder
from reportqa.ingest.pipeline import expand_paths
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
BACKENDS = ("torch", "onnx")  # before, after


def timed_ingest(files: list[str], settings: Settings, embedder: Embedder, rebuild: bool = False
                 ) -> tuple[float, IndexUpdate]:
    """Ingest ``files`` into ``settings.index_dir`` as ``python ingest.py FILES [--rebuild]`` does
    (keeping the index's other files unless ``rebuild``); the seconds it took and what was written."""
    started = time.perf_counter()
    result, update = update_index(plan_update(files, settings, rebuild), settings, embedder, rebuild)
    if result.errors:
        raise SystemExit("ingest failed: " + "; ".join(f"{error.path}: {error.reason}" for error in result.errors))
    return time.perf_counter() - started, update


def benchmark_queries(index: SearchIndex, minimum: int) -> list[str]:
    questions = [json.loads(line)["question"] for path in DEFAULT_SETS if path.exists()
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(7)
    openings = [chunk.text[:24] for chunk in rng.sample(index.chunks, max(0, minimum - len(questions)))]
    return questions + openings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def search_latencies(index: SearchIndex, minimum: int) -> list[float]:
    """Milliseconds per warm query, one query at a time, as ``python -m reportqa search`` runs it."""
    index.warm_up()
    retriever = Retriever(index)
    latencies = []
    for query in benchmark_queries(index, minimum):
        started = time.perf_counter()
        retriever.retrieve(query, k=10)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def measure(backend: str, paths: list[str], queries: int) -> dict[str, Any]:
    """Every figure for one embedding backend, in a fresh temporary index (run in a child process, so that
    each backend has its own peak memory and caches)."""
    files = expand_paths(paths)
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(Settings.from_env(index_dir=str(Path(folder) / "index")), embed_backend=backend)
        embedder = make_embedder(settings)
        load_started = time.perf_counter()
        embedder.load()
        load_seconds = time.perf_counter() - load_started
        full_seconds, full = timed_ingest(files, settings, embedder, rebuild=True)
        unchanged_seconds, unchanged = timed_ingest(files, settings, embedder)
        smallest = min(files, key=lambda path: Path(path).stat().st_size)
        timed_ingest([path for path in files if path != smallest], settings, embedder, rebuild=True)
        added_seconds, added = timed_ingest([smallest], settings, embedder)
        latencies = search_latencies(SearchIndex.open(settings, embedder), queries)
    return {
        "backend": getattr(embedder, "backend", backend),
        "files": len(files),
        "passages": full.embedded,
        "model_load_seconds": round(load_seconds, 1),
        "full_ingest_seconds": round(full_seconds, 1),
        "full_ingest_passages_per_second": round(full.embedded / full_seconds, 1),
        "full_ingest_sentences_embedded": full.sentences_embedded,
        "unchanged_reingest_seconds": round(unchanged_seconds, 2),
        "unchanged_reingest_embedded": unchanged.embedded,
        "added_file": Path(smallest).name,
        "added_file_seconds": round(added_seconds, 2),
        "added_file_embedded": added.embedded,
        "search_queries": len(latencies),
        "search_ms_p50": round(percentile(latencies, 0.5), 1),
        "search_ms_p95": round(percentile(latencies, 0.95), 1),
        "search_ms_mean": round(statistics.mean(latencies), 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def markdown(runs: dict[str, dict[str, Any]], load_average: float) -> str:
    """Before (torch) → after (onnx), with the ratio where it means something."""
    before, after = runs["torch"], runs["onnx"]
    lines = [f"Load average at the start {load_average}; each backend in its own process, one after the other.",
             "", f"| figure | before ({before['backend']}) | after ({after['backend']}) | after / before |",
             "| --- | --- | --- | --- |"]
    for key, value in before.items():
        if key == "backend":
            continue
        ratio = (f"{after[key] / value:.2f}" if isinstance(value, (int, float)) and not isinstance(value, bool)
                 and value and key not in ("files", "passages", "search_queries") else "")
        lines.append(f"| {key} | {value} | {after[key]} | {ratio} |")
    return "# Index and search benchmark\n\n" + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["data/reports"])
    parser.add_argument("--queries", type=int, default=60, help="at least this many timed queries")
    args = parser.parse_args()
    load_average = round(os.getloadavg()[0], 2)
    context = multiprocessing.get_context("spawn")
    runs = {}
    for backend in BACKENDS:
        with context.Pool(1) as pool:
            runs[backend] = pool.apply(measure, (backend, args.paths, args.queries))
    text = markdown(runs, load_average)
    print(text, end="")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_search.json").write_text(json.dumps({"load_average": load_average, **runs}, indent=1) + "\n",
                                               encoding="utf-8")
    (RESULTS / "bench_search.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
