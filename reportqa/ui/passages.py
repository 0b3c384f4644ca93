"""Passages as their sources write them, with terms marked.

A chunk's ``text`` is its match form (``reportqa.text.match_form``: full-width
punctuation folded, whitespace removed), which is what search compares; the
pages show the source's own characters instead (「，」「（七）」, not 「,」「(七)」),
read from the source file at the chunk's offsets. Titles and headings, kept
in match form too, are found in the source before the passage and shown as
written there (``breadcrumb``). Terms are still matched in match form
(``NormalizedText`` maps each normalised character back), so 「774」 marks
「７７４」 and a term broken by a line wrap is found.
"""

from __future__ import annotations

import html
import os
import re
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache

from reportqa.errors import ReportqaError
from reportqa.ingest.loaders import load_source
from reportqa.paths import file_sha256
from reportqa.records import Hit
from reportqa.text import PARAGRAPH_END, ZERO_WIDTH, NormalizedText, match_form

# A run of whitespace: a paragraph break when it holds a blank line or follows a sentence end; a
# space between two Latin words or numbers; otherwise a line wrap inside a sentence, dropped.
_WHITESPACE = re.compile(r"\s+")
_ZERO_WIDTH = re.compile(f"[{ZERO_WIDTH}]")
_WORD_END = re.compile(r"[A-Za-z0-9]")


def source_text(hit: Hit) -> str | None:
    """The decoded text of the passage's source file (what its offsets index into); None when the file is
    gone, cannot be read, or has changed since it was indexed (its sha256 differs), so no wrong text is
    shown as the passage's context."""
    try:
        stat = os.stat(hit.source_file)
    except OSError:
        return None
    return _checked_source(hit.source_file, stat.st_size, stat.st_mtime_ns, hit.document.source_sha256)


@lru_cache(maxsize=32)
def _checked_source(path: str, _size: int, _mtime_ns: int, sha256: str | None) -> str | None:
    """The file's text if its hash is ``sha256`` (cached per size and modification time, hashed on a miss)."""
    try:
        if sha256 and file_sha256(path) != sha256:
            return None
        return load_source(path).text
    except (OSError, ReportqaError):
        return None


@lru_cache(maxsize=8)
def _normalised(text: str) -> NormalizedText:
    """The match form of a whole source file, mapped back (about 0.1 s for 140,000 characters)."""
    return NormalizedText.of(text)


def breadcrumb(hit: Hit) -> list[str]:
    """The passage's title and section headings as its source writes them (「（一）」, not 「(一)」)."""
    return [as_written(part, hit) for part in (hit.title, *hit.section)]


def as_written(label: str, hit: Hit) -> str:
    """``label`` (in match form, as the index keeps titles and headings) in the source's own characters:
    its last occurrence in the passage's document up to the passage's end (a passage may open with its
    heading); ``label`` itself when the source does not hold it there (a title made from metadata). A
    label cut short (「…」) keeps its 「…」."""
    text = source_text(hit)
    if text is None:
        return label
    normal = _normalised(text)
    wanted = label.removesuffix("…")
    floor, ceiling = bisect_left(normal.offsets, hit.document.start), bisect_left(normal.offsets, hit.char_end)
    position = normal.text.rfind(wanted, floor, ceiling) if wanted else -1
    if position < 0:
        return label
    start, end = normal.source_span(position, position + len(wanted))
    return readable(text[start:end]).replace("\n", " ") + label[len(wanted):]


def passage_text(hit: Hit) -> str:
    """The passage as its source writes it: its own characters, paragraph breaks kept as one line break
    (as the index keeps it when the source has changed since)."""
    text = source_text(hit)
    return hit.text if text is None else readable(text[hit.char_start:hit.char_end])


def readable(raw: str) -> str:
    """Source text for display: zero-width characters dropped, whitespace runs made a line break (a
    paragraph break), a space (between Latin words) or nothing (a line wrap inside a sentence)."""
    raw = _ZERO_WIDTH.sub("", raw).strip()

    def shown(match: re.Match[str]) -> str:
        run, before = match.group(0), raw[match.start() - 1]
        after = raw[match.end()] if match.end() < len(raw) else ""
        if run.count("\n") > 1 or ("\n" in run and before in PARAGRAPH_END):
            return "\n"
        return " " if _WORD_END.match(before) and _WORD_END.match(after) else ""

    return _WHITESPACE.sub(shown, raw)


def highlight(text: str, terms: Iterable[str]) -> str:
    """``text`` escaped, with every occurrence of any term (compared in match form) wrapped in ``<mark>``."""
    normal = NormalizedText.of(text)
    spans: list[tuple[int, int]] = []
    for term in {match_form(term) for term in terms} - {""}:
        start = normal.text.find(term)
        while start >= 0:
            spans.append(normal.source_span(start, start + len(term)))
            start = normal.text.find(term, start + 1)
    pieces, position = [], 0
    for start, end in _merged(spans):
        pieces.append(html.escape(text[position:start]))
        pieces.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    pieces.append(html.escape(text[position:]))
    return "".join(pieces)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans joined, in order."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]
