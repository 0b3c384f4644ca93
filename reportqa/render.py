"""HTML for the web pages: result cards, passages in context, the library table.

Every piece of document text is escaped before it is placed in markup, so a
report containing ``<script>`` shows as text. Query terms are highlighted with
``<mark>``; a card's context (the paragraphs around the passage, read from the
source file) opens in a ``<details>`` element with the passage marked.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from functools import lru_cache

from reportqa.lexical import ReportAnalyser
from reportqa.loaders import load_source
from reportqa.search import Hit

CONTEXT_CHARS = 500


def highlight(text: str, terms: Iterable[str]) -> str:
    """``text`` escaped, with every occurrence of any term wrapped in ``<mark>``."""
    spans: list[tuple[int, int]] = []
    for term in {term for term in terms if term}:
        start = text.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = text.find(term, start + 1)
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, position = [], 0
    for start, end in merged:
        pieces.append(html.escape(text[position:start]))
        pieces.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    pieces.append(html.escape(text[position:]))
    return "".join(pieces)


def query_terms(query: str) -> list[str]:
    """The words of a query worth highlighting: analysed terms of two or more characters, or numbers."""
    return [term for term in ReportAnalyser()(query) if len(term) >= 2 or term.isdigit()]


@lru_cache(maxsize=32)
def source_text(path: str) -> str:
    """The decoded text of a source file (what hit offsets index into)."""
    return load_source(path).text


def context_html(hit: Hit, window: int = CONTEXT_CHARS, marked: Iterable[str] = ()) -> str:
    """The source around a passage, cut at line ends, with the passage in ``<mark class="passage">``.

    Args:
        hit: the passage.
        window: characters of context on each side.
        marked: strings to highlight inside the passage too (e.g. a cited figure).
    """
    text = source_text(hit.source_file)
    start = text.rfind("\n", 0, max(0, hit.char_start - window)) + 1
    end = text.find("\n", min(len(text), hit.char_end + window))
    end = len(text) if end < 0 else end
    before = html.escape(text[start:hit.char_start])
    passage = highlight(text[hit.char_start:hit.char_end], marked)
    after = html.escape(text[hit.char_end:end])
    return f'<div class="rq-context">{before}<mark class="passage">{passage}</mark>{after}</div>'


def hit_card(hit: Hit, terms: list[str]) -> str:
    """One result: title › breadcrumb, metadata, passage with terms marked, context on demand."""
    crumbs = " › ".join(html.escape(part) for part in (hit.title, *hit.section))
    meta = " · ".join(html.escape(str(value)) for value in (hit.district, hit.year, hit.doc_type) if value)
    place = html.escape(f"{hit.source_file}:{hit.char_start}-{hit.char_end}")
    return (
        f'<article class="rq-card" data-chunk="{html.escape(hit.chunk_id)}">'
        f'<header><span class="rq-rank">{hit.rank}</span> <span class="rq-crumbs">{crumbs}</span>'
        f'<span class="rq-score">{hit.score:.4f}</span></header>'
        f'<div class="rq-meta">{meta}</div>'
        f'<p class="rq-passage">{highlight(hit.text, terms)}</p>'
        f'<details class="rq-more"><summary>上下文 · {place}</summary>{context_html(hit)}</details>'
        "</article>"
    )


def results_html(hits: list[Hit], query: str, understood: str | None = None, relevant: bool = True) -> str:
    """All result cards, with what was understood from the question on top.

    When ``relevant`` is False (nothing passed the relevance threshold) the
    cards are still shown, under a notice that they are only the closest.
    """
    terms = query_terms(query)
    head = f'<p class="rq-understood">理解: {html.escape(understood)}</p>' if understood else ""
    if not hits:
        return head + '<p class="rq-empty">没有找到相关段落。</p>'
    if not relevant:
        head += '<p class="rq-empty">没有找到明显相关的段落；以下是最接近的结果。</p>'
    return head + "".join(hit_card(hit, terms) for hit in hits)


STYLE = """
.rq-card {border: 1px solid #ddd; border-radius: 8px; padding: 10px 14px; margin: 10px 0;}
.rq-card header {font-weight: 600;}
.rq-rank {display: inline-block; min-width: 1.6em; color: #666;}
.rq-score {float: right; color: #999; font-weight: 400; font-size: 0.85em;}
.rq-meta, .rq-understood {color: #777; font-size: 0.85em;}
.rq-passage {line-height: 1.7; margin: 6px 0;}
.rq-context {white-space: pre-wrap; line-height: 1.6; background: #fafafa; padding: 8px; max-height: 420px;
             overflow-y: auto; font-size: 0.92em;}
mark {background: #fff0a8; padding: 0 1px;}
mark.passage {background: #e3f0ff;}
mark.passage mark {background: #ffd966;}
"""
