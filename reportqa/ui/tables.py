"""Human-readable summaries printed by the command-line tools."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportqa.ingest.pipeline import IngestResult
from reportqa.text import display_width


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table whose columns line up with Chinese text too."""
    cells = [[str(value) for value in row] for row in [headers, *rows]]
    widths = [max(_width(row[column]) for row in cells) for column in range(len(headers))]
    lines = []
    for number, row in enumerate(cells):
        lines.append("  ".join(value + " " * (widths[i] - _width(value)) for i, value in enumerate(row)).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _width(text: str) -> int:
    return display_width(text) + text.count(" ")


def summary_table(result: IngestResult) -> str:
    """Document, place, level, year, type, chunks and source of every document."""
    counts: dict[str, int] = {}
    for chunk in result.chunks:
        counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
    rows = []
    for document in result.documents:
        source = Path(document.source_file).name
        if document.also_in:
            source += " (also in " + ", ".join(Path(path).name for path in document.also_in) + ")"
        rows.append((document.title, document.place or document.district or "-", document.place_level or "-",
                     document.year or "-", document.doc_type,
                     counts.get(document.doc_id, 0), source))
    return format_table(("document", "place", "level", "year", "type", "chunks", "source"), rows)
