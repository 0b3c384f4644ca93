"""Ingest-embedding benchmark, torch fp32 against ONNX int8: ``python -m eval.bench_ingest [PATH ...]``.

Embeds what a full ingest of the bundled corpus (default) embeds — every
passage's indexed text and every distinct sentence, with the ``passage: ``
prompt, longest first in batches of ``embed_batch_size`` — once with each
backend, each in its own child process (so each has its own peak memory and
neither warms the other's caches), one after the other. The model is loaded
(and the ONNX build made, if the cache lacks it) before the clock starts.
Prints and writes to ``eval/results/bench-ingest.{json,md}``: passages/s,
sentences/s, total embedding seconds and passages/s counting the sentence
work, the ratio, the model's load time, peak resident memory, and the cosine
(min / mean) between the two backends' vectors of every passage, sentence and
eval question (the question with the ``query: `` prompt).

Run it on an idle machine: another busy process on the two cores skews every
figure (the load average at the start is recorded).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from eval.retrieval import DEFAULT_SETS
from reportqa.indexing.build import text_key
from reportqa.indexing.embedding import make_embedder
from reportqa.ingest.pipeline import expand_paths, ingest
from reportqa.settings import Settings
from reportqa.text import sentences

RESULTS = Path(__file__).resolve().parent / "results"
BACKENDS = ("torch", "onnx")
NATIONAL = Path(__file__).resolve().parent / "national.jsonl"


def corpus_texts(paths: list[str], settings: Settings) -> tuple[list[str], list[str]]:
    """Passage texts and distinct sentence texts, as ``build`` embeds them for a full ingest."""
    result = ingest(expand_paths(paths), settings)
    passages = list({text_key(chunk.index_text): chunk.index_text for chunk in result.chunks}.values())
    seen = {text_key(text) for text in passages}
    distinct = {}
    for chunk in result.chunks:
        for sentence in sentences(chunk.text):
            if (key := text_key(sentence)) not in seen:
                distinct.setdefault(key, sentence)
    return passages, list(distinct.values())


def questions() -> list[str]:
    return [json.loads(line)["question"] for path in [*DEFAULT_SETS, NATIONAL] if path.exists()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_backend(backend: str, texts: dict[str, list[str]], out: str) -> dict[str, Any]:
    """In a child process: load, then time passages and sentences; vectors saved to ``out`` (npz)."""
    embedder = make_embedder(replace(Settings.from_env(), embed_backend=backend))
    started = time.perf_counter()
    embedder.load()
    figures: dict[str, Any] = {"backend": embedder.backend, "load_s": round(time.perf_counter() - started, 2)}
    vectors = {}
    for kind in ("passages", "sentences"):
        started = time.perf_counter()
        vectors[kind] = embedder.embed_passages(texts[kind])
        figures[f"{kind}_s"] = round(time.perf_counter() - started, 2)
    vectors["questions"] = embedder.embed_queries(texts["questions"])
    np.savez(out, **vectors)
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def cosines(first: np.ndarray, second: np.ndarray) -> dict[str, float]:
    values = (first * second).sum(axis=1)
    return {"min": round(float(values.min()), 4), "mean": round(float(values.mean()), 4)}


def summary(figures: dict[str, dict[str, Any]], counts: dict[str, int]) -> dict[str, Any]:
    rows = {}
    for backend, run in figures.items():
        total = run["passages_s"] + run["sentences_s"]
        rows[backend] = {**run, "total_s": round(total, 2),
                         "passages_per_s": round(counts["passages"] / run["passages_s"], 1),
                         "sentences_per_s": round(counts["sentences"] / run["sentences_s"], 1),
                         "passages_per_s_with_sentences": round(counts["passages"] / total, 1)}
    return rows


def markdown(stats: dict[str, Any]) -> str:
    counts, rows = stats["counts"], stats["backends"]
    lines = [f"{counts['passages']} passages and {counts['sentences']} distinct sentences "
             f"({counts['questions']} questions for the query cosines); load average at the start "
             f"{stats['load_average']}, {stats['cpus']} CPUs.", "",
             "| backend | load s | passages/s | sentences/s | embedding s | passages/s with sentences | peak RSS MiB |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows.values():
        lines.append(f"| {row['backend']} | {row['load_s']} | {row['passages_per_s']} | {row['sentences_per_s']} | "
                     f"{row['total_s']} | {row['passages_per_s_with_sentences']} | {row['peak_rss_mib']} |")
    lines += ["", f"Speed-up of the whole ingest embedding: **{stats['speedup']}×** "
              f"({rows['torch']['total_s']} s → {rows['onnx']['total_s']} s).", "",
              "| cosine, onnx vs torch | min | mean |", "| --- | --- | --- |"]
    lines += [f"| {kind} | {value['min']} | {value['mean']} |" for kind, value in stats["cosine"].items()]
    return "# Ingest embedding benchmark\n\n" + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["data/reports"])
    args = parser.parse_args()
    settings = Settings.from_env()
    load_average = round(os.getloadavg()[0], 2)
    passages, sentence_texts = corpus_texts(args.paths, settings)
    texts = {"passages": passages, "sentences": sentence_texts, "questions": questions()}
    counts = {kind: len(values) for kind, values in texts.items()}
    figures, vectors = {}, {}
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder, context.Pool(1, maxtasksperchild=1) as pool:
        for backend in BACKENDS:
            out = str(Path(folder) / f"{backend}.npz")
            figures[backend] = pool.apply(run_backend, (backend, texts, out))
            with np.load(out) as saved:
                vectors[backend] = {kind: saved[kind] for kind in texts}
    rows = summary(figures, counts)
    stats = {"paths": args.paths, "counts": counts, "load_average": load_average, "cpus": os.cpu_count(),
             "backends": rows, "speedup": round(rows["torch"]["total_s"] / rows["onnx"]["total_s"], 2),
             "cosine": {kind: cosines(vectors["onnx"][kind], vectors["torch"][kind]) for kind in texts}}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench-ingest.json").write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
    text = markdown(stats)
    (RESULTS / "bench-ingest.md").write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
