"""An index's passages, read when asked: ``chunks.jsonl`` and two small arrays beside it.

A million passages are 1–2 GB as Python objects, and a search reads about a hundred of them (the fused
candidates' periods, the rescored head's texts, the hits). So the index keeps, beside ``chunks.jsonl``:

* ``chunk_offsets.npy`` — the byte offset of every line (n + 1 of them, the last the file's size): passage i
  is read with one ``os.pread``;
* ``chunk_documents.npy`` — each passage's document, as its position in the manifest's ``documents``: the
  rows of a filter's documents come from it without reading a passage;
* ``chunk_keys.npy`` — each passage's key, a 63-bit hash of its chunk id (``chunk_key``): the row of a
  passage another store returns by key (``reportqa.search.milvus``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from reportqa.paths import index_root, resolved_path, stored_path
from reportqa.records import Chunk
from reportqa.text import has_figure, sentences

CHUNKS = "chunks.jsonl"
CHUNK_OFFSETS = "chunk_offsets.npy"
CHUNK_DOCUMENTS = "chunk_documents.npy"
CHUNK_KEYS = "chunk_keys.npy"
# The record's field holding its sentences' search terms: a line a sentence, terms separated by spaces.
SENTENCE_TERMS = "sentence_terms"
# Passages kept parsed: a search reads about a hundred, and the next question often the same ones.
CACHED = 4096


def chunk_key(chunk_id: str) -> int:
    """A passage's key: the first 63 bits of the blake2b hash of its id (a non-negative int64)."""
    return int.from_bytes(hashlib.blake2b(chunk_id.encode(), digest_size=8).digest(), "big") >> 1


def write_chunks(folder: Path, chunks: Iterable[Chunk], doc_ids: Sequence[str],
                 sentence_terms: Iterable[list[list[str]]] | None = None) -> None:
    """Write ``chunks`` and their offsets, documents and keys into the index folder ``folder``, source paths
    as the index records them; ``doc_ids`` are the manifest's documents in order; ``sentence_terms``: each
    chunk's sentences (``text.sentences``) analysed for search, stored with it so rescoring need not analyse
    them again.

    Raises:
        KeyError: a chunk of a document that is not in ``doc_ids``.
    """
    root = index_root(folder)
    position = {doc_id: number for number, doc_id in enumerate(doc_ids)}
    offsets, numbers, keys = [0], [], []
    terms_of = iter(sentence_terms) if sentence_terms is not None else None
    with (folder / CHUNKS).open("wb") as handle:
        for chunk in chunks:
            record = chunk.to_json()
            record["source_file"] = stored_path(chunk.source_file, root)
            if terms_of is not None:
                record[SENTENCE_TERMS] = "\n".join(" ".join(terms) for terms in next(terms_of))
            offsets.append(offsets[-1] + handle.write(json.dumps(record, ensure_ascii=False).encode() + b"\n"))
            numbers.append(position[chunk.doc_id])
            keys.append(chunk_key(chunk.chunk_id))
    np.save(folder / CHUNK_OFFSETS, np.asarray(offsets, np.int64), allow_pickle=False)
    np.save(folder / CHUNK_DOCUMENTS, np.asarray(numbers, np.int32), allow_pickle=False)
    np.save(folder / CHUNK_KEYS, np.asarray(keys, np.int64), allow_pickle=False)


def stored_terms(folder: Path) -> dict[str, list[str]]:
    """The search terms of every sentence the index folder ``folder`` stored analysed, by sentence.

    Raises:
        OSError, ValueError: ``chunks.jsonl`` cannot be read.
    """
    found: dict[str, list[str]] = {}
    with (folder / CHUNKS).open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts, terms = sentences(record.get("text") or ""), record.get(SENTENCE_TERMS)
            lines = terms.split("\n") if isinstance(terms, str) else []
            if len(lines) == len(texts):
                found.update(zip(texts, (line.split() for line in lines)))
    return found


