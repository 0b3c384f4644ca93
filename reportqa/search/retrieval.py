"""Retrieval that reads the question first: filters, comparisons, bridge questions.

``Retriever.retrieve`` runs ``reportqa.question.understand`` and then:

* a question naming one place searches that place's reports only (when they
  hold nothing for the question's filters, nothing is found: another place's
  passages would answer for the wrong place); a province's question does not
  search its cities' reports;
* a question naming several places (a comparison) searches each one
  separately and interleaves the lists, so every side is in the top results;
* a question naming a place the index holds no report of, but reports of
  places inside it (上海科技影都 over district reports), searches those;
* across a place's series of yearly work reports (the State Council's
  2015–2025), a year's targets are searched in that year's report and what
  happened in a year in the next year's review; several years are searched
  one by one, like places; a year whose report is not indexed finds nothing;
* a question naming no place searches the widest place's reports when one
  place holds all the others (the nation's, when they are indexed), falling
  back to all documents; not when it asks which place (哪个区);
* a question naming a place only by description (「举办鲁迅文化周的那个区」)
  first searches the description, takes the place of the passage whose
  best sentence matches it most closely, then searches the rest of the
  question in that place; that passage is returned second, as evidence;
* abbreviations are expanded (GDP → 地区生产总值) in the search text.

Filters given by the caller win over what the question says.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reportqa.places import NATION
from reportqa.records import Hit
from reportqa.search.hybrid import SearchFilters, SearchIndex
from reportqa.search.question import ACTUAL, COMPARISON, FIGURE, TARGET, Understanding, understand

# Passages about a bridge clue compared before choosing its place.
BRIDGE_CANDIDATES = 5
REGIONAL_GDP, NATIONAL_GDP = "地区生产总值", "国内生产总值"
# Yearly work reports of one place that make a series (whose years a question's years pick from).
SERIES_MIN_REPORTS = 3


@dataclass(frozen=True)
class Retrieval:
    """The hits for a question and what was understood to find them.

    Attributes:
        understanding: what was read from the question.
        places: the places searched (after resolving a bridge clue), full names.
        hits: best first, ranks renumbered from 1.
        missing_places: places the question names that no indexed document is about.
        relevance_threshold: the best-sentence cosine below which nothing counts as relevant.
    """

    understanding: Understanding
    places: tuple[str, ...]
    hits: list[Hit]
    missing_places: tuple[str, ...] = ()
    relevance_threshold: float = 0.0

    @property
    def relevant(self) -> bool:
        """Whether anything relevant was found: the top passage's best sentence is close enough to
        the question (a threshold calibrated by ``eval.calibrate``) and the question does not ask
        only about places the index has no document for."""
        if not self.hits or (self.missing_places and not self.places):
            return False
        return (self.hits[0].sentence_score or 0.0) >= self.relevance_threshold

    def to_json(self) -> dict:
        u = self.understanding
        return {"kind": u.kind, "places": list(self.places), "within": u.within, "years": list(u.years),
                "plan_periods": list(u.plan_periods), "doc_type": u.doc_type, "bridge_clue": u.bridge_clue,
                "expansions": list(u.expansions), "missing_places": list(self.missing_places),
                "relevant": self.relevant, "summary": u.describe()}


class Retriever:
    """Question → hits over one ``SearchIndex``."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    def understand(self, question: str) -> Understanding:
        """What the question asks, read with the places this index holds."""
        return understand(question, names=self.index.place_names)

    def retrieve(self, question: str, k: int = 10, filters: SearchFilters | None = None) -> Retrieval:
        """The k best passages for a question, searched as the question asks."""
        filters = filters or SearchFilters()
        understood = self.understand(question)
        if understood.report_of_year and filters.year is None and understood.report_of_year in self.index.years():
            filters = replace(filters, year=understood.report_of_year)
        text = understood.search_text()
        bridge: list[Hit] = []
        if filters.place:
            places: tuple[str, ...] = (self.index.canonical_place(filters.place),)
        elif understood.bridge_clue and understood.bridge_rest:
            bridge = self._resolve_bridge(understood.bridge_clue, filters)
            places = (bridge[0].place,) if bridge else ()
            if places:
                text = " ".join((places[0] + understood.bridge_rest,
                                 *understood.expansions))
        else:
            places = understood.places
            if not places and understood.within:
                filters = replace(filters, among=self.index.place_names.inside(understood.within))
        # A question naming no place is about the widest place, unless it names something only other places'
        # reports mention (佘山度假区); then the widest place's reports are taken only when they answer it
        # as well as any other's.
        widest = () if places else self._widest(understood)
        if widest and not self.index.terms_only_elsewhere(understood.question, widest[0]):
            hits, places = self._search_places(understood, text, k, filters, widest), widest
        else:
            hits = self._search_places(understood, text, k, filters, places)
            narrowed = self._search_places(understood, text, k, filters, widest) if widest else []
            if narrowed and (not hits or hits[0].place in widest or _covers(narrowed[0]) >= _covers(hits[0])):
                hits, places = narrowed, widest
        if bridge:  # the passage that identifies the place comes second, as the answer's other evidence
            hits = self._interleave([hits, bridge], k)
        return Retrieval(understood, places, [replace(hit, rank=rank) for rank, hit in enumerate(hits, start=1)],
                         understood.missing, self.index.settings.relevance_threshold)

    def _search_places(self, understood: Understanding, text: str, k: int, filters: SearchFilters,
                       places: tuple[str, ...]) -> list[Hit]:
        """The hits of a question's searches (one per place and year), interleaved."""
        periods = understood.periods()
        figure = understood.kind in (FIGURE, COMPARISON)
        searches = self._searches(understood, filters, places)
        if len(searches) > 1:
            return self._interleave([self._search(_worded_for(text, each.place), k, each, periods, figure)
                                     for each in searches], k)
        return self._search(_worded_for(text, searches[0].place), k, searches[0], periods, figure)

    def _searches(self, understood: Understanding, filters: SearchFilters,
                  places: tuple[str, ...]) -> list[SearchFilters]:
        """One search per place, and for a place with a series of yearly work reports, one per year
        asked, in the report that holds it: a year's targets in its own report, what happened in the
        next year's review (``report_years``)."""
        searches: list[SearchFilters] = []
        for each in [replace(filters, place=place) for place in places] or [filters]:
            series = self.index.work_report_years(each.place) if each.place and filters.year is None else ()
            if len(series) < SERIES_MIN_REPORTS or not understood.years:
                searches.append(each)
                continue
            for year in understood.years:
                wanted = {ACTUAL: (year + 1,), TARGET: (year,)}.get(understood.stance or "", (year, year + 1))
                searches += [replace(each, report_years=(report_year,)) for report_year in wanted]
        return searches

    def _widest(self, understood: Understanding) -> tuple[str, ...]:
        """For a question that names no place, the one place every indexed report lies inside (全国 when
        national reports are indexed), unless it asks which place or names a place beyond the index."""
        if understood.asks_place or understood.within or understood.missing or understood.bridge_clue:
            return ()
        widest = self.index.place_names.widest()
        return (widest,) if widest else ()

    def _search(self, text: str, k: int, filters: SearchFilters, periods: tuple[str, ...] = (),
                figure: bool = False) -> list[Hit]:
        return self.index.search(text, k, filters, periods, figure)

    def _resolve_bridge(self, clue: str, filters: SearchFilters) -> list[Hit]:
        """The passage whose best sentence matches ``clue`` most closely, as a one-item list (empty if none).

        Among the first few hits with a place, the one whose best sentence
        holds most of the clue's terms wins, then the closest sentence by
        cosine: 「全国双拥模范城“九连冠”」 must not go to a district with a
        different nine-in-a-row title.
        """
        candidates = [hit for hit in self._search(clue, BRIDGE_CANDIDATES, filters) if hit.place]
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


def _worded_for(text: str, place: str | None) -> str:
    """The search text in the words of the place's reports: the nation's GDP is 国内生产总值, a
    region's 地区生产总值 (the expansion of GDP)."""
    return text.replace(REGIONAL_GDP, NATIONAL_GDP) if place == NATION else text


def _covers(hit: Hit) -> float:
    """How much of the question a hit's best sentence covers (to two places: near ties are ties)."""
    return round(hit.coverage or 0.0, 2)
