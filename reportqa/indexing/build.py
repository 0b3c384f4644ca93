"""Embed and tokenise chunks into the on-disk index, reusing what is already there.

The index folder (``reportqa.indexing.store``) holds, row i = chunk i everywhere:
``chunks.jsonl`` (with its line offsets and documents), ``embeddings.npy``, ``dense.faiss``, ``bm25/`` and
``manifest.json``, plus the vectors of every passage's sentences
(``sentences.npy``, ``sentence_offsets.npy``) for rescoring. A text is
embedded only when it is new: vectors of the previous index are looked up by
the sha256 of the embedded text (a passage's ``index_text`` or a sentence), so
an unchanged corpus embeds nothing and an added report embeds only its own
passages and sentences. BM25 and FAISS are rebuilt from those vectors and
tokens on every run (milliseconds at this size) so deleted passages can never
linger.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.errors import IndexUnusable, InputError
from reportqa.indexing import milvus, passages, store, writing
from reportqa.indexing.dense import DenseIndex
from reportqa.indexing.embedding import Embedder
from reportqa.indexing.lexical import BM25_B, BM25_K1, LexicalIndex, ReportAnalyser
from reportqa.ingest.pipeline import IngestResult, SourcePlan, expand_paths, ingest, plan_sources
from reportqa.paths import file_sha256
from reportqa.settings import Settings
from reportqa.text import sentences


@dataclass(frozen=True)
class IndexUpdate:
    """What writing the index did.

    Attributes:
        embedded: passages embedded in this run.
        reused: passages whose vectors came from the previous index.
        embed_seconds: time spent embedding (passages and sentences).
        sentences_embedded: sentences embedded in this run.
    """

    embedded: int
    reused: int
    embed_seconds: float
    sentences_embedded: int = 0


def text_key(index_text: str) -> str:
    return hashlib.sha256(index_text.encode("utf-8")).hexdigest()


def embedding_fingerprint(settings: Settings) -> dict[str, Any]:
    """The settings an index's vectors depend on (compared before reuse or search)."""
    return {"model": settings.embed_model, "query_prompt_setting": settings.embed_query_prompt,
            "passage_prompt_setting": settings.embed_passage_prompt}


def check_compatible(manifest: dict[str, Any], settings: Settings, index_dir: str | Path) -> None:
    """Refuse an index whose vectors were made by another model or prompt setting.

    Raises:
        IndexUnusable: with the command that rebuilds it.
    """
    built = manifest.get("embedding", {})
    wanted = embedding_fingerprint(settings)
    differing = [key for key in wanted if built.get(key) != wanted[key]]
    if differing:
        details = ", ".join(f"{key} {built.get(key)!r} (settings say {wanted[key]!r})" for key in differing)
        raise IndexUnusable(
            f"index at {index_dir} was built with {details}: rebuild it with "
            f"`python ingest.py --rebuild --index {index_dir}` or set REPORTQA_EMBED_MODEL={built.get('model')}"
        )


