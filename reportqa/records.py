"""Typed records passed between pipeline stages. All keep exact provenance.

Ingest makes ``SourceText`` → ``DocumentSpan`` → ``Heading``/``Unit`` →
``Document`` and ``Chunk``; search returns ``Hit`` (a chunk with its document
and scores); the answer pipeline returns ``Answer`` (text plus cited hits).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class SourceText:
    """A decoded source file.

    Attributes:
        path: the path as given to ingest (what ``source_file`` records).
        text: the decoded text; every offset in the index points into it.
        encoding: how the bytes were decoded (``utf-8``, ``gb18030``, ``pdf`` …).
        sha256: the file's hash when it was read (what the index records, to notice a later edit).
    """

    path: str
    text: str
    encoding: str
    sha256: str = ""


@dataclass(frozen=True)
class DocumentSpan:
    """One document found inside a source file, before analysis.

    Attributes:
        source: the file it comes from.
        start: first character of the document in ``source.text``.
        end: one past its last character.
        listing_title: the entry title when the file is a listing page.
        ordinal: 1-based position of the document in its file.
    """

    source: SourceText
    start: int
    end: int
    listing_title: str | None
    ordinal: int


@dataclass(frozen=True)
class Heading:
    """A section heading found in a document.

    Attributes:
        start: source offset of the heading marker.
        end: source offset where the heading's own text ends.
        level: 0 for 第X章, 1 for 一、, 2 for （一）, 3 for 1., 4 for （1）;
            前言/附录-style headings take the document's top numbered level;
            ``BOX_LEVEL`` for 专栏 boxes.
        number: the heading's ordinal (0 when it has none).
        label: the normalised heading text shown in breadcrumbs.
    """

    start: int
    end: int
    level: int
    number: int
    label: str


@dataclass(frozen=True)
class Unit:
    """A sentence-sized stretch of body text, the atom of chunking.

    Attributes:
        start, end: source offsets.
        section: breadcrumb of the section it belongs to, outermost first.
        top_section: index of its top-level section (chunks never cross one).
        section_start: True when a heading starts here (a chunk boundary).
        after_gap: True when noise (a page footer, a caption) was removed just
            before it, so no chunk may span from the previous unit to this one.
    """

    start: int
    end: int
    section: tuple[str, ...]
    top_section: int
    section_start: bool = False
    after_gap: bool = False


@dataclass(frozen=True)
class Document:
    """A document with its metadata, as listed in the manifest.

    ``place`` is the issuing government's place (广东省, 上海市, 嘉定区, 全国) and ``place_level`` its level
    (national, province, city, county), both None when the report does not say; ``district`` is the place
    when it is county-level. ``source_sha256`` is the source file's hash when it was indexed (set when an
    index is opened), so a view of the source notices an edit since.
    """

    doc_id: str
    title: str
    district: str | None
    year: int | None
    doc_type: str
    source_file: str
    start: int
    end: int
    also_in: tuple[str, ...] = ()
    source_title: str | None = None
    notes: tuple[str, ...] = ()
    place: str | None = None
    place_level: str | None = None
    source_sha256: str | None = None

    @property
    def issuing_place(self) -> str | None:
        """The place filters and answers key on: ``place``, or ``district`` in an older manifest."""
        return self.place or self.district

    def to_json(self, n_chunks: int) -> dict[str, Any]:
        record = asdict(self)
        record["also_in"] = list(self.also_in)
        record["notes"] = list(self.notes)
        record["n_chunks"] = n_chunks
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Document:
        """The document of a manifest entry (``n_chunks`` and unknown keys ignored)."""
        fields = {name: record.get(name) for name in cls.__dataclass_fields__}
        fields["also_in"] = tuple(record.get("also_in") or ())
        fields["notes"] = tuple(record.get("notes") or ())
        return cls(**fields)


@dataclass(frozen=True)
class Chunk:
    """A passage of a document: the unit that is indexed, retrieved and cited.

    ``text`` equals ``match_form(source[char_start:char_end])``; ``index_text``
    is what embedding and BM25 see (title and breadcrumb prefixed, footnote
    markers dropped).
    """

    chunk_id: str
    doc_id: str
    section: tuple[str, ...]
    text: str
    source_file: str
    char_start: int
    char_end: int
    period: str | None = None
    period_kind: str | None = None
    index_text: str = field(default="", repr=False)

    def to_json(self) -> dict[str, Any]:
        record = asdict(self)
        record["section"] = list(self.section)
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Chunk:
        fields = {name: record.get(name) for name in cls.__dataclass_fields__}
        fields["section"] = tuple(record.get("section") or ())
        fields["index_text"] = record.get("index_text") or ""
        return cls(**fields)


@dataclass(frozen=True)
class Hit:
    """One retrieved passage: the chunk, its document, and how it scored.

    ``score`` is the final fused score; ``dense_score`` (cosine) and
    ``lexical_score`` (BM25) are the component scores, None when the passage
    was not in that list; ``coverage`` (share of the question's terms in the
    best sentence, 0–1) and ``sentence_score`` (best sentence cosine) are the
    rescoring features, None when the passage was not rescored. The chunk's
    and document's fields are readable on the hit itself (``hit.district``).
    """

    rank: int
    score: float
    chunk: Chunk
    document: Document
    dense_score: float | None = None
    lexical_score: float | None = None
    coverage: float | None = None
    sentence_score: float | None = None

    chunk_id = property(lambda self: self.chunk.chunk_id)
    doc_id = property(lambda self: self.chunk.doc_id)
    section = property(lambda self: self.chunk.section)
    text = property(lambda self: self.chunk.text)
    source_file = property(lambda self: self.chunk.source_file)
    char_start = property(lambda self: self.chunk.char_start)
    char_end = property(lambda self: self.chunk.char_end)
    period = property(lambda self: self.chunk.period)
    title = property(lambda self: self.document.title)
    district = property(lambda self: self.document.district)
    place = property(lambda self: self.document.issuing_place)
    place_level = property(lambda self: self.document.place_level)
    year = property(lambda self: self.document.year)
    doc_type = property(lambda self: self.document.doc_type)

    @property
    def breadcrumb(self) -> str:
        return " › ".join(self.section)

    def to_json(self) -> dict[str, Any]:
        """The search output record (field order is part of the CLI's ``--json`` contract)."""
        return {"rank": self.rank, "score": self.score, "chunk_id": self.chunk_id, "doc_id": self.doc_id,
                "title": self.title, "district": self.district, "place": self.place,
                "place_level": self.place_level, "year": self.year, "doc_type": self.doc_type,
                "section": list(self.section), "text": self.text, "source_file": self.source_file,
                "char_start": self.char_start, "char_end": self.char_end, "period": self.period,
                "dense_score": self.dense_score, "lexical_score": self.lexical_score,
                "coverage": self.coverage, "sentence_score": self.sentence_score}

    def citation_json(self, n: int) -> dict[str, Any]:
        """The record of this passage cited as ``[n]`` in an answer."""
        return {"n": n, "chunk_id": self.chunk_id, "doc_id": self.doc_id, "title": self.title,
                "section": list(self.section), "text": self.text, "source_file": self.source_file,
                "char_start": self.char_start, "char_end": self.char_end, "district": self.district,
                "place": self.place, "year": self.year}


@dataclass(frozen=True)
class Answer:
    """A verified answer and how it was made.

    Attributes:
        question: as asked.
        rewritten_question: the standalone question searched, when the question was a follow-up.
        answer: the text shown; citations [n] are 1-based into ``citations``.
        refused: nothing relevant, or nothing the passages back.
        citations: the cited passages, in [n] order.
        related: the closest passages, offered with a refusal ("可能相关").
        generator: the generator that wrote it.
        note: why another generator than the one asked for was used, if so.
        draft: the generator's own text before verification.
        timings: seconds for retrieve, first_token, generate, verify, total.
    """

    question: str
    rewritten_question: str | None
    answer: str
    refused: bool
    citations: tuple[Hit, ...]
    related: tuple[Hit, ...] = ()
    generator: str = ""
    note: str | None = None
    draft: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer, "refused": self.refused,
                "rewritten_question": self.rewritten_question,
                "citations": [hit.citation_json(n) for n, hit in enumerate(self.citations, start=1)],
                "related": [hit.citation_json(n) for n, hit in enumerate(self.related, start=1)],
                "generator": self.generator, "note": self.note, "timings": self.timings, "draft": self.draft}
