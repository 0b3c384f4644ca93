"""One indexed report read whole, with its outline, for the library page (文库).

``document_html`` shows a document's header (title, place and level, year,
type, file, passages), an outline (目录) of the section headings its passages
carry, and its whole text as the source writes it: the decoded source file
sliced at the document's span, in paragraphs the way passages are shown
(``reportqa.ui.passages.readable``: line wraps joined, full-width punctuation
kept). The outline's headings are the distinct breadcrumb prefixes of the
passages' sections, in order of first appearance. Each is looked for by its
label, in match form, in the first passage under it (or else last before it,
when that passage starts past a line the ingest dropped), after the heading
before it, so a heading inside a long scraped line is found too. Found, the
text is cut there and the heading, with the stop that ends it (or, glued to
its paragraph by a comma, the rest of its sentence), becomes an ``h3``–``h5``
with the id the outline links to; not found, an empty anchor marks where that
passage starts. When the source file has changed or gone since it was
indexed, the page says so and shows the passages the index keeps instead, in
order under their headings, each without what it repeats of the one before.
Every piece of text is escaped; the CSS is ``reportqa.ui.style.STYLE``.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass

from reportqa.records import Chunk, Document
from reportqa.search.hybrid import SearchIndex
from reportqa.text import SENTENCE_END, NormalizedText
from reportqa.ui.passages import _checked_source, readable
from reportqa.ui.render import SOURCE_CHANGED
from reportqa.ui.wording import LEVEL_NAMES

UNKNOWN_DOCUMENT = "文库中没有这份报告：索引可能已经更新，请刷新文库后重新选择。"
# A heading ends with the stop its label (cut there by the ingest) stands before: 「（一）总体要求：」.
_HEADING_STOPS = SENTENCE_END + "：:"
# A heading glued to its paragraph by a comma, or cut short, runs on to the end of its sentence, up to this
# many characters: 「（一）注重高质量，心无旁骛推动经济提质增效。」.
_RUN_ON_CHARS = 60
# Headings are h3 (the outermost level) to h5 (the third and deeper), under the header's h2.
_TOP_HEADING = 3
_DEEPEST_HEADING = 5


@dataclass(frozen=True)
class _Heading:
    """A heading of the outline: its anchor, its label (match form), its depth (1 = outermost) and the
    source span of the first passage under it (where it is looked for)."""

    anchor: str
    label: str
    depth: int
    start: int
    end: int


def document_html(index: SearchIndex, doc_id: str) -> str:
    """The document ``doc_id`` of ``index`` to read whole: header, outline (目录) and text.

    Args:
        index: the open index.
        doc_id: the document's id (``Document.doc_id``).

    Returns:
        ``<article class="rq-reader">`` holding a header, ``<nav class="rq-outline">`` (when the document
        has headings) and ``<div class="rq-text">``; for an id the index does not hold, the article holds a
        short notice instead.
    """
    document = index.documents.get(doc_id)
    if document is None:
        return f'<article class="rq-reader"><p class="rq-empty">{html.escape(UNKNOWN_DOCUMENT)}</p></article>'
    chunks = sorted((index.chunks[row] for row in index.chunks.rows_of([doc_id]).tolist()),
                    key=lambda chunk: chunk.char_start)
    outline = _outline(chunks)
    source = _document_source(document)
    if source is None:
        shown, text = _stale_text_html(chunks, outline)
        text = f'<p class="rq-notice">{html.escape(SOURCE_CHANGED)}</p>{text}'
    else:
        shown, text = _source_text_html(source, document, list(outline.values()))
    return (f'<article class="rq-reader" data-doc="{html.escape(doc_id)}">{_header_html(document, len(chunks))}'
            f'{_outline_html(list(outline.values()), shown)}<div class="rq-text">{text}</div></article>')


def _document_source(document: Document) -> str | None:
    """The decoded source file, None when it is gone or has changed since it was indexed."""
    try:
        stat = os.stat(document.source_file)
    except OSError:
        return None
    return _checked_source(document.source_file, stat.st_size, stat.st_mtime_ns, document.source_sha256)


def _outline(chunks: list[Chunk]) -> dict[tuple[str, ...], _Heading]:
    """Every distinct breadcrumb prefix of the passages' sections (a heading, by its path), in order of
    first appearance; a label repeated under another parent (each chapter's 「（一）」) is another heading."""
    headings: dict[tuple[str, ...], _Heading] = {}
    for chunk in chunks:
        for depth in range(1, len(chunk.section) + 1):
            path = chunk.section[:depth]
            if path not in headings:
                anchor = f"rq-read-{len(headings) + 1}"
                headings[path] = _Heading(anchor, path[-1], depth, chunk.char_start, chunk.char_end)
    return headings


def _header_html(document: Document, passages: int) -> str:
    """Title, then place (level) · year · type · file · passages."""
    place, level = document.issuing_place or "", LEVEL_NAMES.get(document.place_level or "")
    if place and level and level != place:
        place += f"（{level}）"
    facts = [("地区", place), ("年份", str(document.year or "")), ("类型", document.doc_type),
             ("文件", os.path.basename(document.source_file)), ("段落", str(passages))]
    meta = " · ".join(f"{label}：{html.escape(value)}" for label, value in facts if value)
    return f'<header><h2>{html.escape(document.title)}</h2><div class="rq-meta">{meta}</div></header>'


def _outline_html(headings: list[_Heading], shown: dict[str, str]) -> str:
    """The 目录: lists nested by depth, each heading (as ``shown`` in the text) a link to its anchor."""
    if not headings:
        return ""
    parts, depth = ['<nav class="rq-outline" aria-label="目录"><h3>目录</h3>'], 0
    for heading in headings:
        if heading.depth > depth:
            parts.append("<ul>" * (heading.depth - depth))
        else:
            parts.append("</li>" + "</ul></li>" * (depth - heading.depth))
        parts.append(f'<li><a href="#{heading.anchor}">{html.escape(shown[heading.anchor])}</a>')
        depth = heading.depth
    parts.append("</li>" + "</ul></li>" * (depth - 1) + "</ul></nav>")
    return "".join(parts)


def _heading_html(heading: _Heading, text: str) -> str:
    tag = f"h{min(_TOP_HEADING + heading.depth - 1, _DEEPEST_HEADING)}"
    return f'<{tag} id="{heading.anchor}">{html.escape(text)}</{tag}>'


def _label_span(text: str, label: str, last: bool = False) -> tuple[int, int] | None:
    """Where the heading ``label`` is in ``text`` (both in match form; its first occurrence, or its last
    when ``last``), with the stop that ends it (「。」「：」); a label cut short (「…」) or glued to its
    paragraph by a comma runs on to the end of its sentence. None when ``text`` does not hold it."""
    wanted = label.removesuffix("…")
    start = (text.rfind(wanted) if last else text.find(wanted)) if wanted else -1
    if start < 0:
        return None
    end = start + len(wanted)
    if label.endswith("…") or text[end:end + 1] in ("，", ","):
        stops = [text.find(stop, end, end + _RUN_ON_CHARS) for stop in _HEADING_STOPS]
        end = min((stop for stop in stops if stop >= 0), default=end)
    if text[end:end + 1] and text[end] in _HEADING_STOPS:
        end += 1
    return start, end


def _source_label_span(source: str, start: int, end: int, label: str, last: bool = False) -> tuple[int, int] | None:
    """``_label_span`` in ``source[start:end]``, as offsets in ``source``."""
    normal = NormalizedText.of(source[start:end])
    found = _label_span(normal.text, label, last)
    if found is None:
        return None
    found_start, found_end = normal.source_span(*found)
    return start + found_start, start + found_end


def _heading_spans(source: str, document: Document, headings: list[_Heading]) -> list[tuple[_Heading, int, int]]:
    """Each heading's span in ``source``: its label in the first passage under it, or else the last time
    before that passage (after the heading before it: a passage may start after its heading, past a line
    the ingest dropped); an empty span where that passage starts when neither holds the label."""
    spans, cursor = [], document.start
    for heading in headings:
        low = min(max(heading.start, cursor), document.end)
        found = (_source_label_span(source, low, max(heading.end, low), heading.label)
                 or _source_label_span(source, cursor, low, heading.label, last=True) or (low, low))
        spans.append((heading, *found))
        cursor = found[1]
    return spans


def _paragraphs_html(raw: str) -> str:
    """Source text between two headings as paragraphs (``readable``: line wraps joined)."""
    return "".join(f"<p>{html.escape(line)}</p>" for line in readable(raw).split("\n") if line.strip())


def _source_text_html(source: str, document: Document, headings: list[_Heading]) -> tuple[dict[str, str], str]:
    """The document's text as the source writes it: paragraphs, cut at each heading found.

    Returns:
        Each heading's text as shown, by anchor (as the source writes it where found, else its label), and
        the HTML.
    """
    shown = {heading.anchor: heading.label for heading in headings}
    parts, position = [], document.start
    for heading, start, end in _heading_spans(source, document, headings):
        parts.append(_paragraphs_html(source[position:start]))
        if end > start:
            shown[heading.anchor] = readable(source[start:end]).replace("\n", " ")
            parts.append(_heading_html(heading, shown[heading.anchor]))
        else:
            parts.append(f'<a class="rq-anchor" id="{heading.anchor}"></a>')
        position = max(position, end)
    parts.append(_paragraphs_html(source[position:document.end]))
    return shown, "".join(parts)


def _stale_text_html(chunks: list[Chunk], outline: dict[tuple[str, ...], _Heading]) -> tuple[dict[str, str], str]:
    """The passages the index keeps (match form), in order, each passage without what it repeats of the one
    before, cut at each heading that first appears in it (where the passage holds its label, else before it).

    Returns:
        Each heading's text as shown, by anchor, and the HTML.
    """
    shown: dict[str, str] = {}
    parts, previous = [], None
    for chunk in chunks:
        text = chunk.text[_repeated(previous, chunk):]
        for depth in range(1, len(chunk.section) + 1):
            heading = outline[chunk.section[:depth]]
            if heading.anchor in shown:
                continue
            start, end = _label_span(text, heading.label) or (0, 0)
            if start:
                parts.append(f"<p>{html.escape(text[:start])}</p>")
            shown[heading.anchor] = text[start:end] or heading.label
            parts.append(_heading_html(heading, shown[heading.anchor]))
            text = text[end:]
        if text:
            parts.append(f"<p>{html.escape(text)}</p>")
        previous = chunk
    return shown, "".join(parts)


def _repeated(previous: Chunk | None, chunk: Chunk) -> int:
    """How many leading characters of ``chunk.text`` repeat the end of ``previous.text``: the longest stretch
    the two agree on, at most as long as the source the two passages share (``previous.char_end`` past
    ``chunk.char_start``; the source, with its whitespace, is the longer)."""
    if previous is None:
        return 0
    shared = min(previous.char_end - chunk.char_start, len(chunk.text), len(previous.text))
    return next((n for n in range(shared, 0, -1) if previous.text.endswith(chunk.text[:n])), 0)
