"""Lexical search: one jieba analyser for passages and queries, BM25 on disk.

``ReportAnalyser`` normalises text the way the index does (``search_form``),
cuts it with jieba's search mode (compound words and their parts, so 嘉定区
also yields 嘉定), lower-cases Latin letters and drops punctuation and stop
words. A domain dictionary (``data/userdict.txt`` plus every place name of China
in full and short form) keeps terms like 十四五 and 一网通办 whole. The same analyser is
used at index and query time, and its fingerprint is stored in the manifest.

``LexicalIndex`` is a bm25s index saved as JSON + ``.npy`` (no pickle), loaded
in milliseconds with its arrays memory-mapped, and never rebuilt per query.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.places import place_words
from reportqa.text import search_form

BM25_K1 = 1.2
# The jieba frequency a place name gets at least, so 嘉定 stays whole beside 嘉定区.
PLACE_WORD_FREQUENCY = 5000
BM25_B = 0.75
_DATA = resources.files("reportqa") / "data"


@functools.lru_cache(maxsize=4)
def _data_lines(name: str) -> tuple[str, ...]:
    text = (_DATA / name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _is_word(token: str) -> bool:
    return any(unicodedata.category(char)[0] in "LN" for char in token)


class ReportAnalyser:
    """Text → BM25 terms. Cheap to construct; jieba's dictionary loads on first use."""

    def __init__(self) -> None:
        self._user_words = _data_lines("userdict.txt")
        self._stopwords = frozenset(_data_lines("stopwords.txt"))
        self._place_words = place_words()

    def fingerprint(self) -> dict[str, Any]:
        """What must match between the index and the query analyser."""
        jieba = jieba_module()
        content = "\n".join([*self._user_words, *sorted(self._stopwords), *self._place_words,
                             f"place words: at least {PLACE_WORD_FREQUENCY}, never below jieba's own"])
        return {"analyser": "jieba cut_for_search", "jieba": jieba.__version__,
                "dictionary_sha256": hashlib.sha256(content.encode()).hexdigest()}

    def made(self, manifest: dict[str, Any]) -> bool:
        """Whether this analyser (its dictionary) made the index of ``manifest``."""
        return manifest.get("lexical", {}).get("dictionary_sha256") == self.fingerprint()["dictionary_sha256"]

    def __call__(self, text: str) -> list[str]:
        tokens = (token.strip().lower() for token in self._jieba.cut_for_search(search_form(text)))
        return [token for token in tokens if token and _is_word(token) and token not in self._stopwords]

    def words(self, text: str) -> list[str]:
        """The words of ``text`` (jieba's precise cut, no parts of compounds), stop words left out."""
        tokens = (token.strip().lower() for token in self._jieba.cut(search_form(text)))
        return [token for token in tokens if token and _is_word(token) and token not in self._stopwords]

    def nouns(self, text: str) -> list[str]:
        """The common nouns of ``text`` (jieba's part-of-speech tags; names of places and people left out)."""
        tagger = _tagger(self._user_words, self._place_words)
        return [pair.word.lower() for pair in tagger.cut(search_form(text))
                if pair.flag in ("n", "nz", "nt", "vn", "an", "eng", "ng", "l", "j") and pair.word not in self._stopwords]

    def knows(self, word: str) -> bool:
        """Whether ``word`` is in the dictionary (a word jieba pieced together from unknown characters,
        often a name such as 升翕光电, is not)."""
        return self._jieba.FREQ.get(word, 0) > 0

    @property
    def _jieba(self) -> Any:
        return _jieba_tokenizer(self._user_words, self._place_words)


