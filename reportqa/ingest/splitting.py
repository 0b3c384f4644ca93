"""Split a source file into the documents it holds.

Most files hold one document. A scraped listing page holds several titled
entries, each ``• title`` line followed by the entry's body and a posting-date
line, then site boilerplate (contribution rules, pagination, hotlines). Such a
page is recognised by its shape, not by its name: every entry becomes its own
document and everything outside the entries is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportqa.records import DocumentSpan, SourceText
from reportqa.text import YEAR

_ENTRY_TITLE = re.compile(r"^\s*[•·●▪◆■]\s*(\S.{1,100}?)\s*$")
_POSTING_DATE = re.compile(rf"^\s*{YEAR}-\d{{1,2}}-\d{{1,2}}(\s+\d{{1,2}}:\d{{2}}(:\d{{2}})?)?\s*$")
# A listing needs at least this many entries; one bullet line proves nothing.
_MIN_ENTRIES = 2


@dataclass(frozen=True)
class Line:
    """A line of source text: ``text == source[start:end]`` (no newline)."""

    start: int
    end: int
    text: str


def split_lines(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    """Split ``text[start:end]`` into lines that keep their source offsets."""
    end = len(text) if end is None else end
    lines = []
    position = start
    while position <= end:
        newline = text.find("\n", position, end)
        stop = end if newline < 0 else newline
        content_end = stop - 1 if stop > position and text[stop - 1] == "\r" else stop
        lines.append(Line(position, content_end, text[position:content_end]))
        if newline < 0:
            break
        position = newline + 1
    return lines


def split_documents(source: SourceText) -> list[DocumentSpan]:
    """Return the documents inside ``source``, in order.

    A listing page yields one document per entry; any other file yields one
    document covering its text without leading and trailing whitespace.
    """
    lines = split_lines(source.text)
    entries = _listing_entries(lines)
    if len(entries) >= _MIN_ENTRIES:
        return [
            DocumentSpan(source, start, end, title, ordinal)
            for ordinal, (title, start, end) in enumerate(entries, start=1)
        ]
    start, end = _trimmed(source.text, 0, len(source.text))
    return [DocumentSpan(source, start, end, None, 1)] if start < end else []


def _listing_entries(lines: list[Line]) -> list[tuple[str, int, int]]:
    """Find ``• title`` / body / posting-date entries; return (title, start, end)."""
    entries = []
    index = 0
    while index < len(lines):
        title = _ENTRY_TITLE.match(lines[index].text)
        if not title:
            index += 1
            continue
        body_end = _next_posting_date(lines, index + 1)
        if body_end is None:
            index += 1
            continue
        body = [line for line in lines[index + 1:body_end] if line.text.strip()]
        if body:
            start, end = _trimmed_line_range(body)
            entries.append((title.group(1), start, end))
        index = body_end + 1
    return entries


def _next_posting_date(lines: list[Line], begin: int) -> int | None:
    """Index of the posting-date line closing the entry that starts at ``begin``."""
    for index in range(begin, len(lines)):
        if _POSTING_DATE.match(lines[index].text):
            return index
        if _ENTRY_TITLE.match(lines[index].text):
            return None
    return None


def _trimmed_line_range(body: list[Line]) -> tuple[int, int]:
    first, last = body[0], body[-1]
    start = first.start + (len(first.text) - len(first.text.lstrip()))
    end = last.end - (len(last.text) - len(last.text.rstrip()))
    return start, end


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
