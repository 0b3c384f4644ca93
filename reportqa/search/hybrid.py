"""Hybrid search over an index folder: dense + BM25, filtered, fused by RRF, rescored.

``SearchIndex.open`` checks the index against the settings (format, embedding
model, analyser) and loads it; the embedding model loads once, on the first
query or on ``warm_up()``. ``search`` fuses the dense and BM25 lists, then
rescores the head of the fused list sentence by sentence
(``reportqa.search.rescoring``), and returns ``Hit`` records that carry the passage,
its document's metadata and its exact place in the source file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.errors import IndexUnusable, InputError
from reportqa.indexing import store
from reportqa.indexing.build import check_compatible
from reportqa.indexing.dense import EXACT_FILTER_ROWS, DenseIndex
from reportqa.indexing.embedding import Embedder, make_embedder
from reportqa.indexing.lexical import LexicalIndex, ReportAnalyser
from reportqa.indexing.milvus import MilvusCollection, opened_milvus
from reportqa.indexing.passages import StoredChunks
from reportqa.indexing.writing import locate
from reportqa.ingest.metadata import REPORT
from reportqa.places import PlaceNames
from reportqa.records import Document, Hit
from reportqa.search.filters import DocumentTable, SearchFilters, milvus_expression
from reportqa.search.fusion import reciprocal_rank_fusion
from reportqa.search.question import expansions_for
from reportqa.search.rescoring import Rescorer, WindowMatch
from reportqa.settings import Settings


class SearchIndex:
    """A loaded index, ready to search. Construct with ``open``."""

    def __init__(self, settings: Settings, manifest: dict[str, Any], chunks: StoredChunks, dense: DenseIndex,
                 lexical: LexicalIndex, embedder: Embedder, sentence_vectors: store.StoredRows,
                 sentence_offsets: np.ndarray, milvus: MilvusCollection | None = None) -> None:
        self.settings = settings
        self.manifest = manifest
        self.chunks = chunks
        hashes = {source["path"]: source.get("sha256") for source in manifest["sources"]}
        self.documents = {record["doc_id"]: replace(Document.from_json(record),
                                                    source_sha256=hashes.get(record["source_file"]))
                          for record in manifest["documents"]}
        self._places = tuple(sorted({d.issuing_place for d in self.documents.values() if d.issuing_place}))
        self.place_names = PlaceNames(self._places)
        self._years = frozenset(d.year for d in self.documents.values() if d.year)
        self._table = DocumentTable(list(self.documents.values()))  # in manifest order, as chunks number them
        self._dense = dense
        self._lexical = lexical
        self._milvus = milvus
        self._embedder = embedder
        self._analyser = ReportAnalyser()
        self._rescorer = Rescorer(lambda row: chunks[row].text, self._analyser, lexical.idf, sentence_vectors,
                                  sentence_offsets, self.place_names.nearby_forms(), chunks.analysed)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> SearchIndex:
        """Load the index in ``settings.index_dir`` (its newest complete copy while an ingest swaps it in).

        Raises:
            IndexUnusable: missing, of another format or model, or damaged;
                the message says which command fixes it.
        """
        for attempt in range(3):
            folder = locate(settings.index_dir)
            try:
                return cls._load(settings, folder, embedder)
            except IndexUnusable:
                # An ingest swapped the folder away while it was read: read the new one.
                if attempt == 2 or locate(settings.index_dir) == folder and folder.exists():
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def _load(cls, settings: Settings, index_dir: Path, embedder: Embedder | None) -> SearchIndex:
        manifest = store.read_manifest(index_dir)
        check_compatible(manifest, settings, settings.index_dir)
        if not ReportAnalyser().made(manifest):
            raise IndexUnusable(f"the BM25 index at {settings.index_dir} was built with another dictionary: "
                                f"run `python ingest.py --index {settings.index_dir}` to rebuild it")
        store.check_files(index_dir, manifest)
        try:
            chunks = StoredChunks(index_dir, [(record.get("doc_id"), record.get("n_chunks"))
                                              for record in manifest["documents"]])
            # Read when needed: only the rows of a narrowly filtered search (see DenseIndex.search).
            dense = DenseIndex.load(index_dir / store.DENSE, store.stored_rows(index_dir, store.EMBEDDINGS))
            lexical = LexicalIndex.load(index_dir / store.LEXICAL)
        except Exception as error:  # noqa: BLE001 - FAISS and bm25s raise RuntimeError, OSError, KeyError…
            raise store.damaged(settings.index_dir, f"{type(error).__name__}: {str(error)[:200]}") from error
        offsets = store.read_array(index_dir, store.SENTENCE_OFFSETS)
        sentence_vectors = store.stored_rows(index_dir, store.SENTENCES)  # rescoring reads a few rows
        if (not len(chunks) == len(dense) == len(lexical) == manifest["counts"]["chunks"] or offsets is None
                or sentence_vectors is None or not _fits(offsets, len(chunks), len(sentence_vectors))):
            raise store.damaged(settings.index_dir, f"{len(chunks)} chunks, {len(dense)} vectors, {len(lexical)} "
                                "BM25 rows, or sentence vectors that do not match the passages")
        return cls(settings, manifest, chunks, dense, lexical, embedder or make_embedder(settings),
                   sentence_vectors, offsets, opened_milvus(settings, len(chunks)))

    @property
    def embedder(self) -> Embedder:
        """The model that embeds this index's queries (shared with an ingest that updates it)."""
        return self._embedder

    def warm_up(self) -> None:
        """Load the embedding model and the tokenizer dictionary now."""
        self._embedder.embed_queries(["预热"])
        self._analyser("预热")

    def places(self) -> list[str]:
        """The issuing places of the indexed documents (full names)."""
        return list(self._places)

    def years(self) -> frozenset[int]:
        """The report years of the indexed documents."""
        return self._years

    def terms_only_elsewhere(self, question: str, place: str) -> list[str]:
        """The question's terms (two characters or more) that passages of other places hold and none of
        ``place``'s reports does, a term counting as held when one of its synonyms is (GDP, 地区生产总值):
        佘山度假区 names something local where the nation's reports are searched."""
        own = np.zeros(len(self.chunks), bool)
        own[self.allowed_rows(SearchFilters(place=place))] = True
        elsewhere: list[str] = []
        for term in self._rescorer.content_terms(question):
            rows = self._lexical.rows_with(term)
            if len(term) < 2 or not len(rows) or own[rows].any():
                continue
            synonyms = [word for spelling in expansions_for(term) for word in self._analyser(spelling)]
            if not any(own[self._lexical.rows_with(word)].any() for word in synonyms):
                elsewhere.append(term)
        return elsewhere

    def work_report_years(self, place: str) -> frozenset[int]:
        """The years of the indexed government work reports of one place (full name)."""
        return frozenset(d.year for d in self.documents.values()
                         if d.year and d.doc_type == REPORT and d.issuing_place == place)

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None,
               prefer_periods: tuple[str, ...] = (), want_figure: bool = False) -> list[Hit]:
        """The k best passages for ``query``.

        Args:
            query: the search text.
            k: how many passages to return.
            filters: restrict to documents of this place / year / type.
            prefer_periods: passages whose section speaks of one of these
                periods ("2020", "十三五") rank as if a third list had put them
                first, weighted by ``settings.period_weight``.
            want_figure: the question asks for a number; in rescoring, a
                sentence without one counts for less.

        Raises:
            InputError: an empty query, or a place the index holds no report of.
        """
        if not query.strip():
            raise InputError("the query is empty")
        filters = filters or SearchFilters()
        places = self._places_of(filters)  # an unknown place is refused before any work
        depth = max(k, self.settings.search_depth)
        query_vector = self._embedder.embed_queries([query])[0]
        if self._milvus is None:
            allowed = self._rows_passing(filters, places)
            dense_rows, dense_scores = self._dense.search(query_vector, depth, allowed)
            lexical_rows, lexical_scores = self._lexical_top(query, depth, allowed)
        else:
            dense_rows, dense_scores, lexical_rows, lexical_scores = self._milvus_top(
                query, query_vector, depth, milvus_expression(filters, places))
        candidates = dict.fromkeys([*dense_rows.tolist(), *lexical_rows.tolist()])
        preferred = [row for row in candidates if self.chunks[row].period in prefer_periods] if prefer_periods else []
        fused = reciprocal_rank_fusion(
            [dense_rows.tolist(), lexical_rows.tolist(), preferred],
            [self.settings.dense_weight, self.settings.lexical_weight, self.settings.period_weight if preferred else 0],
            self.settings.fusion_k, tied_ranks=(False, False, True))
        head = [row for row, _ in fused[:self.settings.rescore_depth]]
        matches: dict[int, WindowMatch] = {}
        if head:
            weights = (self.settings.rescore_fused_weight, self.settings.rescore_coverage_weight,
                       self.settings.rescore_sentence_weight)
            rescored = self._rescorer.rerank(head, query, query_vector, weights, want_figure, self.settings.fusion_k)
            matches = {row: match for row, _, match in rescored}
            fused = [(row, score) for row, score, _ in rescored] + fused[len(head):]
        dense_by_row = dict(zip(dense_rows.tolist(), dense_scores.tolist()))
        lexical_by_row = dict(zip(lexical_rows.tolist(), lexical_scores.tolist()))
        return [self._hit(rank, row, score, dense_by_row.get(row), lexical_by_row.get(row), matches.get(row))
                for rank, (row, score) in enumerate(fused[:k], start=1)]

    def allowed_rows(self, filters: SearchFilters) -> np.ndarray | None:
        """Row ids of the chunks whose documents pass ``filters``; None when unfiltered."""
        return self._rows_passing(filters, self._places_of(filters))

    def _rows_passing(self, filters: SearchFilters, places: set[str] | None) -> np.ndarray | None:
        return None if filters == SearchFilters() else self.chunks.rows_where(self._table.passing(filters, places))

    def _places_of(self, filters: SearchFilters) -> set[str] | None:
        """The full names of the places ``filters`` leave (None: any place)."""
        places = {self.canonical_place(filters.place)} if filters.place else None
        if filters.among:
            places = set(filters.among) if places is None else places & set(filters.among)
        return places

    def _milvus_top(self, query: str, query_vector: np.ndarray, depth: int,
                    expression: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The dense and BM25 candidates from Milvus, as rows of this index (passages it does not hold
        yet, or no longer, while an ingest mirrors a change, are left out)."""
        if expression is None or self._milvus is None:
            empty = np.zeros(0, np.int64)
            return empty, empty.astype(np.float32), empty, empty.astype(np.float32)
        found: list[np.ndarray] = []
        for keys, scores in (self._milvus.dense(query_vector, depth, expression),
                             self._milvus.lexical(query, depth, expression)):
            rows = self.chunks.rows_of_keys(keys)
            found += [rows[rows >= 0], scores[rows >= 0]]
        return found[0], found[1], found[2], found[3]

    def canonical_place(self, name: str) -> str:
        """The full name of an indexed place written in full or short form (嘉定 → 嘉定区).

        Raises:
            InputError: the index holds no report of that place.
        """
        if name in self._places:
            return name
        for place in self._places:
            if name in self.place_names.forms(place):
                return place
        raise InputError(f"unknown place {name!r}: the index holds reports of {'、'.join(self._places) or 'no place'}")

    def _lexical_top(self, query: str, depth: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        terms = self._analyser(query)
        if allowed is None:
            scores = self._lexical.scores(terms)
            rows = top_rows(scores, depth)
            rows = rows[scores[rows] > 0]
            return rows, scores[rows]
        if len(allowed) <= EXACT_FILTER_ROWS:  # a narrow filter: only its rows' postings are looked up
            scores = self._lexical.scores_among(terms, allowed)
        else:
            scores = self._lexical.scores(terms)[allowed]
        top = top_rows(scores, depth)
        top = top[scores[top] > 0]
        return allowed[top], scores[top]

    def _hit(self, rank: int, row: int, score: float, dense: float | None, lexical: float | None,
             match: WindowMatch | None) -> Hit:
        chunk = self.chunks[row]
        return Hit(rank, round(score, 6), chunk, self.documents[chunk.doc_id], _round(dense), _round(lexical),
                   _round(match.coverage) if match else None, _round(match.dense) if match else None)


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """The rows of the k highest scores, best first, ties in row order (a partial sort: a full one of a
    million scores takes 80 ms)."""
    if k < len(scores):
        threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
        rows = np.flatnonzero(scores >= threshold)
    else:
        rows = np.arange(len(scores))
    return rows[np.argsort(-scores[rows], kind="stable")][:k]


def _fits(offsets: np.ndarray, passages: int, sentence_rows: int) -> bool:
    """Whether sentence offsets can be those of ``passages`` passages with ``sentence_rows`` sentences."""
    return (offsets.ndim == 1 and len(offsets) == passages + 1 and offsets[0] == 0 and offsets[-1] == sentence_rows
            and not np.any(np.diff(offsets) < 0))


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)

