"""Cut a document into passages: by section, at sentence ends, with overlap.

Body lines are first cut into sentence-sized units (at sentence ends, at paragraph
ends, at every heading). Units are then packed into chunks that never cross a
heading, never span removed noise (so a chunk is always one span of the
source) and stay under ``max_chars`` normalised characters, well inside the
embedding model's 512-token window. When a section runs over, the next chunk
repeats the last sentences of the previous one (``overlap_chars``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reportqa.ingest.cleaning import Layout, LineKind
from reportqa.ingest.sections import Outline
from reportqa.records import Unit
from reportqa.text import SENTENCE_END, match_form

_CLAUSE_END = "，,、"


@dataclass(frozen=True)
class ChunkingSettings:
    """Chunk size limits, in normalised characters."""

    max_chars: int = 400
    overlap_chars: int = 80
    min_chars: int = 60


@dataclass(frozen=True)
class Span:
    """A chunk before it becomes a record: a source span and its breadcrumb."""

    start: int
    end: int
    section: tuple[str, ...]


def sentence_units(text: str, layout: Layout, outline: Outline) -> list[Unit]:
    """Cut the body lines of a document into sentence-sized units."""
    # Headings and box edges start a new unit (and a new section).
    breaks = ({heading.start for heading in outline.headings}
              | {box.heading.start for box in outline.boxes} | {box.end for box in outline.boxes})
    units: list[Unit] = []
    unit_start: int | None = None
    after_gap = False
    pending_gap = False

    def close(end: int) -> None:
        nonlocal unit_start, after_gap
        if unit_start is not None and match_form(text[unit_start:end]):
            start = unit_start + len(text[unit_start:end]) - len(text[unit_start:end].lstrip())
            stop = end - (len(text[start:end]) - len(text[start:end].rstrip()))
            units.append(Unit(start, stop, outline.breadcrumb_at(start), 0,
                              section_start=start in breaks, after_gap=after_gap))
            after_gap = False
        unit_start = None

    for line in layout.lines:
        if line.kind is LineKind.NOISE:
            close(line.line.start)
            pending_gap = True
            continue
        if line.kind is LineKind.BLANK:
            continue
        if pending_gap:
            close(line.line.start)
            after_gap, pending_gap = True, False
        for position in range(line.line.start, line.line.end):
            if position in breaks:
                close(position)
            if unit_start is None and not text[position].isspace():
                unit_start = position
            if text[position] in SENTENCE_END:
                close(position + 1)
        if not line.continues:
            close(line.line.end)
    close(layout.lines[-1].line.end if layout.lines else 0)
    return _number_top_sections(units)


def _number_top_sections(units: list[Unit]) -> list[Unit]:
    """Give each unit the index of its top-level section."""
    numbered = []
    top = 0
    previous_root: str | None = None
    for unit in units:
        root = unit.section[0] if unit.section else None
        if root != previous_root:
            top += 1
            previous_root = root
        numbered.append(replace(unit, top_section=top))
    return numbered


def pack_chunks(text: str, units: list[Unit], settings: ChunkingSettings) -> list[Span]:
    """Pack units into chunk spans (see the module docstring for the rules).

    A heading with no text of its own (shorter than ``min_chars``) is never a
    chunk by itself: it joins the text that follows it in the same top-level
    section, or is dropped when noise separates them.
    """
    spans: list[Span] = []
    current: list[Unit] = []
    size = 0
    # Units leave room for a short heading in front of them.
    for unit in _split_long_units(text, units, settings.max_chars - settings.min_chars):
        length = len(match_form(text[unit.start:unit.end]))
        heading_only = bool(current) and size < settings.min_chars and all(u.section_start for u in current)
        new_section = unit.section_start or (bool(current) and unit.top_section != current[-1].top_section)
        if current and (unit.after_gap or (new_section and not (heading_only and unit.top_section == current[-1].top_section))):
            if not heading_only:
                spans.append(_span(current))
            current, size = [], 0
        elif current and size + length > settings.max_chars and not heading_only:
            spans.append(_span(current))
            current = _overlap(text, current, settings.overlap_chars, settings.max_chars - length)
            size = sum(len(match_form(text[u.start:u.end])) for u in current)
        current.append(unit)
        size += length
    if current and not (size < settings.min_chars and all(u.section_start for u in current)):
        spans.append(_span(current))
    return spans


def _span(units: list[Unit]) -> Span:
    return Span(units[0].start, units[-1].end, units[-1].section)


def _overlap(text: str, units: list[Unit], overlap_chars: int, room: int) -> list[Unit]:
    """The trailing units of a full chunk to repeat at the start of the next."""
    kept: list[Unit] = []
    size = 0
    for unit in reversed(units[1:]):
        length = len(match_form(text[unit.start:unit.end]))
        if size + length > min(overlap_chars, room):
            break
        kept.insert(0, unit)
        size += length
    return kept


def _split_long_units(text: str, units: list[Unit], max_chars: int):
    """Yield units, cutting any longer than ``max_chars`` at clause ends."""
    for unit in units:
        if len(match_form(text[unit.start:unit.end])) <= max_chars:
            yield unit
            continue
        start = unit.start
        first = True
        while start < unit.end:
            end = _cut_point(text, start, unit.end, max_chars)
            yield Unit(start, end, unit.section, unit.top_section,
                       section_start=unit.section_start and first, after_gap=unit.after_gap and first)
            first = False
            start = end
            while start < unit.end and text[start].isspace():
                start += 1


def _cut_point(text: str, start: int, end: int, max_chars: int) -> int:
    """The last clause end that keeps ``text[start:cut]`` within ``max_chars``."""
    count = 0
    last_clause = None
    position = start
    while position < end:
        if not text[position].isspace():
            count += 1
            if count > max_chars:
                break
            if text[position] in _CLAUSE_END:
                last_clause = position + 1
        position += 1
    if position >= end:
        return end
    return last_clause if last_clause and last_clause > start else position
