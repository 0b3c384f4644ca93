"""Dense search: a FAISS inner-product index over normalised embeddings.

Row i of the index is chunk i. The index type is a FAISS factory string (``Flat`` — exact — or
``HNSW32``, ``IVF1024,Flat``…), ``IVF`` for an inverted file sized to the collection, or ``auto``:
exact up to ``EXACT_UP_TO`` passages, then ``LARGE_TYPE``: chosen by ``eval/bench_scale.py``, where at a
million passages ``IVF4096,Flat`` (64 lists searched) found 0.99 of exact search's top 50 in 4.8 ms (p50) and
``HNSW32`` (efSearch 256) 0.84.
A filter is applied inside the search: a filter leaving few rows (a place and a year) is scored
exactly from the passage vectors, read from their file as needed; a wider one goes through the index
with an ID selector, so a filtered query still gets its k best rows.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.errors import InputError
from reportqa.indexing.store import StoredRows

AUTO = "auto"
EXACT_UP_TO = 50_000
LARGE_TYPE = "IVF"
# Search breadth of the approximate types: HNSW's candidate list and IVF's lists visited.
HNSW_EF_SEARCH = 256
HNSW_EF_CONSTRUCTION = 80
IVF_NPROBE = 64
TRAIN_PER_LIST = 64
TRAIN_MIN = 100_000  # other trained types (scalar quantisers) see at least this many
# Filters leaving at most this many rows are scored exactly, each row read from the vectors file
# (about 2 µs a row); through an inverted file, a filtered search visits lists enough to meet about
# IVF_FILTER_CANDIDATES allowed rows (at 100,000 passages a year's filter found 0.87 of the exact top 50
# with the unfiltered 64 lists).
EXACT_FILTER_ROWS = 5_000
IVF_FILTER_CANDIDATES = 4_000


def resolve_type(index_type: str, rows: int) -> str:
    """The FAISS factory string for ``index_type`` on ``rows`` vectors (``auto`` and ``IVF`` sized here)."""
    if index_type == AUTO:
        index_type = "Flat" if rows <= EXACT_UP_TO else LARGE_TYPE
    if index_type == "IVF":
        # about 4·√n lists (a power of two), each trained on at least 39 vectors as FAISS asks
        lists = 2 ** round(math.log2(max(1.0, 4 * math.sqrt(rows))))
        index_type = f"IVF{max(1, min(lists, rows // 39))},Flat"
    return index_type


class DenseIndex:
    """A FAISS index, and the passage vectors it was built from when they are at hand."""

    def __init__(self, index: Any, vectors: np.ndarray | StoredRows | None = None, description: str = "") -> None:
        self._index = index
        self._vectors = vectors
        self.description = description

    @classmethod
    def build(cls, vectors: np.ndarray, index_type: str = "Flat") -> DenseIndex:
        """Index ``vectors`` (n × d, L2-normalised float32), training first if the type needs it.

        Raises:
            InputError: the index type is unknown or cannot be trained on so few vectors.
        """
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        chosen = resolve_type(index_type, len(vectors))
        try:
            index = faiss.index_factory(vectors.shape[1], chosen, faiss.METRIC_INNER_PRODUCT)
            _tune(index, building=True)
            if not index.is_trained:  # k-means on a sample: FAISS asks 39 to 256 vectors a list
                size = max(TRAIN_MIN, TRAIN_PER_LIST * _lists(index))
                index.train(vectors[np.sort(np.random.default_rng(0).permutation(len(vectors))[:size])])
        except RuntimeError as error:
            raise InputError(f"FAISS index type {chosen!r} failed on {len(vectors)} vectors: "
                             f"{str(error).splitlines()[0]}; use 'Flat' or 'auto' (REPORTQA_FAISS_INDEX)") from error
        index.add(vectors)
        _tune(index)
        return cls(index, vectors, chosen)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, vectors: np.ndarray | StoredRows | None = None) -> DenseIndex:
        """The index at ``path``; ``vectors`` (its rows, read when needed) let small filters be scored exactly."""
        import faiss

        try:  # an inverted file's lists stay on disk, paged in as searched; read whole, a file is held twice
            index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        except RuntimeError:  # a type FAISS cannot map
            index = faiss.read_index(str(path))
        _tune(index)
        return cls(index, vectors, type(index).__name__)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The k best rows for one query vector, optionally among ``allowed`` row ids.

        Returns:
            (rows, scores), best first; fewer than k when fewer rows are allowed.
        """
        import faiss

        query = np.asarray(query, np.float32).reshape(-1)
        k = min(k, len(self))
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return np.zeros(0, np.int64), np.zeros(0, np.float32)
            allowed = np.asarray(allowed, dtype=np.int64)
            if self._vectors is not None and len(allowed) <= EXACT_FILTER_ROWS:
                return _exact(self._vectors, query, k, allowed)
            selector = faiss.IDSelectorBatch(allowed)
            is_ivf = faiss.try_extract_index_ivf(self._index) is not None
            params = (faiss.SearchParametersIVF(sel=selector, nprobe=_widened(self._index, len(allowed))) if is_ivf
                      else faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
                      if isinstance(self._index, faiss.IndexHNSW) else faiss.SearchParameters(sel=selector))
        scores, rows = self._index.search(query.reshape(1, -1), k, params=params)
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]


def _widened(index: Any, allowed: int) -> int:
    """Lists an inverted file visits for a filter keeping ``allowed`` of its rows: enough to meet about
    ``IVF_FILTER_CANDIDATES`` of them (never fewer than an unfiltered search visits)."""
    lists = _lists(index)
    return int(min(lists, max(IVF_NPROBE, math.ceil(IVF_FILTER_CANDIDATES * lists / max(1, allowed)))))


def _exact(vectors: np.ndarray | StoredRows, query: np.ndarray, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The k best of ``rows`` by inner product, computed directly."""
    rows = np.sort(rows)  # in file order
    scores = np.asarray(vectors[rows], dtype=np.float32) @ query
    k = min(k, len(rows))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return rows[top], scores[top]


def _lists(index: Any) -> int:
    """The inverted lists of an IVF index (1 for other types)."""
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    return int(ivf.nlist) if ivf is not None else 1


def _tune(index: Any, building: bool = False) -> None:
    """Search breadth of an approximate index (FAISS keeps neither setting in the file for every type)."""
    import faiss

    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
        if building:
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.nprobe = IVF_NPROBE
