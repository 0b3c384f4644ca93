"""Test doubles: a deterministic embedder with real (if crude) similarity."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import numpy as np

from reportqa.indexing.embedding import PromptConvention
from reportqa.records import Chunk, Document, Hit


class BigramEmbedder:
    """Hashes character bigrams into a small normalised vector.

    Texts that share bigrams are close, so searches behave sensibly; every call
    is counted so tests can assert what was (not) embedded.
    """

    name = "fake-bigram"

    def __init__(self, dimension: int = 64) -> None:
        self._dimension = dimension
        self.embedded_passages: list[str] = []
        self.loads = 0

    def prompts(self) -> PromptConvention:
        return PromptConvention("query: ", "passage: ")

    def dimension(self) -> int:
        return self._dimension

    def load(self) -> None:
        self.loads += 1

    def embed_passages(self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        self.embedded_passages.extend(texts)
        if on_batch:
            on_batch(len(texts))
        return self._vectors(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors(texts)

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self._dimension), np.float32)
        for row, text in enumerate(texts):
            for start in range(len(text) - 1):
                vectors[row, zlib.crc32(text[start:start + 2].encode()) % self._dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)


def make_hit(text: str, district: str = "嘉定区", year: int = 2021, period: str | None = "2020", n: int = 0,
             rank: int | None = None) -> Hit:
    """A retrieved passage of a one-chunk 政府工作报告 of ``district`` and ``year``."""
    chunk = Chunk(f"c{n}", "d", ("一、",), text, "f.txt", 0, len(text), period)
    document = Document("d", f"{year}年{district}政府工作报告", district, year, "政府工作报告", "f.txt", 0, len(text))
    return Hit(n + 1 if rank is None else rank, 0.0, chunk, document)