class StoredChunks(Sequence[Chunk]):
    """The passages of an index folder, row i = chunk i, each read from ``chunks.jsonl`` when asked.

    Args:
        folder: the index folder.
        documents: the manifest's documents, in order: (doc_id, number of passages).

    Raises:
        ValueError: the offsets or documents do not fit the file or the manifest (the index is damaged).
        OSError: a file cannot be read.
    """

    def __init__(self, folder: Path, documents: Sequence[tuple[str, int]]) -> None:
        self._root = index_root(folder)
        self._offsets = np.load(folder / CHUNK_OFFSETS, allow_pickle=False)
        numbers = np.load(folder / CHUNK_DOCUMENTS, allow_pickle=False)
        size = (folder / CHUNKS).stat().st_size
        if (self._offsets.ndim != 1 or len(self._offsets) != len(numbers) + 1 or self._offsets[0] != 0
                or self._offsets[-1] != size or np.any(np.diff(self._offsets) <= 0)):
            raise ValueError(f"{CHUNK_OFFSETS} does not fit {CHUNKS} ({size} bytes)")
        if len(numbers) and (numbers.min() < 0 or numbers.max() >= len(documents)):
            raise ValueError(f"passages of document {int(numbers.max())} but no such document in the manifest")
        counts = np.bincount(numbers, minlength=len(documents))
        wrong = [doc_id for (doc_id, count), found in zip(documents, counts.tolist()) if count != found]
        if wrong:
            raise ValueError(f"the passages of {wrong[0]} are not those the manifest lists")
        self._number = {doc_id: number for number, (doc_id, _) in enumerate(documents)}
        self._numbers = numbers
        keys = np.load(folder / CHUNK_KEYS, allow_pickle=False)  # read now: an ingest may swap the folder away
        if len(keys) != len(numbers):
            raise ValueError(f"{CHUNK_KEYS} has {len(keys)} keys for {len(numbers)} passages")
        self._key_order = np.argsort(keys, kind="stable")
        self._keys = keys[self._key_order]
        self._descriptor = os.open(folder / CHUNKS, os.O_RDONLY)
        self._parsed = functools.lru_cache(maxsize=CACHED)(self._read)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, row: int) -> Chunk:  # type: ignore[override] - rows, not slices
        if not -len(self) <= row < len(self):
            raise IndexError(f"passage {row} of {len(self)}")
        return self._parsed(int(row) % len(self))[0]

    def analysed(self, row: int) -> list[tuple[frozenset[str], bool]] | None:
        """Passage ``row``'s sentences as sets of search terms, and whether each holds a figure; None for a
        passage stored without its terms."""
        chunk, terms = self._parsed(int(row))
        texts = sentences(chunk.text)
        lines = terms.split("\n") if terms is not None else []
        if len(lines) != len(texts):
            return None
        return [(frozenset(line.split()), has_figure(text)) for line, text in zip(lines, texts)]

    def __iter__(self) -> Iterator[Chunk]:
        for row in range(len(self)):
            yield self._read(row)[0]  # a whole pass leaves the cache to searches

    def rows_of(self, doc_ids: Sequence[str]) -> np.ndarray:
        """The rows of these documents' passages, ascending (documents the index lacks have none)."""
        chosen = np.zeros(len(self._number), bool)
        chosen[[self._number[doc_id] for doc_id in doc_ids if doc_id in self._number]] = True
        return self.rows_where(chosen)

    def rows_of_keys(self, keys: Sequence[int]) -> np.ndarray:
        """The row of each key (``chunk_key``), -1 for a key no passage of this index has."""
        wanted = np.asarray(keys, np.int64)
        at = np.minimum(np.searchsorted(self._keys, wanted), max(0, len(self._keys) - 1))
        found = (self._keys[at] == wanted) if len(self._keys) else np.zeros(len(wanted), bool)
        return np.where(found, self._key_order[at] if len(self._keys) else -1, -1)

    def rows_where(self, documents: np.ndarray) -> np.ndarray:
        """The rows of the documents marked True (a boolean array in manifest order), ascending."""
        return np.flatnonzero(documents[self._numbers])

    def _read(self, row: int) -> tuple[Chunk, str | None]:
        start, stop = int(self._offsets[row]), int(self._offsets[row + 1])
        record = json.loads(os.pread(self._descriptor, stop - start, start))
        chunk = Chunk.from_json({**record, "source_file": resolved_path(record["source_file"], self._root)})
        return chunk, record.get(SENTENCE_TERMS)

    def __del__(self) -> None:
        descriptor = getattr(self, "_descriptor", None)
        if descriptor is not None:
            os.close(descriptor)
