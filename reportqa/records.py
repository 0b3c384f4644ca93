"""Typed records passed between pipeline stages. All keep exact provenance."""

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
    """

    path: str
    text: str
    encoding: str


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
    """A document with its metadata, as listed in the manifest."""

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

    def to_json(self, n_chunks: int) -> dict[str, Any]:
        record = asdict(self)
        record["also_in"] = list(self.also_in)
        record["notes"] = list(self.notes)
        record["n_chunks"] = n_chunks
        return record


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