def previous_vectors(index_dir: str | Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Vectors of the existing index (passages and sentences) by text key, and its embedding record;
    nothing when its files are damaged (everything is embedded again)."""
    try:
        manifest = store.read_manifest(index_dir, older=True)
        if "files" in manifest:
            store.check_files(index_dir, manifest)
        chunks = store.read_chunks(index_dir)
        vectors = store.read_array(index_dir, store.EMBEDDINGS)
    except IndexUnusable:
        return {}, {}
    if vectors is None or len(vectors) != len(chunks):
        return {}, {}
    known = {text_key(chunk.index_text): vector for chunk, vector in zip(chunks, vectors)}
    try:
        sentence_vectors = store.read_array(index_dir, store.SENTENCES)
    except IndexUnusable:
        sentence_vectors = None
    texts = [sentence for chunk in chunks for sentence in sentences(chunk.text)]
    if sentence_vectors is not None and len(sentence_vectors) == len(texts):
        known.update((text_key(text), vector) for text, vector in zip(texts, sentence_vectors))
    return known, manifest["embedding"]


def plan_update(paths: Sequence[str], settings: Settings, rebuild: bool = False,
                remove: Sequence[str] = ()) -> SourcePlan:
    """The files an update of ``settings.index_dir`` reads: those under ``paths`` plus those already indexed
    (none when ``rebuild``), less the gone and the ``remove``d ones.

    Raises:
        LoadError: a named path does not exist.
        IndexUnusable: the existing index is of another format or embedding model (use ``rebuild``).
        InputError: there is no report file to read.
    """
    previous: list[str] = []
    if not rebuild and store.has_index(settings.index_dir):
        manifest = store.read_manifest(settings.index_dir, older=True)
        check_compatible(manifest, settings, settings.index_dir)
        previous = [source["path"] for source in manifest["sources"]]
    plan = plan_sources(expand_paths(paths), previous, remove)
    if not plan.files:
        raise InputError("no .txt, .html, .pdf or .docx files to ingest")
    return plan


def update_index(plan: SourcePlan, settings: Settings, embedder: Embedder, rebuild: bool = False,
                 on_file: Callable[[str], None] | None = None, on_embedded: Callable[[int], None] | None = None,
                 on_embedding_start: Callable[[int], None] | None = None) -> tuple[IngestResult, IndexUpdate]:
    """Read the planned files and write the index: the whole ingest, for ``ingest.py`` and the benchmark.

    A file that cannot be read is in the result's ``errors``; the rest is indexed. The callbacks report
    progress (see ``ingest`` and ``write_search_index``).
    """
    result = ingest(plan.files, settings, on_file=on_file)
    update = write_search_index(result, settings, embedder, reuse=not rebuild, on_embedded=on_embedded,
                                on_embedding_start=on_embedding_start)
    return result, update


def write_search_index(
    result: IngestResult,
    settings: Settings,
    embedder: Embedder,
    reuse: bool = True,
    on_embedded: Callable[[int], None] | None = None,
    on_embedding_start: Callable[[int], None] | None = None,
) -> IndexUpdate:
    """Write the complete index of ``result`` to ``settings.index_dir``, atomically, under the writer lock
    (``reportqa.indexing.writing``).

    Args:
        result: the ingested documents and chunks.
        settings: index folder, FAISS type, embedding model settings.
        embedder: makes vectors for passages and sentences that have none yet.
        reuse: take vectors from the existing index (checked compatible by the caller).
        on_embedded: called with the number of texts after each embedded batch.
        on_embedding_start: called with the number of texts (passages and sentences) about to be embedded.
    """
    with writing.writer_lock(settings.index_dir):  # re-entrant: ingest.py holds it from planning on
        known = previous_vectors(settings.index_dir) if reuse and store.has_index(settings.index_dir) else ({}, {})
        terms = previous_terms(settings.index_dir) if reuse and store.has_index(settings.index_dir) else {}
        return _write(result, settings, embedder, *known, previous_added(settings.index_dir), terms, on_embedded,
                      on_embedding_start)


def previous_terms(index_dir: str | Path) -> dict[str, list[str]]:
    """The search terms of the existing index's sentences, by sentence; nothing when it was analysed with
    another dictionary or cannot be read (every sentence is analysed again)."""
    try:
        made = ReportAnalyser().made(store.read_manifest(index_dir, older=True))
        return passages.stored_terms(Path(index_dir)) if made else {}
    except (IndexUnusable, OSError, ValueError):
        return {}


def previous_added(index_dir: str | Path) -> dict[str, str]:
    """When each source file of the existing index was first indexed (ISO 8601, UTC), by path; an index
    written before this was recorded, or a damaged one, gives nothing."""
    try:
        manifest = store.read_manifest(index_dir, older=True) if store.has_index(index_dir) else {"sources": []}
    except IndexUnusable:
        return {}
    return {source["path"]: source["added"] for source in manifest["sources"] if source.get("added")}


def _write(result: IngestResult, settings: Settings, embedder: Embedder, known: dict[str, np.ndarray],
           record: dict[str, Any], added: dict[str, str], terms: dict[str, list[str]],
           on_embedded: Callable[[int], None] | None, on_embedding_start: Callable[[int], None] | None) -> IndexUpdate:
    passage_texts = [chunk.index_text for chunk in result.chunks]
    sentence_texts = [text for chunk in result.chunks for text in sentences(chunk.text)]
    passage_keys, sentence_keys = list(map(text_key, passage_texts)), list(map(text_key, sentence_texts))
    missing = {key: text for key, text in zip(passage_keys + sentence_keys, passage_texts + sentence_texts)
               if key not in known}
    if missing or not record:
        record = {**embedding_fingerprint(settings), **_model_record(embedder)}
    if on_embedding_start:
        on_embedding_start(len(missing))
    started = time.perf_counter()
    if missing:
        known.update(zip(missing, embedder.embed_passages(list(missing.values()), on_embedded)))
    embed_seconds = time.perf_counter() - started
    vectors = _stack([known[key] for key in passage_keys], record["dimension"])
    sentence_vectors = _stack([known[key] for key in sentence_keys], record["dimension"])
    analyser = ReportAnalyser()
    lexical = LexicalIndex.build(analyser(chunk.index_text) for chunk in result.chunks)
    dense = DenseIndex.build(vectors, settings.faiss_index)
    manifest = manifest_for(result, settings, record, analyser.fingerprint(), added)
    manifest["dense"]["index_type"] = dense.description  # what ``auto`` chose for this many passages
    with writing.staged_index(settings.index_dir) as (staging, generation):
        passages.write_chunks(staging, result.chunks, [document.doc_id for document in result.documents],
                              ([terms[text] if text in terms else analyser(text) for text in sentences(chunk.text)]
                               for chunk in result.chunks))
        writing.crash_point("writing")
        store.write_array(staging / store.EMBEDDINGS, vectors)
        store.write_array(staging / store.SENTENCES, sentence_vectors.astype(store.SENTENCE_DTYPE))
        store.write_array(staging / store.SENTENCE_OFFSETS, store.sentence_offsets([chunk.text for chunk in result.chunks]))
        dense.save(staging / store.DENSE)
        lexical.save(staging / store.LEXICAL)
        if settings.backend == "milvus":  # before the swap: a failure leaves the old folder in place
            milvus.mirror(settings, result.chunks, result.documents, vectors)
        manifest.update(generation=generation, files=store.file_sizes(staging),
                        counts={"chunks": len(result.chunks), "sentences": len(sentence_vectors)})
        store.write_json(staging / store.MANIFEST, store.stored_manifest(manifest, settings.index_dir))
    embedded = sum(key in missing for key in passage_keys)
    return IndexUpdate(embedded, len(passage_keys) - embedded, embed_seconds, len(missing.keys() - set(passage_keys)))


def manifest_for(result: IngestResult, settings: Settings, embedding: dict[str, Any],
                 analyser: dict[str, Any], added: dict[str, str] | None = None) -> dict[str, Any]:
    """The manifest of an index built from ``result`` (see ``reportqa.indexing.store``).

    Args:
        result: the ingested sources, documents, chunks and errors.
        settings: the chunking and FAISS settings the index is built with.
        embedding: the embedding model's record (name, dimension, prompts).
        analyser: the BM25 analyser's fingerprint.
        added: when sources already indexed were first added, by path (the others are added now).
    """
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    added = added or {}
    chunk_counts: dict[str, int] = {}
    for chunk in result.chunks:
        chunk_counts[chunk.doc_id] = chunk_counts.get(chunk.doc_id, 0) + 1
    return {
        "format_version": store.FORMAT_VERSION,
        "chunking": {
            "max_chars": settings.chunk_max_chars,
            "overlap_chars": settings.chunk_overlap_chars,
            "min_chars": settings.chunk_min_chars,
        },
        "sources": [
            {"path": source.path, "sha256": source.sha256 or file_sha256(source.path),
             "encoding": source.encoding, "added": added.get(source.path, now)}
            for source in result.sources
        ],
        "documents": [document.to_json(chunk_counts.get(document.doc_id, 0)) for document in result.documents],
        "errors": [{"path": error.path, "reason": error.reason} for error in result.errors],
        "embedding": embedding,
        "dense": {"index_type": settings.faiss_index, "metric": "inner_product"},
        "lexical": {**analyser, "k1": BM25_K1, "b": BM25_B},
    }


def _stack(vectors: list[np.ndarray], dimension: int) -> np.ndarray:
    return np.asarray(vectors, np.float32).reshape(len(vectors), dimension)


def _model_record(embedder: Embedder) -> dict[str, Any]:
    prompts = embedder.prompts()
    record = {"dimension": embedder.dimension(), "query_prompt": prompts.query, "passage_prompt": prompts.passage}
    backend = getattr(embedder, "backend", "")  # for information: vectors of either backend mix (cosine ≥ 0.99)
    return {**record, "backend": backend} if backend else record
