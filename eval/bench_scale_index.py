"""Whole search at scale: ``python -m eval.bench_scale_index [--sizes N ...] [--index index]``.

``eval/bench_scale.py`` measures the dense index alone; this measures what a user waits for: an index
folder of 10 k, 100 k and 1 M passages opened by ``SearchIndex.open`` and searched with
``SearchIndex.search`` (query embedding with the product's model, dense and BM25 search, fusion,
sentence rescoring, the hits' passages read from disk), as the product does it.

The synthetic passages recombine the real ones of an index (``--index``): passage i is a real passage A
followed by up to ``EXTRA_SENTENCES`` sentences of another, B. Its text, BM25 terms, sentences' search
terms and sentence vectors are A's and those sentences'; its passage vector blends A's and B's as ``eval/bench_scale.py`` does.
Each passage belongs to the report of one place (one of China's place names, about
``PASSAGES_PER_PLACE`` passages a place) and one year (2015–2025), as a national collection would. The
vocabulary is the real index's (a real collection of a million passages has more terms: more place
names and numbers, which make the BM25 index larger on disk, not its postings longer).

For each size, in processes of their own: the build (seconds, size on disk); in the search process,
opening seconds, then warm search p50 / p95 for the eval sets' real questions without a filter, with a
year filter and with a place-and-year filter, and the process's peak resident memory (model included).
Writes ``eval/results/bench_scale_index.{json,md}``. About 15 minutes at 1 M on two cores, 12 GB of
temporary disk: run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench_scale import BLEND, NOISE, PASSAGES_PER_PLACE, SEED, YEARS, _in_child, peak_rss_mib

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (10_000, 100_000, 1_000_000)
EXTRA_SENTENCES = 2
K = 10
WARM_UP = 10
SLICE = 50_000


class Base:
    """The real passages that synthetic ones are made of: texts, BM25 term ids and vectors."""

    def __init__(self, index_dir: Path) -> None:
        from reportqa.indexing import store
        from reportqa.indexing.lexical import ReportAnalyser
        from reportqa.text import sentences

        self.manifest = store.read_manifest(index_dir)
        self.chunks = store.read_chunks(index_dir)
        self.vectors = store.read_array(index_dir, store.EMBEDDINGS).astype(np.float32)
        self.sentence_vectors = store.read_array(index_dir, store.SENTENCES)
        self.offsets = store.read_array(index_dir, store.SENTENCE_OFFSETS)
        analyser = ReportAnalyser()
        self.vocabulary: dict[str, int] = {}
        self.terms = [self._ids(analyser(chunk.index_text)) for chunk in self.chunks]
        self.sentences = [sentences(chunk.text) for chunk in self.chunks]
        self.sentence_words = [[analyser(text) for text in texts] for texts in self.sentences]
        self.sentence_terms = [[self._ids(words) for words in texts] for texts in self.sentence_words]

    def _ids(self, terms: list[str]) -> np.ndarray:
        return np.asarray([self.vocabulary.setdefault(term, len(self.vocabulary)) for term in terms], np.int32)


def places_of_china() -> list[tuple[str, str]]:
    """China's place names (unique full names, the nation left out) with their levels."""
    from reportqa.gazetteer import Gazetteer

    seen: dict[str, str] = {}
    for place in Gazetteer.load().all():
        if place.level != "national":
            seen.setdefault(place.name, place.level)
    return list(seen.items())


