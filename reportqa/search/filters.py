"""What a search may return: ``SearchFilters``, and the documents that pass them, as arrays.

A national collection holds tens of thousands of documents; a filter is checked against all of them on
every search, so their place, year and type are kept as arrays (``DocumentTable``) and a filter is a few
vectorised comparisons, not a loop over ``Document`` objects. For the Milvus backend the same filters
become a boolean expression over its scalar fields (``milvus_expression``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reportqa.ingest.metadata import REPORT
from reportqa.records import Document


@dataclass(frozen=True)
class SearchFilters:
    """Restrict a search to documents of this place (full or short form: 嘉定区, 嘉定, 广东, 全国),
    year and/or type; ``among`` to documents of any of these places (full names); ``report_years`` to
    government work reports of these years (other documents pass)."""

    place: str | None = None
    year: int | None = None
    doc_type: str | None = None
    among: tuple[str, ...] = ()
    report_years: tuple[int, ...] = ()


class DocumentTable:
    """The documents of an index, in manifest order, as arrays of place, year and type codes."""

    def __init__(self, documents: Sequence[Document]) -> None:
        self._place_codes: dict[str, int] = {}
        self._type_codes: dict[str, int] = {}
        self._places = np.asarray([self._code(self._place_codes, d.issuing_place) for d in documents], np.int32)
        self._types = np.asarray([self._code(self._type_codes, d.doc_type) for d in documents], np.int32)
        self._years = np.asarray([d.year or 0 for d in documents], np.int32)
        self._reports = self._types == self._type_codes.get(REPORT, -2)

    @staticmethod
    def _code(codes: dict[str, int], value: str | None) -> int:
        return -1 if value is None else codes.setdefault(value, len(codes))

    def passing(self, filters: SearchFilters, places: set[str] | None) -> np.ndarray:
        """Which documents pass ``filters``, as a boolean array in manifest order; ``places``: the full names
        the place and ``among`` filters leave (None: any place)."""
        mask = np.ones(len(self._years), bool)
        if places is not None:
            mask &= np.isin(self._places, [self._place_codes[p] for p in places if p in self._place_codes])
        if filters.year is not None:
            mask &= self._years == filters.year
        if filters.doc_type is not None:
            mask &= self._types == self._type_codes.get(filters.doc_type, -2)
        if filters.report_years:
            mask &= ~self._reports | np.isin(self._years, list(filters.report_years))
        return mask


def milvus_expression(filters: SearchFilters, places: set[str] | None) -> str | None:
    """The Milvus boolean expression of ``filters`` over the collection's scalar fields (see
    ``reportqa.indexing.milvus``), "" for no filter, None when nothing can pass (no place left)."""
    if places is not None and not places:
        return None
    parts = [f"place in {_strings(sorted(places))}"] if places is not None else []
    if filters.year is not None:
        parts.append(f"year == {int(filters.year)}")
    if filters.doc_type is not None:
        parts.append(f"doc_type == {_strings([filters.doc_type])[1:-1]}")
    if filters.report_years:
        parts.append(f"(doc_type != {_strings([REPORT])[1:-1]} or year in {[int(y) for y in filters.report_years]})")
    return " and ".join(parts)


def _strings(values: list[str]) -> str:
    """A Milvus list of string literals (JSON's quoting and escapes)."""
    return json.dumps(values, ensure_ascii=False)
