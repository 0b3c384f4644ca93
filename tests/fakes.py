"""Test doubles: a deterministic embedder with real (if crude) similarity."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from reportqa.indexing.embedding import PromptConvention
from reportqa.places import PlaceNames
from reportqa.records import Chunk, Document, Hit
from reportqa.search.question import Understanding, understand


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



# The places of the bundled reports' kind: Shanghai districts (what a small test index holds).
SHANGHAI_DISTRICTS = ("嘉定区", "松江区", "青浦区", "闵行区", "普陀区", "虹口区", "金山区", "杨浦区", "徐汇区")


@lru_cache(maxsize=1)
def shanghai_names() -> PlaceNames:
    """The place names of an index of Shanghai district reports."""
    return PlaceNames(SHANGHAI_DISTRICTS)


def shanghai_understand(question: str, report_year: int | None = None) -> Understanding:
    """``understand`` with the place names of an index of Shanghai district reports."""
    return understand(question, report_year, shanghai_names())