def build(base_dir: str, n: int, folder: str, queue: Any) -> None:
    """Write an index folder of ``n`` synthetic passages and report what it took."""
    from reportqa.indexing import passages, store
    from reportqa.indexing.dense import DenseIndex
    from reportqa.indexing.lexical import LexicalIndex

    started = time.perf_counter()
    base, out, rng = Base(Path(base_dir)), Path(folder), np.random.default_rng(SEED)
    out.mkdir(parents=True)
    places = places_of_china()
    place = rng.integers(min(len(places), max(1, n // PASSAGES_PER_PLACE)), size=n)
    year = rng.choice(np.array(YEARS), size=n)
    order = np.lexsort((year, place))  # a report's passages lie together, as ingest writes them
    place, year = place[order], year[order]
    first, second = rng.integers(len(base.chunks), size=n), rng.integers(len(base.chunks), size=n)
    extra = rng.integers(0, EXTRA_SENTENCES + 1, size=n)
    extra = np.minimum(extra, [len(base.sentences[b]) for b in second])
    keys = sorted(set(zip(place.tolist(), year.tolist())))
    doc_ids = [f"{places[p][0]}-{y}" for p, y in keys]
    doc_of = dict(zip(keys, doc_ids))
    documents = [doc_of[key] for key in zip(place.tolist(), year.tolist())]
    passages.write_chunks(out, _chunks(base, first, second, extra, documents), doc_ids,
                          (base.sentence_words[a] + base.sentence_words[b][:e]
                           for a, b, e in zip(first.tolist(), second.tolist(), extra.tolist())))
    sentence_counts = np.diff(base.offsets)[first] + extra
    offsets = np.concatenate([[0], np.cumsum(sentence_counts)]).astype(np.int64)
    store.write_array(out / store.SENTENCE_OFFSETS, offsets)
    _write_vectors(base, out, rng, first, second, extra, offsets)
    built_vectors = time.perf_counter()
    dense = DenseIndex.build(np.load(out / store.EMBEDDINGS, mmap_mode="r"), "auto")
    dense.save(out / store.DENSE)
    dense_seconds, dense_type = time.perf_counter() - built_vectors, dense.description
    del dense
    terms = [np.concatenate([base.terms[a], *base.sentence_terms[b][:e]]) if e else base.terms[a]
             for a, b, e in zip(first.tolist(), second.tolist(), extra.tolist())]
    lexical_started = time.perf_counter()
    LexicalIndex.from_ids(terms, base.vocabulary).save(out / store.LEXICAL)
    lexical_seconds = time.perf_counter() - lexical_started
    del terms
    counts = np.unique(place * 10_000 + year, return_counts=True)[1]  # in the order of keys
    _write_manifest(base, out, [(doc_id, *places[p], y, int(count)) for doc_id, (p, y), count
                                in zip(doc_ids, keys, counts)], dense_type, int(offsets[-1]))
    queue.put({"dense_type": dense_type, "build_s": round(time.perf_counter() - started, 1), "dense_build_s": round(dense_seconds, 1),
               "bm25_build_s": round(lexical_seconds, 1), "documents": len(doc_ids), "sentences": int(offsets[-1]),
               "disk_mib": {name: round(size / 2**20, 1) for name, size in _sizes(out).items()},
               "build_rss_mib": peak_rss_mib()})


def _chunks(base: Base, first: np.ndarray, second: np.ndarray, extra: np.ndarray, documents: list[str]):
    """Passage i: real passage ``first[i]`` and the first ``extra[i]`` sentences of ``second[i]``."""
    from reportqa.records import Chunk

    for i, (a, b, e, doc_id) in enumerate(zip(first.tolist(), second.tolist(), extra.tolist(), documents)):
        real, added = base.chunks[a], "".join(base.sentences[b][:e])
        yield Chunk(f"c{i}", doc_id, real.section, real.text + added, f"synthetic/{doc_id}.txt", 0,
                    len(real.text + added), real.period, real.period_kind, real.index_text + added)


def _write_manifest(base: Base, out: Path, documents: list[tuple[str, str, str, int, int]], dense_type: str,
                    sentences: int) -> None:
    """The manifest of the synthetic index: documents are (doc_id, place, level, year, passages)."""
    from reportqa.indexing import store
    from reportqa.records import Document

    manifest = {key: base.manifest[key] for key in ("chunking", "embedding", "lexical")}
    manifest.update(
        format_version=store.FORMAT_VERSION, generation=1, errors=[],
        documents=[Document(doc_id, f"{place}{year}年政府工作报告", None, year, "政府工作报告", f"synthetic/{doc_id}.txt",
                            0, 0, place=place, place_level=level).to_json(count)
                   for doc_id, place, level, year, count in documents],
        sources=[{"path": f"synthetic/{doc_id}.txt", "sha256": "0" * 64} for doc_id, *_ in documents],
        dense={"index_type": dense_type, "metric": "inner_product"}, files=store.file_sizes(out),
        counts={"chunks": sum(count for *_, count in documents), "sentences": sentences})
    store.write_json(out / store.MANIFEST, manifest)


def _write_vectors(base: Base, out: Path, rng: np.random.Generator, first: np.ndarray, second: np.ndarray,
                   extra: np.ndarray, offsets: np.ndarray) -> None:
    """Passage vectors (A's blended with B's, plus noise) and sentence vectors (A's and B's first few,
    as the index stores them), written a slice at a time."""
    from reportqa.indexing import store

    n, dimension = len(first), base.vectors.shape[1]
    vectors = np.lib.format.open_memmap(out / store.EMBEDDINGS, "w+", np.float32, (n, dimension))
    sentence_vectors = np.lib.format.open_memmap(out / store.SENTENCES, "w+", store.SENTENCE_DTYPE,
                                                 (int(offsets[-1]), dimension))
    for start in range(0, n, SLICE):
        stop = min(n, start + SLICE)
        weights = rng.uniform(*BLEND, size=(stop - start, 1))
        block = ((1 - weights) * base.vectors[first[start:stop]] + weights * base.vectors[second[start:stop]]
                 + rng.normal(0, NOISE, (stop - start, dimension)))
        vectors[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
        rows = np.concatenate([np.r_[base.offsets[a]:base.offsets[a + 1], base.offsets[b]:base.offsets[b] + e]
                               for a, b, e in zip(first[start:stop], second[start:stop], extra[start:stop])])
        sentence_vectors[offsets[start]:offsets[stop]] = base.sentence_vectors[rows]
    vectors.flush()
    sentence_vectors.flush()
    del vectors, sentence_vectors


def _sizes(folder: Path) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            name = path.relative_to(folder).parts[0]
            sizes[name] = sizes.get(name, 0) + path.stat().st_size
    return dict(sorted(sizes.items())) | {"total": sum(sizes.values())}


def search(folder: str, questions: list[str], queue: Any) -> None:
    """Open the index as the product does and time searches without and with filters."""
    from reportqa.search.hybrid import SearchFilters, SearchIndex
    from reportqa.settings import Settings

    started = time.perf_counter()
    index = SearchIndex.open(Settings.from_env(index_dir=folder))
    opened = time.perf_counter() - started
    index.warm_up()
    rng = np.random.default_rng(SEED + 2)
    documents = list(index.documents.values())
    picked = [documents[i] for i in rng.integers(len(documents), size=len(questions))]
    kinds = {"none": [SearchFilters()] * len(questions),
             "year": [SearchFilters(year=d.year) for d in picked],
             "place": [SearchFilters(place=d.place, year=d.year) for d in picked]}
    row: dict[str, Any] = {"open_s": round(opened, 2), "rss_open_mib": peak_rss_mib()}
    for kind, filters in kinds.items():
        for question in questions[-WARM_UP:]:  # other questions first: caches hold nothing of the measured ones
            index.search(question + "？", K, filters[0])
        times = []
        for question, each in zip(questions, filters):
            begun = time.perf_counter()
            hits = index.search(question, K, each)
            times.append(time.perf_counter() - begun)
            assert hits or kind != "none", question
        times.sort()
        row[kind] = {"p50_ms": round(1000 * statistics.median(times), 1),
                     "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 1)}
    row["rss_mib"] = peak_rss_mib()
    row["rss_anon_mib"] = _status_mib("RssAnon")  # private memory, without the mapped index files' pages
    queue.put(row)


def _status_mib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024)
    return 0


def eval_questions(limit: int) -> list[str]:
    from eval.retrieval import DEFAULT_SETS

    return [json.loads(line)["question"] for path in DEFAULT_SETS if path.exists()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:limit]


def markdown(rows: list[dict[str, Any]], questions: int, base: str) -> str:
    header = ["passages", "documents", "sentences", "dense type", "build s (dense, BM25)", "disk MiB", "open s",
              "p50 / p95 ms", "year filter p50 / p95 ms", "place+year p50 / p95 ms", "peak RSS MiB (private)"]
    table = [[f"{r['passages']:,}", f"{r['documents']:,}", f"{r['sentences']:,}", r["dense_type"],
              f"{r['build_s']} ({r['dense_build_s']}, {r['bm25_build_s']})", r["disk_mib"]["total"], r["open_s"],
              f"{r['none']['p50_ms']} / {r['none']['p95_ms']}", f"{r['year']['p50_ms']} / {r['year']['p95_ms']}",
              f"{r['place']['p50_ms']} / {r['place']['p95_ms']}", f"{r['rss_mib']} ({r['rss_anon_mib']})"] for r in rows]
    files = "; ".join(f"{r['passages']:,}: " + ", ".join(f"{name} {size}" for name, size in r["disk_mib"].items()
                                                        if name != "total") for r in rows)
    return ("# Whole search at scale\n\n"
            f"`SearchIndex.search` (k={K}: embedding the question, dense and BM25, fusion, sentence rescoring, "
            f"the hits read from disk) for {questions} real questions over synthetic passages recombined from "
            f"the `{base}` index's passages; warm, one query at a time, after {WARM_UP} other questions. Peak RSS is the "
            "search process's, the embedding model included, and counts the pages of the memory-mapped index files "
            "it read (the inverted file's lists, BM25's postings), which the kernel can drop; private is the "
            "process's own memory at the end.\n\n"
            + "\n".join("| " + " | ".join(map(str, line)) + " |" for line in [header, ["---"] * len(header), *table])
            + f"\n\nDisk MiB by file: {files}.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--index", default="index", help="the index whose passages the synthetic ones recombine")
    parser.add_argument("--keep", help="build the indexes in this folder and keep them")
    args = parser.parse_args()
    questions = eval_questions(args.questions)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-index-") as scratch:
        for n in args.sizes:
            folder = str(Path(args.keep or scratch) / f"index-{n}")
            built = _in_child(build, str(Path(args.index).resolve()), n, folder)
            searched = _in_child(search, folder, questions)
            rows.append({"passages": n, **built, **searched})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
            if not args.keep:
                shutil.rmtree(folder)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_scale_index.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")
    text = markdown(rows, len(questions), args.index)
    (RESULTS / "bench_scale_index.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
