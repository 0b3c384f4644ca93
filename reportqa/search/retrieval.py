"""Retrieval that reads the question first: filters, comparisons, bridge questions.

``Retriever.retrieve`` runs ``reportqa.question.understand`` and then:

* a question naming one district searches that district only (falling back to
  all documents when that finds nothing);
* a question naming several districts (a comparison) searches each one
  separately and interleaves the lists, so every side is in the top results;
* a question naming a district only by description (「举办鲁迅文化周的那个区」)
  first searches the description, takes the district of the passage whose
  best sentence matches it most closely, then searches the rest of the
  question in that district; that passage is returned second, as evidence;
* abbreviations are expanded (GDP → 地区生产总值) in the search text.

Filters given by the caller win over what the question says.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reportqa.records import Hit
from reportqa.search.hybrid import SearchFilters, SearchIndex
from reportqa.search.question import COMPARISON, FIGURE, Understanding, understand

# Passages about a bridge clue compared before choosing its district.
BRIDGE_CANDIDATES = 5


@dataclass(frozen=True)
class Retrieval:
    """The hits for a question and what was understood to find them.

    Attributes:
        understanding: what was read from the question.
        districts: the districts searched (after resolving a bridge clue).
        hits: best first, ranks renumbered from 1.
        missing_districts: districts the question names that no indexed document is about.
        relevance_threshold: the best-sentence cosine below which nothing counts as relevant.
    """

    understanding: Understanding
    districts: tuple[str, ...]
    hits: list[Hit]
    missing_districts: tuple[str, ...] = ()
    relevance_threshold: float = 0.0

    @property
    def relevant(self) -> bool:
        """Whether anything relevant was found: the top passage's best sentence is close enough to
        the question (a threshold calibrated by ``eval.calibrate``) and the question does not ask
        only about districts the index has no document for."""
        if not self.hits or (self.missing_districts and not self.districts):
            return False
        return (self.hits[0].sentence_score or 0.0) >= self.relevance_threshold

    def to_json(self) -> dict:
        u = self.understanding
        return {"kind": u.kind, "districts": list(self.districts), "years": list(u.years),
                "plan_periods": list(u.plan_periods), "doc_type": u.doc_type, "bridge_clue": u.bridge_clue,
                "expansions": list(u.expansions), "missing_districts": list(self.missing_districts),
                "relevant": self.relevant, "summary": u.describe()}


class Retriever:
    """Question → hits over one ``SearchIndex``."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    def retrieve(self, question: str, k: int = 10, filters: SearchFilters | None = None) -> Retrieval:
        """The k best passages for a question, searched as the question asks."""
        filters = filters or SearchFilters()
        understood = understand(question)
        if understood.report_of_year and filters.year is None and understood.report_of_year in self.index.years():
            filters = replace(filters, year=understood.report_of_year)
        text = understood.search_text()
        bridge: list[Hit] = []
        known = set(self.index.districts())
        missing = tuple(d for d in understood.districts if d not in known)
        if filters.district:
            districts: tuple[str, ...] = (filters.district,)
        elif understood.bridge_clue and understood.bridge_rest:
            bridge = self._resolve_bridge(understood.bridge_clue, filters)
            districts = (bridge[0].district,) if bridge else ()
            if districts:
                text = " ".join((districts[0] + understood.bridge_rest, *understood.expansions))
        else:
            districts = tuple(d for d in understood.districts if d in known)
        periods = understood.periods()
        figure = understood.kind in (FIGURE, COMPARISON)
        if len(districts) > 1:
            per_district = [self._search(text, k, replace(filters, district=d), periods, figure) for d in districts]
            hits = self._interleave(per_district, k)
        elif districts:
            hits = self._search(text, k, replace(filters, district=districts[0]), periods, figure)
            if not hits and not filters.district:
                hits = self._search(text, k, filters, periods, figure)
        else:
            hits = self._search(text, k, filters, periods, figure)
        if bridge:  # the passage that identifies the district comes second, as the answer's other evidence
            hits = self._interleave([hits, bridge], k)
        return Retrieval(understood, districts, [replace(hit, rank=rank) for rank, hit in enumerate(hits, start=1)],
                         missing, self.index.settings.relevance_threshold)

    def _search(self, text: str, k: int, filters: SearchFilters, periods: tuple[str, ...] = (),
                figure: bool = False) -> list[Hit]:
        return self.index.search(text, k, filters, periods, figure)

    def _resolve_bridge(self, clue: str, filters: SearchFilters) -> list[Hit]:
        """The passage whose best sentence matches ``clue`` most closely, as a one-item list (empty if none).

        Among the first few hits with a district, the one whose best sentence
        holds most of the clue's terms wins, then the closest sentence by
        cosine: 「全国双拥模范城“九连冠”」 must not go to a district with a
        different nine-in-a-row title.
        """
        candidates = [hit for hit in self._search(clue, BRIDGE_CANDIDATES, filters) if hit.district]
        if not candidates:
            return []
        return [max(candidates, key=lambda hit: (round(hit.coverage or 0, 2), hit.sentence_score or 0))]

    @staticmethod
    def _interleave(lists: list[list[Hit]], k: int) -> list[Hit]:
        """Round-robin over per-entity lists: 1st of each, then 2nd of each, …"""
        merged: list[Hit] = []
        seen: set[str] = set()
        for position in range(max((len(hits) for hits in lists), default=0)):
            for hits in lists:
                if position < len(hits) and hits[position].chunk_id not in seen:
                    seen.add(hits[position].chunk_id)
                    merged.append(hits[position])
        return merged[:k]
