"""The index directory: plain files plus a JSON manifest, written atomically.

Layout (``FORMAT_VERSION``):

* ``manifest.json`` — format version, settings that shape the index, sources
  with their sha256, documents with their metadata and chunk counts.
* ``chunks.jsonl`` — one chunk a line; line i is row i of every other index file.
* ``embeddings.npy`` — the passage vectors (float32, n × d), kept so an update
  re-embeds only new passages.
* ``dense.faiss`` — the FAISS index of those vectors.
* ``sentences.npy`` — one vector per sentence of every passage, in order, and
  ``sentence_offsets.npy`` — passage i's sentences are rows
  ``offsets[i]:offsets[i + 1]`` (see ``reportqa.search.rescoring``).
* ``bm25/`` — the BM25 index (bm25s: JSON vocabulary and parameters, ``.npy`` arrays).

A new index is written into a temporary sibling folder and swapped in only
when complete, so a failed or interrupted run leaves the previous index as it
was. Nothing is pickled.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.errors import IndexUnusable
from reportqa.records import Chunk
from reportqa.text import sentences

FORMAT_VERSION = 3
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
EMBEDDINGS = "embeddings.npy"
DENSE = "dense.faiss"
SENTENCES = "sentences.npy"
SENTENCE_OFFSETS = "sentence_offsets.npy"
LEXICAL = "bm25"


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def staged_index(index_dir: str | Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``index_dir``.

    On an exception (or interruption) the temporary folder is removed and the
    existing index is untouched.
    """
    target = Path(index_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted_swap(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = target.with_name(f".{target.name}.retired-{os.getpid()}")
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


def recover_interrupted_swap(target: Path) -> None:
    """If a run died between the two renames of a swap, put the old index back."""
    if target.exists():
        return
    retired = sorted(target.parent.glob(f".{target.name}.retired-*"))
    if retired:
        retired[-1].rename(target)


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_chunks(path: Path, chunks: list[Chunk] | tuple[Chunk, ...]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(json.dumps(chunk.to_json(), ensure_ascii=False) + "\n")


def read_manifest(index_dir: str | Path) -> dict[str, Any]:
    """Load and check ``manifest.json``.

    Raises:
        IndexUnusable: no index there, or one of another format version.
    """
    path = Path(index_dir) / MANIFEST
    if not has_index(index_dir):
        raise IndexUnusable(f"no index at {index_dir}: build it with `python ingest.py --index {index_dir}`")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnusable(
            f"index at {index_dir} has format {manifest.get('format_version')}, this version reads "
            f"{FORMAT_VERSION}: rebuild it with `python ingest.py --rebuild --index {index_dir}`"
        )
    return manifest


def read_chunks(index_dir: str | Path) -> list[Chunk]:
    path = Path(index_dir) / CHUNKS
    with path.open(encoding="utf-8") as handle:
        return [Chunk.from_json(json.loads(line)) for line in handle if line.strip()]


def has_index(index_dir: str | Path) -> bool:
    """Whether an index (of any version) is there, after undoing a half-done swap."""
    recover_interrupted_swap(Path(index_dir))
    return (Path(index_dir) / MANIFEST).exists()


def sentence_offsets(texts: Sequence[str]) -> np.ndarray:
    """Rows of ``SENTENCES``: the sentences of passage i are rows ``offsets[i]:offsets[i + 1]``."""
    counts = [len(sentences(text)) for text in texts]
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def write_array(path: Path, array: np.ndarray) -> None:
    np.save(path, np.ascontiguousarray(array), allow_pickle=False)


def read_array(index_dir: str | Path, name: str) -> np.ndarray | None:
    """One of the index's ``.npy`` files, or None when it is not there."""
    path = Path(index_dir) / name
    return np.load(path, allow_pickle=False) if path.exists() else None
