"""HTML for the web pages: result cards, answers with their sources, passages in context.

Every piece of document (and generated) text is escaped before it is placed
in markup, so a report containing ``<script>`` shows as text. Query terms are
highlighted with ``<mark>``; a card's context (the paragraphs around the
passage, read from the source file) opens in a ``<details>`` element with the
passage marked. In an answer each citation ``[n]`` is a link to its source,
whose context opens with the figures the citing sentences state marked
(``CITATION_JS`` does the opening).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from reportqa.answer.citations import CITATION_MARK
from reportqa.indexing.lexical import ReportAnalyser
from reportqa.ingest.loaders import load_source
from reportqa.records import Answer, Hit
from reportqa.text import NUMBER, sentences

CONTEXT_CHARS = 500
DRAFT_LABEL = "草稿，核对中…"
# A figure and the character after it (its unit: 张, 家, 亿, %), so 4家 does not mark every 4.
_FIGURE = re.compile(rf"({NUMBER.pattern})([^\d\s\[\]。，,；;、：:]?)")


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


def _crumbs(hit: Hit) -> str:
    return " › ".join(html.escape(part) for part in (hit.title, *hit.section))


def _meta(hit: Hit) -> str:
    return " · ".join(html.escape(str(value)) for value in (hit.place, hit.year, hit.doc_type) if value)


def _place(hit: Hit) -> str:
    return html.escape(f"{hit.source_file}:{hit.char_start}-{hit.char_end}")


def hit_card(hit: Hit, terms: list[str]) -> str:
    """One result: title › breadcrumb, metadata, passage with terms marked, context on demand."""
    return (
        f'<article class="rq-card" data-chunk="{html.escape(hit.chunk_id)}">'
        f'<header><span class="rq-rank">{hit.rank}</span> <span class="rq-crumbs">{_crumbs(hit)}</span>'
        f'<span class="rq-score">{hit.score:.4f}</span></header>'
        f'<div class="rq-meta">{_meta(hit)}</div>'
        f'<p class="rq-passage">{highlight(hit.text, terms)}</p>'
        f'<details class="rq-more"><summary>上下文 · {_place(hit)}</summary>{context_html(hit)}</details>'
        "</article>"
    )


def results_html(hits: list[Hit], query: str, understood: str | None = None, relevant: bool = True,
                 notices: Sequence[str] = ()) -> str:
    """All result cards, with what was understood from the question and any notices about the filters on top.

    When ``relevant`` is False (nothing passed the relevance threshold) the
    cards are still shown, under a notice that they are only the closest.
    """
    terms = query_terms(query)
    head = f'<p class="rq-understood">理解: {html.escape(understood)}</p>' if understood else ""
    head += "".join(f'<p class="rq-notice">{html.escape(notice)}</p>' for notice in notices)
    if not hits:
        return head + '<p class="rq-empty">没有找到相关段落。</p>'
    if not relevant:
        head += '<p class="rq-empty">没有找到明显相关的段落；以下是最接近的结果。</p>'
    return head + "".join(hit_card(hit, terms) for hit in hits)


def source_id(turn: int, number: int) -> str:
    """The element id of source ``[number]`` of the ``turn``-th answer (both 1-based), e.g. ``rq-src-1-2``."""
    return f"rq-src-{turn}-{number}"


def cited_figures(answer: Answer) -> dict[int, list[str]]:
    """For each citation number, the figures stated by the sentences citing it (not those of the question).

    A figure is kept with its unit (``774张``) when the cited passage has it
    so, else bare (``774``), so highlighting it marks the figure and not every
    digit that happens to match.
    """
    asked = set(NUMBER.findall(answer.rewritten_question or answer.question))
    found: dict[int, list[tuple[str, str]]] = {n: [] for n in range(1, len(answer.citations) + 1)}
    for sentence in sentences(answer.answer):
        numbers = [int(n) for n in CITATION_MARK.findall(sentence) if 1 <= int(n) <= len(answer.citations)]
        for number, unit in _FIGURE.findall(CITATION_MARK.sub("", sentence)):
            if number not in asked:
                for n in numbers:
                    found[n].append((number, number + unit))
    marks: dict[int, list[str]] = {}
    for n, figures in found.items():
        hit = answer.citations[n - 1]
        raw = source_text(hit.source_file)[hit.char_start:hit.char_end]
        marks[n] = list(dict.fromkeys(with_unit if with_unit in raw else bare for bare, with_unit in figures))
    return marks


def _with_citation_links(text: str, turn: int, count: int) -> str:
    """``text`` escaped, each ``[n]`` (1 ≤ n ≤ count) a link to its source."""

    def link(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if not 1 <= number <= count:
            return match.group(0)
        target = source_id(turn, number)
        return f'<a class="rq-cite" href="#{target}" data-source="{target}">[{number}]</a>'

    return CITATION_MARK.sub(link, html.escape(text))


def source_item(hit: Hit, turn: int, number: int, marks: Iterable[str] = ()) -> str:
    """One source of an answer: title › breadcrumb, place · year, the passage, its context on demand."""
    marks = list(marks)
    return (
        f'<li class="rq-source" id="{source_id(turn, number)}">'
        f'<header><span class="rq-rank">[{number}]</span> <span class="rq-crumbs">{_crumbs(hit)}</span></header>'
        f'<div class="rq-meta">{_meta(hit)}</div>'
        f'<p class="rq-passage">{highlight(hit.text, marks)}</p>'
        f'<details class="rq-more"><summary>上下文 · {_place(hit)}</summary>'
        f'{context_html(hit, marked=marks)}</details></li>'
    )


def answer_html(answer: Answer, turn: int) -> str:
    """A verified answer: 理解为 (for a follow-up), the text with citation links, the note, the sources.

    A refusal lists the closest passages as 可能相关 instead of sources.

    Args:
        answer: from ``Answerer.ask``.
        turn: the answer's place in the conversation (1-based), which keeps its source ids unique.
    """
    parts = []
    if answer.rewritten_question:
        parts.append(f'<p class="rq-understood">理解为：{html.escape(answer.rewritten_question)}</p>')
    if answer.refused:
        parts.append(f'<p class="rq-answer rq-refused">{html.escape(answer.answer)}</p>')
        heading, listed, marks = "可能相关", answer.related, {}
    else:
        text = _with_citation_links(answer.answer, turn, len(answer.citations))
        parts.append(f'<p class="rq-answer">{text}</p>')
        heading, listed, marks = "来源", answer.citations, cited_figures(answer)
    if answer.note:
        parts.append(f'<p class="rq-note">{html.escape(answer.note)}</p>')
    seconds = answer.timings.get("total")
    about = " · ".join([html.escape(answer.generator)] + ([f"{seconds:.1f} s"] if seconds is not None else []))
    parts.append(f'<div class="rq-meta">{about}</div>')
    if listed:
        items = "".join(source_item(hit, turn, n, marks.get(n, ())) for n, hit in enumerate(listed, start=1))
        parts.append(f'<div class="rq-sources"><h4>{heading}</h4><ol>{items}</ol></div>')
    return "".join(parts)


def draft_html(draft: str) -> str:
    """The generator's text while it streams, marked as a draft still to be checked."""
    if not draft:
        return '<p class="rq-pending">检索资料、生成回答中…</p>'
    return f'<div class="rq-draft"><span class="rq-badge">{DRAFT_LABEL}</span><p>{html.escape(draft)}</p></div>'


