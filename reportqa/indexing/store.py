"""The index directory: plain files plus a JSON manifest, checked on open.

Layout (``FORMAT_VERSION``):

* ``manifest.json`` — format version, generation, the size of every other
  file, settings that shape the index, sources with their sha256, documents
  with their metadata and chunk counts. Written last: an index folder without
  it is incomplete.
* ``chunks.jsonl`` — one chunk a line; line i is row i of every other index file, with the byte
  offset of each line (``chunk_offsets.npy``) and its document (``chunk_documents.npy``), so search
  reads passages as it needs them (``reportqa.indexing.passages``).
* ``embeddings.npy`` — the passage vectors (float32, n × d), kept so an update
  re-embeds only new passages.
* ``dense.faiss`` — the FAISS index of those vectors.
* ``sentences.npy`` — one vector per sentence of every passage, in order (float16: half the disk of
  float32, and cosines within 0.001), and
  ``sentence_offsets.npy`` — passage i's sentences are rows
  ``offsets[i]:offsets[i + 1]`` (see ``reportqa.search.rescoring``).
* ``bm25/`` — the BM25 index (bm25s: JSON vocabulary and parameters, ``.npy`` arrays).

Source paths are recorded relative to the folder holding the index when they
lie under it (``reportqa.paths``) and are absolute in memory. How a new index
replaces the old one, one writer at a time, is ``reportqa.indexing.writing``.
Nothing is pickled.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.errors import IndexUnusable
from reportqa.indexing.passages import CHUNK_DOCUMENTS, CHUNK_KEYS, CHUNK_OFFSETS, CHUNKS
from reportqa.paths import index_root, resolved_path, stored_path
from reportqa.records import Chunk
from reportqa.text import sentences

FORMAT_VERSION = 5
# Earlier formats an update reads (sources and vectors) to write the current one.
UPDATABLE_FORMATS = (3, 4)
MANIFEST = "manifest.json"
EMBEDDINGS = "embeddings.npy"
DENSE = "dense.faiss"
SENTENCES = "sentences.npy"
SENTENCE_DTYPE = np.float16
SENTENCE_OFFSETS = "sentence_offsets.npy"
LEXICAL = "bm25"


def damaged(index_dir: str | Path, what: str, sources_known: bool = True) -> IndexUnusable:
    """The one message for a damaged index: what is wrong and the command that rebuilds it."""
    if sources_known:
        fix = f"`python ingest.py --index {index_dir}` rebuilds it from its source files"
    else:
        fix = f"rebuild it with `python ingest.py --rebuild --index {index_dir} REPORTS…` (your report files)"
    return IndexUnusable(f"the index at {index_dir} is damaged ({what}): {fix}")


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_manifest(index_dir: str | Path, older: bool = False) -> dict[str, Any]:
    """Load and check ``manifest.json``; source paths come back absolute. ``older``: accept an index of an
    earlier format too (from version 3), to update it into the current one.

    Raises:
        IndexUnusable: no index there, one of another format version, or a manifest that is not one.
    """
    path = Path(index_dir) / MANIFEST
    if not has_index(index_dir):
        raise IndexUnusable(f"no index at {index_dir}: build it with `python ingest.py --index {index_dir}`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise damaged(index_dir, f"{MANIFEST} cannot be read: {error}", sources_known=False) from error
    if not isinstance(manifest, dict):
        raise damaged(index_dir, f"{MANIFEST} is not a manifest", sources_known=False)
    if older and manifest.get("format_version") in UPDATABLE_FORMATS and "sources" in manifest:
        return _resolved({"documents": [], **manifest}, index_root(index_dir))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnusable(
            f"index at {index_dir} has format {manifest.get('format_version')}, this version reads "
            f"{FORMAT_VERSION}: rebuild it with `python ingest.py --rebuild --index {index_dir}`"
        )
    missing = [key for key in ("sources", "documents", "embedding", "files", "counts") if key not in manifest]
    if missing:
        raise damaged(index_dir, f"{MANIFEST} lacks {', '.join(missing)}", sources_known="sources" not in missing)
    return _resolved(manifest, index_root(index_dir))


def stored_manifest(manifest: dict[str, Any], index_dir: str | Path) -> dict[str, Any]:
    """``manifest`` with its source paths as the index at ``index_dir`` records them."""
    return _convert(manifest, lambda path: stored_path(path, index_root(index_dir)))


def _resolved(manifest: dict[str, Any], root: str) -> dict[str, Any]:
    return _convert(manifest, lambda path: resolved_path(path, root))


def _convert(manifest: dict[str, Any], convert) -> dict[str, Any]:
    converted = dict(manifest)
    converted["sources"] = [{**source, "path": convert(source["path"])} for source in manifest["sources"]]
    converted["documents"] = [{**document, "source_file": convert(document["source_file"]),
                               "also_in": [convert(path) for path in document.get("also_in") or ()]}
                              for document in manifest["documents"]]
    converted["errors"] = [{**error, "path": convert(error["path"])} for error in manifest.get("errors", ())]
    return converted


def read_chunks(index_dir: str | Path) -> list[Chunk]:
    """The chunks, their source paths absolute.

    Raises:
        IndexUnusable: the file is missing or a line is not a chunk.
    """
    path, root = Path(index_dir) / CHUNKS, index_root(index_dir)
    try:
        with path.open(encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        return [Chunk.from_json({**record, "source_file": resolved_path(record["source_file"], root)})
                for record in records]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise damaged(index_dir, f"{CHUNKS} cannot be read: {error}") from error


def has_index(index_dir: str | Path) -> bool:
    """Whether a complete index (of any version) is at ``index_dir``."""
    return (Path(index_dir) / MANIFEST).exists()


def file_sizes(folder: Path) -> dict[str, int]:
    """The size of every file in an index folder but the manifest, by path relative to it."""
    return {path.relative_to(folder).as_posix(): path.stat().st_size
            for path in sorted(folder.rglob("*")) if path.is_file() and path.name != MANIFEST}


def check_files(index_dir: str | Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists is there with its recorded size, and no file is missing.

    Raises:
        IndexUnusable: naming the first missing or truncated file.
    """
    folder = Path(index_dir)
    recorded = manifest["files"]
    for name in (CHUNKS, CHUNK_OFFSETS, CHUNK_DOCUMENTS, CHUNK_KEYS, EMBEDDINGS, DENSE, SENTENCES, SENTENCE_OFFSETS):
        if name not in recorded:
            raise damaged(index_dir, f"{MANIFEST} does not list {name}")
    for name, size in recorded.items():
        path = folder / name
        if not path.is_file():
            raise damaged(index_dir, f"{name} is missing")
        if path.stat().st_size != size:
            raise damaged(index_dir, f"{name} is {path.stat().st_size} bytes, {size} when written")


