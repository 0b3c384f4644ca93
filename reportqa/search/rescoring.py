"""Rescoring the head of a fused list on sentences: the best window decides.

A passage of 400 characters that mentions a question's topic in its section
heading and intro ranks as high as the one whose single sentence states the
figure. Looking at each passage sentence by sentence separates them:

* **lexical coverage** — the share of the question's content terms (IDF
  weighted; place names and years left out, since filters carry them) that
  one sentence of the passage holds; for a question that asks for a figure, a
  sentence without a number counts for less;
* **dense match** — the best cosine between the question and one sentence of
  the passage, with sentence vectors embedded at index time.

Each feature ranks the fused top ``rescore_depth`` passages, and the three
rankings (fused order, coverage, dense) are combined by reciprocal-rank fusion.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reportqa.search.fusion import reciprocal_rank_fusion
from reportqa.text import YEAR_MENTION, has_figure, sentences

# Passages whose analysed sentences are kept (a question rescores about 30).
TERMS_CACHED = 4096
# How much a sentence without any digit counts when the question wants a figure.
NUMBERLESS_FACTOR = 0.7


@dataclass(frozen=True)
class WindowMatch:
    """How well a passage's best sentences match a question.

    Attributes:
        coverage: IDF-weighted share of the question's content terms in the
            best sentence, 0–1 (before the numberless discount).
        dense: best cosine between the question and one sentence.
    """

    coverage: float
    dense: float


class Rescorer:
    """Window features over an index's passages.

    Args:
        text_of: the text of passage ``row`` (read when a passage is rescored).
        analysed_of: passage ``row``'s sentences as the index stored them analysed (``StoredChunks.analysed``),
            None where it has not.
        analyser: text → terms (the BM25 analyser).
        idf: term → inverse document frequency.
        sentence_vectors: one row per sentence of every passage, in order (an array, or
            ``store.StoredRows`` read a passage's rows at a time).
        offsets: ``store.sentence_offsets`` of the passage texts.
    """

    def __init__(self, text_of: Callable[[int], str], analyser: Callable[[str], list[str]], idf: Callable[[str], float],
                 sentence_vectors: Any, offsets: np.ndarray, place_terms: Iterable[str] = (),
                 analysed_of: Callable[[int], list[tuple[frozenset[str], bool]] | None] | None = None) -> None:
        self._text_of = text_of
        self._analysed_of = analysed_of
        self._analyser = analyser
        self._idf = idf
        self._vectors = sentence_vectors
        self._offsets = offsets
        self._sentence_terms = functools.lru_cache(maxsize=TERMS_CACHED)(self._analysed)
        self._place_terms = frozenset(place_terms)

    def content_terms(self, query: str) -> list[str]:
        """The query's terms without place names and years (filters carry those)."""
        terms = dict.fromkeys(self._analyser(query))
        return [term for term in terms if term not in self._place_terms and not YEAR_MENTION.fullmatch(term)]

    def match(self, row: int, terms: Sequence[str], query_vector: np.ndarray, want_figure: bool = False) -> WindowMatch:
        return WindowMatch(self.coverage(row, terms, want_figure), self.dense(row, query_vector))

    def coverage(self, row: int, terms: Sequence[str], want_figure: bool = False) -> float:
        """The best sentence's IDF-weighted share of ``terms`` (discounted without a number if wanted)."""
        weights = {term: self._idf(term) for term in terms}
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        best = 0.0
        for words, has_number in self._sentence_terms(row):
            share = sum(weight for term, weight in weights.items() if term in words) / total
            if want_figure and not has_number:
                share *= NUMBERLESS_FACTOR
            best = max(best, share)
        return best

    def dense(self, row: int, query_vector: np.ndarray) -> float:
        """The best cosine between the query and one sentence of passage ``row``."""
        block = self._vectors[self._offsets[row]:self._offsets[row + 1]]
        return float((np.asarray(block, np.float32) @ query_vector).max()) if len(block) else 0.0

    def rerank(self, rows: Sequence[int], query: str, query_vector: np.ndarray, weights: Sequence[float],
               want_figure: bool = False, k: float = 60.0) -> list[tuple[int, float, WindowMatch]]:
        """Rows (best first) fused from their given order, coverage and dense ranks.

        Args:
            rows: candidate rows, best first (the fused order).
            weights: RRF weights of (given order, coverage, dense).
            want_figure: the question asks for a number.
        """
        terms = self.content_terms(query)
        matches = {row: self.match(row, terms, query_vector, want_figure) for row in rows}
        by_coverage = sorted(rows, key=lambda row: -matches[row].coverage)
        by_dense = sorted(rows, key=lambda row: -matches[row].dense)
        fused = reciprocal_rank_fusion([list(rows), by_coverage, by_dense], weights, k)
        return [(row, score, matches[row]) for row, score in fused]

    def _analysed(self, row: int) -> list[tuple[frozenset[str], bool]]:
        """Passage ``row``'s sentences as sets of terms, and whether each holds a figure (as the index stored
        them, else analysed now: at a million passages the head of every search is new, and analysing its
        sentences took two thirds of the search)."""
        stored = self._analysed_of(row) if self._analysed_of else None
        if stored is not None:
            return stored
        return [(frozenset(self._analyser(sentence)), has_figure(sentence)) for sentence in sentences(self._text_of(row))]
