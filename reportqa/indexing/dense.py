"""Dense search: a FAISS inner-product index over normalised embeddings.

Row i of the index is chunk i. The index type is a FAISS factory string
(``Flat`` — exact, right for a few thousand passages — or ``HNSW32`` /
``IVF256,Flat`` for a large corpus). Filters are applied inside the search
with an ID selector, so a filtered query still gets its k best rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from reportqa.errors import InputError


class DenseIndex:
    """A FAISS index plus the factory string it was built from."""

    def __init__(self, index: Any) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray, index_type: str = "Flat") -> DenseIndex:
        """Index ``vectors`` (n × d, L2-normalised float32), training first if the type needs it.

        Raises:
            ValueError: the index type is unknown or cannot be trained on so few vectors.
        """
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        try:
            index = faiss.index_factory(vectors.shape[1], index_type, faiss.METRIC_INNER_PRODUCT)
            if not index.is_trained:
                index.train(vectors)
        except RuntimeError as error:
            raise InputError(f"FAISS index type {index_type!r} failed on {len(vectors)} vectors: "
                             f"{str(error).splitlines()[0]}; use 'Flat' (REPORTQA_FAISS_INDEX)") from error
        index.add(vectors)
        return cls(index)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        import faiss

        return cls(faiss.read_index(str(path)))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The k best rows for one query vector, optionally among ``allowed`` row ids.

        Returns:
            (rows, scores), best first; fewer than k when fewer rows are allowed.
        """
        import faiss

        k = min(k, len(self))
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return np.zeros(0, np.int64), np.zeros(0, np.float32)
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            is_ivf = faiss.try_extract_index_ivf(self._index) is not None
            params = (faiss.SearchParametersIVF if is_ivf else faiss.SearchParameters)(sel=selector)
        scores, rows = self._index.search(np.asarray(query, np.float32).reshape(1, -1), k, params=params)
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]