def jieba_module() -> Any:
    """jieba, with its part-of-speech tagger, imported without the warning it raises where setuptools
    still has ``pkg_resources`` (which Milvus Lite needs)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        import jieba
        import jieba.posseg  # noqa: F401 - jieba.posseg, for _tagger
    return jieba


@functools.lru_cache(maxsize=2)
def _jieba_tokenizer(user_words: tuple[str, ...], place_names: tuple[str, ...]) -> Any:
    """A jieba tokenizer with the domain words added (built once per process: ~1 s)."""
    jieba = jieba_module()
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for line in user_words:
        word, *rest = line.split()
        tokenizer.add_word(word, int(rest[0]) if rest else None, rest[1] if len(rest) > 1 else None)
    tokenizer.initialize()
    for word in place_names:  # kept whole, never made rarer than jieba has it (和平 stays 7998)
        tokenizer.add_word(word, max(PLACE_WORD_FREQUENCY, tokenizer.FREQ.get(word) or 0), "ns")
    return tokenizer


@functools.lru_cache(maxsize=2)
def _tagger(user_words: tuple[str, ...], place_names: tuple[str, ...]) -> Any:
    """A part-of-speech tagger over its own copy of the tokenizer (tagging must not change how passages
    and questions are cut for search)."""
    return jieba_module().posseg.POSTokenizer(_jieba_tokenizer.__wrapped__(user_words, place_names))


class LexicalIndex:
    """BM25 over analysed passages; row i is chunk i."""

    def __init__(self, bm25: Any) -> None:
        self._bm25 = bm25

    @classmethod
    def build(cls, token_lists: Iterable[list[str]]) -> LexicalIndex:
        """BM25 over analysed passages, row i the i-th list. Each list becomes an array of term ids as it is
        read: a million passages' terms held as Python strings would take gigabytes."""
        vocabulary: dict[str, int] = {}
        ids = [np.asarray([vocabulary.setdefault(token, len(vocabulary)) for token in tokens or [""]], np.int32)
               for tokens in token_lists]
        return cls.from_ids(ids, vocabulary)

    @classmethod
    def from_ids(cls, token_ids: Sequence[np.ndarray], vocabulary: dict[str, int]) -> LexicalIndex:
        """BM25 over passages given as arrays of term ids (``vocabulary``: term → id, ids 0…n-1): the same
        index as ``build`` of the terms, without a Python list of strings per passage (at a million passages,
        gigabytes)."""
        import bm25s

        bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        bm25.index((token_ids, dict(vocabulary)), show_progress=False)
        return cls(bm25)

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        # memory-mapped: a query reads the postings of its terms, not the whole index
        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, show_progress=False, mmap=True))

    def __len__(self) -> int:
        return int(self._bm25.scores["num_docs"])

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of ``term``; 0 for a term no passage has (it can match nothing)."""
        position = self._bm25.vocab_dict.get(term)
        indptr = self._bm25.scores["indptr"]
        if position is None or position + 1 >= len(indptr) or indptr[position + 1] == indptr[position]:
            return 0.0
        frequency = int(indptr[position + 1] - indptr[position])
        return math.log(1 + (len(self) - frequency + 0.5) / (frequency + 0.5))

    def rows_with(self, term: str) -> np.ndarray:
        """The rows whose passage holds ``term`` (empty for a term no passage has)."""
        position = self._bm25.vocab_dict.get(term)
        indptr = self._bm25.scores["indptr"]
        if position is None or position + 1 >= len(indptr):
            return np.zeros(0, np.int64)
        return np.asarray(self._bm25.scores["indices"][indptr[position]:indptr[position + 1]], dtype=np.int64)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every row for the query terms (0 for unknown terms; a repeated term counts again).

        bm25s's own ``get_scores`` adds each term's postings with ``np.add.at``, 10 ms for a common term at a
        million passages; a term's postings name each passage once, so a plain indexed add is the same sum.
        """
        scores = np.zeros(len(self), np.float32)
        vocabulary, matrix = self._bm25.vocab_dict, self._bm25.scores
        for term in query_tokens:
            position = vocabulary.get(term)
            if position is not None:
                start, stop = matrix["indptr"][position], matrix["indptr"][position + 1]
                scores[matrix["indices"][start:stop]] += matrix["data"][start:stop]
        return scores

    def scores_among(self, query_tokens: list[str], rows: np.ndarray) -> np.ndarray:
        """``scores(query_tokens)[rows]`` for ascending ``rows``, found in each term's postings (which are
        ascending) by binary search: for a filter leaving a few hundred rows, without touching the rest."""
        scores = np.zeros(len(rows), np.float32)
        vocabulary, matrix = self._bm25.vocab_dict, self._bm25.scores
        for term in query_tokens:
            position = vocabulary.get(term)
            if position is None:
                continue
            start, stop = matrix["indptr"][position], matrix["indptr"][position + 1]
            postings = matrix["indices"][start:stop]
            if not len(postings):
                continue
            at = np.minimum(np.searchsorted(postings, rows), len(postings) - 1)
            held = postings[at] == rows
            scores[held] += matrix["data"][start:stop][at[held]]
        return scores
