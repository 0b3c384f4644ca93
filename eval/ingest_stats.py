"""Ingest the bundled corpus and report what came out: ``python -m eval.ingest_stats``.

Prints documents, chunks, the chunk length distribution and the time to read,
analyse and chunk the files (embedding is measured by ``eval.bench_search``),
and writes them to ``eval/results/ingest.json`` and ``eval/results/ingest.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from reportqa.ingest.pipeline import expand_paths, ingest
from reportqa.settings import Settings
from reportqa.ui.tables import format_table, summary_table

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["data/reports"])
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median is reported")
    args = parser.parse_args()
    timings = []
    settings = Settings.from_env()
    for _ in range(args.runs):
        started = time.perf_counter()
        result = ingest(expand_paths(args.paths), settings)
        timings.append(time.perf_counter() - started)
    lengths = [len(chunk.text) for chunk in result.chunks]
    stats = {
        "documents": len(result.documents),
        "chunks": len(result.chunks),
        "errors": [f"{error.path}: {error.reason}" for error in result.errors],
        "chunk_chars": {
            "min": min(lengths), "p10": percentile(lengths, 0.1), "median": int(statistics.median(lengths)),
            "mean": round(statistics.mean(lengths), 1), "p90": percentile(lengths, 0.9), "max": max(lengths),
        },
        "chunks_with_section": round(sum(bool(c.section) for c in result.chunks) / len(result.chunks), 3),
        "ingest_seconds_median": round(statistics.median(timings), 2),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    lengths_table = format_table(list(stats["chunk_chars"]), [list(stats["chunk_chars"].values())])
    report = (f"# Ingest of {', '.join(args.paths)}\n\n{stats['documents']} documents, {stats['chunks']} chunks, "
              f"{stats['chunks_with_section']:.1%} with a section, median ingest time "
              f"{stats['ingest_seconds_median']} s over {args.runs} runs.\n\nChunk length (characters):\n\n"
              f"```\n{lengths_table}\n```\n\n```\n{summary_table(result)}\n```\n")
    (RESULTS / "ingest.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
