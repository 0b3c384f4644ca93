"""The Milvus backend: dense and BM25 search in a Milvus collection, a Milvus Lite file or a server.

With ``REPORTQA_BACKEND=milvus`` every ingest mirrors the index's passages into one collection
(``REPORTQA_MILVUS_COLLECTION``) at ``REPORTQA_MILVUS_URI``: a file ending in ``.db`` is Milvus Lite,
embedded, nothing to start (default: ``<index folder>.milvus.db`` beside the index folder); an
``http://host:19530`` address is a Milvus server or cluster. A passage is one entity:

* ``key`` — the passage's key (``passages.chunk_key``), by which search finds its row in the index folder;
* ``vector`` — its passage vector, searched by inner product (``FLAT`` on Milvus Lite, ``AUTOINDEX`` on a
  server);
* ``text`` — what Milvus's own BM25 function indexes (``sparse``): with ``REPORTQA_MILVUS_ANALYSER=reportqa``
  (the default) the terms of the product's analyser (jieba with China's place names and the domain
  dictionary) separated by spaces, for Milvus's ``whitespace`` tokenizer, so both backends see the same
  terms; with ``jieba``, the passage itself for Milvus's built-in ``jieba`` tokenizer;
* ``doc_id``, ``place``, ``level``, ``year``, ``doc_type`` — the scalar fields filters use;
* ``content`` — a hash of all of the above, so an ingest upserts only what changed and deletes what went.

The index folder stays what it is with FAISS (passage records, sentence vectors for rescoring, BM25
statistics for it): Milvus replaces the two candidate searches, not the rest. Milvus Lite serves one
process at a time: with the app running, add reports from its library page, or use a server.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from reportqa.errors import IndexUnusable, InputError
from reportqa.indexing.lexical import BM25_B, BM25_K1, ReportAnalyser
from reportqa.text import search_form

BACKENDS = ("faiss", "milvus")
ANALYSERS = ("reportqa", "jieba")
BATCH = 1000
SCAN_BATCH = 10_000
TEXT_BYTES = 65_535
FIELDS = ("doc_id", "place", "level", "year", "doc_type")


def uri_of(settings: Any) -> str:
    """The Milvus URI: ``settings.milvus_uri``, else ``<index folder>.milvus.db`` beside the index folder (a
    Milvus Lite file's path made absolute)."""
    uri = settings.milvus_uri or os.path.normpath(settings.index_dir) + ".milvus.db"
    return os.path.abspath(uri) if uri.endswith(".db") else uri


def collection_of(settings: Any) -> str:
    """The collection: ``settings.milvus_collection``, else ``reportqa_<index folder name>``."""
    name = os.path.basename(os.path.normpath(os.path.abspath(settings.index_dir)))
    return settings.milvus_collection or "reportqa_" + re.sub(r"[^0-9A-Za-z_]", "_", name)


def check_backend(settings: Any) -> None:
    """Raises InputError naming the setting when the backend or analyser is not one this version has."""
    if settings.backend not in BACKENDS:
        raise InputError(f"REPORTQA_BACKEND={settings.backend!r}: use one of {', '.join(BACKENDS)}")
    if settings.milvus_analyser not in ANALYSERS:
        raise InputError(f"REPORTQA_MILVUS_ANALYSER={settings.milvus_analyser!r}: use one of {', '.join(ANALYSERS)}")


def opened_milvus(settings: Any, passages: int) -> MilvusCollection | None:
    """The collection searches use with the ``milvus`` backend (None with ``faiss``).

    Raises:
        IndexUnusable: it does not mirror the index (another count of passages, another analyser): the
            message gives the ingest that fills it.
    """
    check_backend(settings)
    if settings.backend != "milvus":
        return None
    collection = MilvusCollection(settings)
    count, made = collection.count(), collection.described()
    if count != passages or made.get("analyser") != settings.milvus_analyser:
        raise IndexUnusable(
            f"the Milvus collection {collection.name} at {collection.uri} holds {count} passages "
            f"({made.get('analyser') or 'no'} analyser), the index at {settings.index_dir} {passages} "
            f"({settings.milvus_analyser}): run `python ingest.py --index {settings.index_dir}` with "
            "REPORTQA_BACKEND=milvus to fill it")
    return collection


def mirror(settings: Any, chunks: Sequence[Any], documents: Sequence[Any], vectors: np.ndarray) -> tuple[int, int]:
    """Mirror an index's passages into its Milvus collection (``sync``); (upserted, deleted)."""
    from reportqa.indexing.passages import chunk_key

    by_id = {document.doc_id: document for document in documents}
    fields = [{"doc_id": chunk.doc_id, "place": by_id[chunk.doc_id].issuing_place or "",
               "level": by_id[chunk.doc_id].place_level or "", "year": int(by_id[chunk.doc_id].year or 0),
               "doc_type": by_id[chunk.doc_id].doc_type or ""} for chunk in chunks]
    return MilvusCollection(settings).sync([chunk_key(chunk.chunk_id) for chunk in chunks],
                                           [chunk.index_text for chunk in chunks], vectors, fields)


class MilvusCollection:
    """One collection of passages at one Milvus URI (see the module's docstring).

    Raises:
        IndexUnusable: Milvus cannot be reached or opened, naming the URI and what to do.
    """

    def __init__(self, settings: Any) -> None:
        check_backend(settings)
        self.uri, self.name, self.analyser = uri_of(settings), collection_of(settings), settings.milvus_analyser
        self._lite = self.uri.endswith(".db")
        logging.getLogger("pymilvus").setLevel(logging.CRITICAL)  # it logs every failed call with a traceback
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
            try:
                self._client = _client(self.uri, settings.milvus_token)
            except Exception as error:  # noqa: BLE001 - pymilvus raises its own exceptions for every cause
                held = " (Milvus Lite serves one process: stop the other one, or use a Milvus server)" if self._lite else ""
                raise IndexUnusable(f"cannot open Milvus at {self.uri}{held}: {str(error)[:200]}; set "
                                    "REPORTQA_MILVUS_URI, or REPORTQA_BACKEND=faiss") from error
        self._terms: ReportAnalyser | None = None

    def count(self) -> int:
        """Passages in the collection (0 when it does not exist)."""
        if not self._client.has_collection(self.name):
            return 0
        return int(self._client.query(self.name, filter="", output_fields=["count(*)"])[0]["count(*)"])

    def described(self) -> dict[str, Any]:
        """What the collection was made for (its analyser and dimension), {} when there is none."""
        if not self._client.has_collection(self.name):
            return {}
        try:
            return json.loads(self._client.describe_collection(self.name).get("description") or "{}")
        except ValueError:
            return {}

    def sync(self, keys: Sequence[int], texts: Sequence[str], vectors: np.ndarray,
             fields: Sequence[dict[str, Any]]) -> tuple[int, int]:
        """Make the collection hold exactly these passages: upsert the new and changed, delete the rest.

        Args:
            keys: each passage's key; texts: its ``index_text``; vectors: its vector (row i = passage i);
            fields: its document's ``FIELDS``.

        Returns:
            (passages upserted, passages deleted).
        """
        wanted = {"analyser": self.analyser, "dimension": int(vectors.shape[1])}
        if self.described() != wanted:
            self._create(wanted)
        stored = self._stored_texts(texts)
        contents = [_content(text, field, vector) for text, field, vector in zip(stored, fields, vectors)]
        existing = self._contents()
        wanted_keys = set(map(int, keys))
        gone = [key for key in existing if key not in wanted_keys]
        changed = [i for i, key in enumerate(keys) if existing.get(int(key)) != contents[i]]
        for start in range(0, len(gone), BATCH):
            self._client.delete(self.name, ids=gone[start:start + BATCH])
        for start in range(0, len(changed), BATCH):
            self._client.upsert(self.name, [
                {"key": int(keys[i]), "vector": vectors[i].astype(np.float32).tolist(), "text": stored[i],
                 "content": contents[i], **fields[i]} for i in changed[start:start + BATCH]])
        if changed or gone:
            self._client.flush(self.name)
        return len(changed), len(gone)

    def dense(self, vector: np.ndarray, depth: int, expression: str) -> tuple[np.ndarray, np.ndarray]:
        """Keys and inner products of the ``depth`` nearest passages passing ``expression``."""
        return self._search([np.asarray(vector, np.float32).tolist()], "vector", depth, expression,
                            {"metric_type": "IP"})

    def lexical(self, query: str, depth: int, expression: str) -> tuple[np.ndarray, np.ndarray]:
        """Keys and BM25 scores of the ``depth`` best passages for ``query`` passing ``expression``."""
        text = self._stored_texts([query])[0]
        if not text.strip():
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        return self._search([text], "sparse", depth, expression,
                            {"metric_type": "BM25", "params": {"drop_ratio_search": 0.0}})

    def _search(self, data: list, field: str, depth: int, expression: str,
                parameters: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        hits = self._client.search(self.name, data=data, anns_field=field, filter=expression, limit=depth,
                                   output_fields=["key"], search_params=parameters)[0]
        return (np.asarray([hit["id"] for hit in hits], np.int64),
                np.asarray([hit["distance"] for hit in hits], np.float32))

    def _stored_texts(self, texts: Sequence[str]) -> list[str]:
        """What the ``text`` field holds for these texts (passages or a query)."""
        if self.analyser == "jieba":
            return [_clipped(search_form(text)) for text in texts]
        self._terms = self._terms or ReportAnalyser()
        return [_clipped(" ".join(self._terms(text))) for text in texts]

    def _contents(self) -> dict[int, str]:
        """The content hash of every passage in the collection, by key."""
        iterator = self._client.query_iterator(self.name, batch_size=SCAN_BATCH, filter="key >= 0",
                                               output_fields=["content"])
        contents: dict[int, str] = {}
        try:
            while batch := iterator.next():
                contents.update((int(row["key"]), row["content"]) for row in batch)
        finally:
            iterator.close()
        return contents

    def _create(self, description: dict[str, Any]) -> None:
        from pymilvus import DataType, Function, FunctionType

        if self._client.has_collection(self.name):
            self._client.drop_collection(self.name)
        schema = self._client.create_schema(auto_id=False, enable_dynamic_field=False,
                                            description=json.dumps(description))
        schema.add_field("key", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=description["dimension"])
        tokenizer = "whitespace" if self.analyser == "reportqa" else "jieba"
        schema.add_field("text", DataType.VARCHAR, max_length=TEXT_BYTES, enable_analyzer=True,
                         analyzer_params={"tokenizer": tokenizer})
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        for name in (*FIELDS, "content"):
            if name == "year":
                schema.add_field(name, DataType.INT64)
            else:
                schema.add_field(name, DataType.VARCHAR, max_length=512)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                     output_field_names=["sparse"]))
        indexes = self._client.prepare_index_params()
        indexes.add_index(field_name="vector", index_type="FLAT" if self._lite else "AUTOINDEX", metric_type="IP")
        indexes.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                          params={"bm25_k1": BM25_K1, "bm25_b": BM25_B})
        self._client.create_collection(self.name, schema=schema, index_params=indexes)



# One client per Milvus in a process, never closed: clients of one URI share a connection, which
# closing any of them would close for all (an ingest in the app's process would cut off its searches).
_CLIENTS: dict[tuple[str, str], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def _client(uri: str, token: str) -> Any:
    from pymilvus import MilvusClient

    with _CLIENTS_LOCK:
        if (uri, token) not in _CLIENTS:
            if uri.endswith(".db"):
                os.makedirs(os.path.dirname(uri), exist_ok=True)
            _CLIENTS[uri, token] = MilvusClient(uri, token=token)
        return _CLIENTS[uri, token]


def _content(text: str, fields: dict[str, Any], vector: np.ndarray) -> str:
    described = json.dumps([text, fields], ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(described + np.asarray(vector, np.float32).tobytes()).hexdigest()[:32]


def _clipped(text: str) -> str:
    """``text`` cut to the field's byte limit, at a character boundary."""
    data = text.encode()
    return text if len(data) <= TEXT_BYTES else data[:TEXT_BYTES].decode(errors="ignore")