def error_html(message: str) -> str:
    """Why a question got no answer (a generator that could not be made or failed)."""
    return f'<p class="rq-error">出错：{html.escape(message)}</p>'


def turn_html(question: str, reply: str) -> str:
    """One exchange: the question as asked (escaped) and the reply's HTML."""
    return f'<section class="rq-turn"><div class="rq-user">{html.escape(question)}</div>' \
           f'<div class="rq-reply">{reply}</div></section>'


def conversation_html(turns: Sequence[str]) -> str:
    """The whole conversation, oldest first, from ``turn_html`` pieces."""
    if not turns:
        return '<p class="rq-empty">提问后，回答会引用报告原文：点 [1] 这样的标记查看出处及其上下文。</p>'
    return '<div class="rq-chat">' + "".join(turns) + "</div>"


# Run once by the chat's gr.HTML (js_on_load, with ``element`` its container): a click on a
# citation opens that source's context and scrolls the cited figure into view. Delegated, so
# it keeps working when the conversation is re-rendered.
CITATION_JS = """
element.addEventListener('click', (event) => {
  const cite = event.target.closest('a.rq-cite');
  if (!cite) return;
  event.preventDefault();
  const source = document.getElementById(cite.dataset.source);
  if (!source) return;
  const details = source.querySelector('details');
  if (details) details.open = true;
  source.classList.remove('rq-flash');
  void source.offsetWidth;
  source.classList.add('rq-flash');
  const passage = source.querySelector('.rq-context mark.passage');
  const figure = passage && (passage.querySelector('mark') || passage);
  (figure || source).scrollIntoView({block: 'center'});
});
"""

STYLE = """
.rq-card {border: 1px solid #ddd; border-radius: 8px; padding: 10px 14px; margin: 10px 0;}
.rq-card header {font-weight: 600;}
.rq-rank {display: inline-block; min-width: 1.6em; color: #666;}
.rq-score {float: right; color: #999; font-weight: 400; font-size: 0.85em;}
.rq-meta, .rq-understood {color: #777; font-size: 0.85em;}
.rq-notice {border-left: 3px solid #e0a800; padding: 2px 0 2px 10px; font-size: 0.9em;}
.rq-passage {line-height: 1.7; margin: 6px 0;}
.rq-context {white-space: pre-wrap; line-height: 1.6; background: #fafafa; padding: 8px; max-height: 420px;
             overflow-y: auto; font-size: 0.92em;}
mark {background: #fff0a8; padding: 0 1px;}
mark.passage {background: #e3f0ff;}
mark.passage mark {background: #ffd966;}
.rq-turn {margin: 14px 0;}
.rq-user {margin-left: auto; width: fit-content; max-width: 80%; background: #eef4ff; border-radius: 10px;
          padding: 8px 12px;}
.rq-reply {border-left: 3px solid #dde3ea; padding: 2px 0 2px 12px; margin-top: 8px;}
.rq-answer {line-height: 1.8; font-size: 1.05em; margin: 4px 0;}
.rq-refused {color: #a33;}
.rq-note, .rq-error {color: #a05a00; font-size: 0.9em;}
.rq-pending {color: #777;}
.rq-draft p {color: #666; line-height: 1.8;}
.rq-badge {display: inline-block; font-size: 0.8em; color: #a05a00; background: #fff4e0; border-radius: 4px;
           padding: 0 6px;}
a.rq-cite {text-decoration: none; color: #1a5fb4; font-size: 0.85em; vertical-align: super; padding: 0 1px;}
a.rq-cite:hover {text-decoration: underline;}
.rq-sources h4 {margin: 10px 0 4px; font-size: 0.9em; color: #555;}
.rq-sources ol {list-style: none; padding: 0; margin: 0;}
.rq-source {border: 1px solid #ddd; border-radius: 8px; padding: 8px 12px; margin: 6px 0;}
.rq-source header {font-weight: 600;}
.rq-source.rq-flash {animation: rq-flash 1.5s ease-out;}
@keyframes rq-flash {from {background: #fff0a8;} to {background: transparent;}}
"""