def sentence_offsets(texts: Sequence[str]) -> np.ndarray:
    """Rows of ``SENTENCES``: the sentences of passage i are rows ``offsets[i]:offsets[i + 1]``."""
    counts = [len(sentences(text)) for text in texts]
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def write_array(path: Path, array: np.ndarray) -> None:
    np.save(path, np.ascontiguousarray(array), allow_pickle=False)


def read_array(index_dir: str | Path, name: str) -> np.ndarray | None:
    """One of the index's ``.npy`` files, or None when it is not there.

    Raises:
        IndexUnusable: the file is there but is not a readable array.
    """
    return _opened(index_dir, name, lambda path: np.load(path, allow_pickle=False))


def stored_rows(index_dir: str | Path, name: str) -> StoredRows | None:
    """``StoredRows`` of one of the index's ``.npy`` files, or None when it is not there.

    Raises:
        IndexUnusable: the file is there but is not rows of numbers.
    """
    return _opened(index_dir, name, StoredRows)


def _opened(index_dir: str | Path, name: str, reader: Callable[[Path], Any]) -> Any:
    """``reader`` of one of the index's files, None when it is not there, the index damaged when it fails."""
    path = Path(index_dir) / name
    if not path.exists():
        return None
    try:
        return reader(path)
    except (OSError, ValueError, EOFError) as error:
        raise damaged(index_dir, f"{name} cannot be read: {error}") from error


class StoredRows:
    """The rows of a 2-D ``.npy`` file of the index, read when asked (``rows[i:j]``, ``rows[ids]``).

    Search needs a few rows at a time (a filtered search's passages, the sentences of the passages it
    rescores), so they are read with ``os.pread`` instead of holding the file in memory or mapping it:
    a mapped file's pages count as the process's own once touched, and the kernel maps more than the
    rows read (a thousand filtered searches over a million passages made 1.4 GB of a mapped file
    resident, reading 28 rows each).
    """

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as file:
            version = np.lib.format.read_magic(file)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(file)
            self._start = file.tell()
        if len(shape) != 2 or fortran or dtype.hasobject:
            raise ValueError(f"{path.name}: {shape} {dtype}, not rows of numbers")
        if path.stat().st_size < self._start + shape[0] * shape[1] * dtype.itemsize:
            raise ValueError(f"{path.name} is shorter than its {shape[0]} rows")
        self.shape, self.dtype = shape, dtype
        self._row = shape[1] * dtype.itemsize
        self._descriptor = os.open(path, os.O_RDONLY)

    def __len__(self) -> int:
        return int(self.shape[0])

    def __getitem__(self, key: slice | np.ndarray) -> np.ndarray:
        if isinstance(key, slice):
            start, stop, _ = key.indices(len(self))
            return self._read(start, max(start, stop))
        ids = np.asarray(key, dtype=np.int64)
        if len(ids) and (ids.min() < 0 or ids.max() >= len(self)):
            raise IndexError(f"row out of range 0..{len(self) - 1}")
        return np.concatenate([self._read(int(i), int(i) + 1) for i in ids]) if len(ids) else self._read(0, 0)

    def _read(self, start: int, stop: int) -> np.ndarray:
        data = os.pread(self._descriptor, (stop - start) * self._row, self._start + start * self._row)
        return np.frombuffer(data, dtype=self.dtype).reshape(stop - start, self.shape[1])

    def __del__(self) -> None:
        descriptor = getattr(self, "_descriptor", None)
        if descriptor is not None:
            os.close(descriptor)


def fsync_tree(folder: Path) -> None:
    """Flush every file and folder under ``folder`` (and ``folder``) to disk."""
    for path in [*sorted(folder.rglob("*")), folder]:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
