"""The ingest pipeline: files → documents → chunks, with a report of failures.

load → split into documents → classify lines → outline → metadata → chunks,
then near-duplicates are folded into one canonical document per report.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from reportqa.errors import LoadError
from reportqa.ingest.chunking import ChunkingSettings, pack_chunks, sentence_units
from reportqa.ingest.cleaning import classify_lines
from reportqa.ingest.dedup import DedupCandidate, find_duplicates
from reportqa.ingest.loaders import SUPPORTED_SUFFIXES, FileLimits, load_source
from reportqa.ingest.metadata import (
    PLAN,
    STATISTICS,
    infer_document_facts,
    paragraph_period,
    plan_period,
    reviewed_plan,
    section_period,
)
from reportqa.ingest.sections import find_outline
from reportqa.ingest.splitting import split_documents
from reportqa.paths import file_sha256, index_root, source_key
from reportqa.records import Chunk, Document, DocumentSpan, SourceText
from reportqa.settings import Settings
from reportqa.text import match_form, search_form


@dataclass(frozen=True)
class AnalysedDocument:
    """A document and its chunks."""

    document: Document
    chunks: tuple[Chunk, ...]


@dataclass(frozen=True)
class IngestResult:
    """What one ingest run produced.

    Attributes:
        documents: canonical documents, in input order.
        chunks: their chunks, in document order.
        sources: every source file read, with its encoding.
        errors: the files that could not be read.
    """

    documents: tuple[Document, ...]
    chunks: tuple[Chunk, ...]
    sources: tuple[SourceText, ...]
    errors: tuple[LoadError, ...]


def expand_paths(paths: Iterable[str | Path]) -> list[str]:
    """Files named directly, plus supported files found under named folders, as absolute paths (what the
    index records, so it reads the same files from any working folder).

    Raises:
        LoadError: a named path does not exist.
    """
    files: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(os.path.abspath(p) for p in sorted(path.rglob("*"))
                         if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        elif path.exists():
            files.append(os.path.abspath(path))
        else:
            raise LoadError(path, "no such file or folder")
    return files


@dataclass(frozen=True)
class SourcePlan:
    """Which files an incremental ingest reads.

    Attributes:
        files: the named files, then the previously indexed ones still on disk.
        pruned: previously indexed files that are gone (their passages are dropped).
        removed: previously indexed files dropped on request.
    """

    files: tuple[str, ...]
    pruned: tuple[str, ...]
    removed: tuple[str, ...]


def plan_sources(named: Iterable[str], previous: Iterable[str], remove: Iterable[str] = ()) -> SourcePlan:
    """Files to ingest: those named plus those already indexed, minus missing or removed ones."""
    to_remove = {os.path.abspath(path) for path in remove}
    files = [path for path in dict.fromkeys(os.path.abspath(p) for p in named) if path not in to_remove]
    pruned, removed = [], []
    for path in map(os.path.abspath, previous):
        if path in to_remove:
            removed.append(path)
        elif not Path(path).exists():
            pruned.append(path)
        elif path not in files:
            files.append(path)
    return SourcePlan(tuple(files), tuple(pruned), tuple(removed))


def chunking_settings(settings: Settings) -> ChunkingSettings:
    return ChunkingSettings(settings.chunk_max_chars, settings.chunk_overlap_chars, settings.chunk_min_chars)


def analyse_document(span: DocumentSpan, chunking: ChunkingSettings, alone: bool = False,
                     root: str | None = None) -> AnalysedDocument:
    """Clean, outline, describe and chunk one document (``alone`` in its file: the file's name may title it;
    ids name the file by its path relative to ``root``, the index's folder, see ``reportqa.paths``)."""
    text = span.source.text
    layout = classify_lines(text, span.start, span.end)
    outline = find_outline(text, layout)
    facts = infer_document_facts(text[span.start:span.end], [h.label for h in outline.headings], span.listing_title,
                                 Path(span.source.path).stem if alone else None)
    doc_id = f"{source_key(span.source.path, root or os.getcwd())}#{span.ordinal}"
    document = Document(doc_id, facts.title, facts.district, facts.year, facts.doc_type, span.source.path,
                        span.start, span.end, (), facts.source_title, (*facts.notes, *layout.notes), facts.place,
                        facts.place_level)
    spans = pack_chunks(text, sentence_units(text, layout, outline), chunking)
    chunks = tuple(_chunk(document, number, text, piece.start, piece.end, piece.section)
                   for number, piece in enumerate(spans))
    return AnalysedDocument(document, _reviews_marked(document, chunks))


def _reviews_marked(document: Document, chunks: tuple[Chunk, ...]) -> tuple[Chunk, ...]:
    """In a five-year plan, the passages of a section that opens looking back on an earlier plan
    (「(一)巩固新成效 “十三五”时期是…的五年。五年来，…」) are of that plan's years, as outcomes."""
    plan = plan_period(document.title) if document.doc_type == PLAN else None
    if not plan:
        return chunks
    reviewed: dict[tuple[str, ...], str | None] = {}
    for chunk in chunks:
        if chunk.section and chunk.section not in reviewed:
            heading = match_form(chunk.section[-1])
            reviewed[chunk.section] = reviewed_plan(chunk.text.removeprefix(heading), plan)
    return tuple(replace(chunk, period=reviewed[chunk.section], period_kind="actual")
                 if chunk.section and reviewed[chunk.section] else chunk for chunk in chunks)


def _chunk(document: Document, number: int, text: str, start: int, end: int, section: tuple[str, ...]) -> Chunk:
    period, kind = section_period(section, document.year)
    if period is None and document.doc_type == PLAN:
        period, kind = plan_period(document.title), "plan"
    elif period is None and document.doc_type == STATISTICS and document.year:
        period, kind = str(document.year), "actual"  # a bulletin reports its year's outcomes
    if kind == "actual":
        period = paragraph_period(text, start) or period
    # The title and breadcrumb go before the text; an untitled document's passages start with their text.
    prefix = " › ".join(part for part in (document.title, *section) if part)
    body = search_form(text[start:end])
    return Chunk(
        chunk_id=f"{document.doc_id}:{number:04d}",
        doc_id=document.doc_id,
        section=section,
        text=match_form(text[start:end]),
        source_file=document.source_file,
        char_start=start,
        char_end=end,
        period=period,
        period_kind=kind,
        index_text=f"{prefix}\n{body}" if prefix else body,
    )


def ingest(
    paths: Iterable[str],
    settings: Settings,
    on_file: Callable[[str], None] | None = None,
) -> IngestResult:
    """Read every file, analyse its documents, fold duplicates.

    A file that cannot be read or analysed, whatever the cause, is recorded in ``errors`` by name; the
    others go on.

    Args:
        paths: files to ingest (see ``expand_paths`` for folders).
        settings: chunking and dedup settings.
        on_file: called after each file, e.g. to advance a progress bar.
    """
    chunking = chunking_settings(settings)
    root = index_root(settings.index_dir)
    limits = FileLimits.from_settings(settings)
    analysed: list[AnalysedDocument] = []
    sources: list[SourceText] = []
    errors: list[LoadError] = []
    sole: set[str] = set()
    for path in paths:
        try:
            source = load_source(path, limits)
            source = replace(source, sha256=file_sha256(path))
            spans = split_documents(source)
            found = [analyse_document(span, chunking, len(spans) == 1, root) for span in spans]
        except LoadError as error:
            errors.append(error)
        except Exception as error:  # noqa: BLE001 - a hostile or malformed file must not stop the others
            errors.append(LoadError(path, f"could not be read ({type(error).__name__}: {str(error)[:200]}); "
                                          "convert it to .txt or re-save it, then ingest it again"))
        else:
            sources.append(source)
            if len(found) == 1:
                sole.add(found[0].document.doc_id)
            analysed.extend(found)
        if on_file:
            on_file(path)
    kept = _fold_duplicates(analysed, sole, settings.dedup_threshold)
    return IngestResult(
        tuple(item.document for item in kept),
        tuple(chunk for item in kept for chunk in item.chunks),
        tuple(sources),
        tuple(errors),
    )


def _fold_duplicates(analysed: list[AnalysedDocument], sole: set[str], threshold: float) -> list[AnalysedDocument]:
    """Drop near-duplicate copies, recording their files on the kept copy."""
    by_id = {item.document.doc_id: item for item in analysed}
    texts = {item.document.doc_id: "".join(chunk.text for chunk in item.chunks) for item in analysed}
    candidates = [DedupCandidate(doc_id, texts[doc_id], doc_id in sole) for doc_id in by_id]
    duplicate_of = find_duplicates(candidates, threshold)
    also_in: dict[str, list[str]] = {}
    for duplicate, kept in duplicate_of.items():
        also_in.setdefault(kept, []).append(by_id[duplicate].document.source_file)
    result = []
    for item in analysed:
        doc_id = item.document.doc_id
        if doc_id in duplicate_of:
            continue
        if doc_id in also_in:
            item = AnalysedDocument(replace(item.document, also_in=tuple(also_in[doc_id])), item.chunks)
        result.append(item)
    return result
