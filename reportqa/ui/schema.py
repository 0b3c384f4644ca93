"""The JSON the command line (``--json``) and the HTTP API share: one schema, written down as pydantic
models so the API's OpenAPI document (``/api/v1/openapi.json``) describes exactly what both print.

``search_record`` makes a search's record for both; an answer's record is ``Answer.to_json`` and a
library change's ``Change.to_json``. Each model forbids fields it does not name, so a record that
drifts from its model fails the API's response check and the tests.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from reportqa.search.hybrid import SearchFilters
from reportqa.search.retrieval import Retriever


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Understood(_Record):
    """How the question was read: what it asks, of which places, years and plan periods."""

    kind: str
    places: list[str]
    within: str | None
    years: list[int]
    plan_periods: list[str]
    doc_type: str | None
    bridge_clue: str | None
    expansions: list[str]
    missing_places: list[str]
    relevant: bool = Field(description="whether the best passage is close enough to answer from")
    summary: str = Field(description="the reading in words (理解: …)")


class HitRecord(_Record):
    """One passage found: where it is in its source file (``char_start``–``char_end``) and how it scored."""

    rank: int
    score: float
    chunk_id: str
    doc_id: str
    title: str
    district: str | None
    place: str | None
    place_level: str | None
    year: int | None
    doc_type: str
    section: list[str]
    text: str
    source_file: str
    char_start: int
    char_end: int
    period: str | None
    dense_score: float | None
    lexical_score: float | None
    coverage: float | None
    sentence_score: float | None


class SearchRecord(_Record):
    """A search: the question, how it was read (null for a literal search) and the passages, best first."""

    question: str
    understood: Understood | None
    hits: list[HitRecord]


class CitationRecord(_Record):
    """A passage an answer cites as ``[n]`` (or, for a refusal, lists as related)."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    section: list[str]
    text: str
    source_file: str
    char_start: int
    char_end: int
    district: str | None
    place: str | None
    year: int | None


class AnswerRecord(_Record):
    """A checked answer: every figure in it stands in a passage it cites."""

    question: str
    answer: str
    refused: bool = Field(description="true when the reports do not answer it (无法从文档中找到)")
    rewritten_question: str | None = Field(description="a follow-up as the standalone question it was read as")
    citations: list[CitationRecord]
    related: list[CitationRecord] = Field(description="for a refusal, the closest passages")
    generator: str
    note: str | None
    timings: dict[str, float]
    draft: str = Field(description="what the generator wrote before it was checked")


class DocumentRecord(_Record):
    """One report in the library."""

    doc_id: str
    source_id: str = Field(description="its file's id: removing it removes every report in the file")
    title: str
    file_name: str
    source_file: str
    part: list[int] = Field(description="[n, of]: the n-th of the reports in its file")
    place: str | None
    place_level: str | None
    level_name: str | None
    year: int | None
    doc_type: str
    passages: int
    added: str | None = Field(description="when its file was first indexed (ISO 8601, UTC)")
    also_in: list[str] = Field(description="file names of copies folded into it")
    notes: list[str]


class DocumentList(_Record):
    documents: list[DocumentRecord]


class FileRecord(_Record):
    """What became of one added file."""

    name: str
    indexed: bool
    documents: list[DocumentRecord]
    passages: int
    folded_into: list[str] = Field(description="titles of reports it duplicates (kept as their copy)")
    error: str | None = Field(description="why it was refused and what to do")
    code: str | None = Field(description="type, missing, size, unreadable or empty: what kind of refusal")


class IndexState(_Record):
    generation: int | None
    documents: int
    passages: int


class ChangeRecord(_Record):
    """What adding or removing reports did."""

    files: list[FileRecord]
    removed: list[DocumentRecord]
    index: IndexState
    seconds: float


def search_record(retriever: Retriever, question: str, k: int = 10, filters: SearchFilters | None = None,
                  literal: bool = False) -> dict[str, Any]:
    """A search's record (``SearchRecord``): as the question asks, or ``literal`` (the words as given)."""
    filters = filters or SearchFilters()
    if literal:
        return {"question": question, "understood": None,
                "hits": [hit.to_json() for hit in retriever.index.search(question, k, filters)]}
    retrieval = retriever.retrieve(question, k, filters)
    return {"question": question, "understood": retrieval.to_json(), "hits": [hit.to_json() for hit in retrieval.hits]}
