"""HTML for the web pages: result cards, answers with their sources, passages in context.

Every piece of document (and generated) text is escaped before it is placed
in markup, so a report containing ``<script>`` shows as text. Passages show
the source's own characters (``reportqa.ui.passages``) with query terms
highlighted by ``<mark>``; a card's context (the paragraphs around the passage,
read from the source file) opens in a ``<details>`` element with the passage
marked. In an answer each citation ``[n]`` is a link to its source, whose
context opens with the figures the citing sentences state marked, and 复制
copies the answer with its sources as Markdown (``reportqa.ui.style.PAGE_JS``
does the opening and the copying). The CSS is ``reportqa.ui.style.STYLE``.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Sequence

from reportqa.answer.citations import CITATION_MARK
from reportqa.indexing.lexical import ReportAnalyser
from reportqa.records import Answer, Hit
from reportqa.text import NUMBER, match_form, sentences
from reportqa.ui.markdown import answer_markdown, exchange_markdown
from reportqa.ui.passages import breadcrumb, highlight, passage_text, source_text
from reportqa.ui.wording import GENERATOR_LABELS

CONTEXT_CHARS = 500
DRAFT_LABEL = "草稿，核对中…"
SEARCHING = "检索资料中…"
WRITING = "已找到资料，正在生成回答…"
WAITING = "本地模型正在回答其他问题，前面还有 {ahead} 个，请稍候。资料已找到："
EVIDENCE = "资料（回答将依据这些段落）"
# The context view when the source file has changed (or gone) since it was indexed.
SOURCE_CHANGED = ("原文件在建立索引后已改动或已移走，无法显示上下文；下面是索引中保存的这段文字。"
                  "重新运行 python ingest.py 可按新文件更新索引。")
EMPTY_CHAT = "提问后，回答会引用报告原文：点 [1] 这样的标记查看出处及其上下文。"
# A figure and the character after it (its unit: 张, 家, 亿, %), so 4家 does not mark every 4.
_FIGURE = re.compile(rf"({NUMBER.pattern})([^\d\s\[\]。，,；;、：:]?)")


def query_terms(query: str) -> list[str]:
    """The words of a query worth highlighting: analysed terms of two or more characters, or numbers."""
    return [term for term in ReportAnalyser()(query) if len(term) >= 2 or term.isdigit()]


def context_html(hit: Hit, window: int = CONTEXT_CHARS, marked: Iterable[str] = ()) -> str:
    """The source around a passage, cut at line ends, with the passage in ``<mark class="passage">``.

    Args:
        hit: the passage.
        window: characters of context on each side.
        marked: strings to highlight inside the passage too (e.g. a cited figure).
    """
    text = source_text(hit)
    if text is None:
        return (f'<div class="rq-context rq-stale"><p>{html.escape(SOURCE_CHANGED)}</p>'
                f'<mark class="passage">{highlight(hit.text, marked)}</mark></div>')
    start = text.rfind("\n", 0, max(0, hit.char_start - window)) + 1
    end = text.find("\n", min(len(text), hit.char_end + window))
    end = len(text) if end < 0 else end
    before = html.escape(text[start:hit.char_start])
    passage = highlight(text[hit.char_start:hit.char_end], marked)
    after = html.escape(text[hit.char_end:end])
    return f'<div class="rq-context">{before}<mark class="passage">{passage}</mark>{after}</div>'


def _crumbs(hit: Hit) -> str:
    return " › ".join(html.escape(part) for part in breadcrumb(hit))


def _meta(hit: Hit) -> str:
    return " · ".join(html.escape(str(value)) for value in (hit.place, hit.year, hit.doc_type) if value)


def _context_details(hit: Hit, marks: Iterable[str] = ()) -> str:
    """The passage's context on demand, its summary naming the file and the characters it spans."""
    where = html.escape(f"{os.path.basename(hit.source_file)} 第{hit.char_start}–{hit.char_end}字")
    return f'<details class="rq-more"><summary>上下文 · {where}</summary>{context_html(hit, marked=marks)}</details>'


def hit_card(hit: Hit, terms: list[str]) -> str:
    """One result: rank, title › breadcrumb, metadata, passage with terms marked, context on demand."""
    return (
        f'<article class="rq-card" data-chunk="{html.escape(hit.chunk_id)}">'
        f'<header><span class="rq-rank">{hit.rank}</span> <span class="rq-crumbs">{_crumbs(hit)}</span></header>'
        f'<div class="rq-meta">{_meta(hit)}</div>'
        f'<p class="rq-passage">{highlight(passage_text(hit), terms)}</p>'
        f"{_context_details(hit)}</article>"
    )


def notices_html(notices: Sequence[str]) -> str:
    """Notices about the filters, one paragraph each."""
    return "".join(f'<p class="rq-notice">{html.escape(notice)}</p>' for notice in notices)


def results_html(hits: list[Hit], query: str, understood: str | None = None, relevant: bool = True,
                 notices: Sequence[str] = ()) -> str:
    """All result cards, with what was understood from the question and any notices about the filters on top.

    When ``relevant`` is False (nothing passed the relevance threshold) the
    cards are still shown, under a notice that they are only the closest.
    """
    terms = query_terms(query)
    head = f'<p class="rq-understood">理解：{html.escape(understood)}</p>' if understood else ""
    head += notices_html(notices)
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
        passage = answer.citations[n - 1].text
        marks[n] = list(dict.fromkeys(with_unit if match_form(with_unit) in passage else bare
                                      for bare, with_unit in figures))
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
        f'<p class="rq-passage">{highlight(passage_text(hit), marks)}</p>'
        f"{_context_details(hit, marks)}</li>"
    )


def _about(answer: Answer, copied: str) -> str:
    """Who wrote the answer and how long it took, beside the 复制 button that copies ``copied``."""
    seconds = answer.timings.get("total")
    about = [GENERATOR_LABELS.get(answer.generator, answer.generator)]
    about += [f"用时 {seconds:.1f} 秒"] if seconds is not None else []
    return (f'<div class="rq-actions"><span class="rq-meta">{html.escape(" · ".join(about))}</span>'
            f'<button class="rq-copy" type="button" title="复制回答及其来源（Markdown）" '
            f'data-copy="{html.escape(copied)}">复制</button></div>')


def answer_html(answer: Answer, turn: int, notices: Sequence[str] = ()) -> str:
    """A verified answer: 理解为 (for a follow-up), filter notices, the text with citation links, the note,
    who wrote it with a 复制 button, the sources.

    A refusal lists the closest passages as 可能相关 instead of sources.

    Args:
        answer: from ``Answerer.ask``.
        turn: the answer's place in the conversation (1-based), which keeps its source ids unique.
        notices: what the filters did (``reportqa.ui.wording.filter_notices``).
    """
    parts = []
    if answer.rewritten_question:
        parts.append(f'<p class="rq-understood">理解为：{html.escape(answer.rewritten_question)}</p>')
    parts.append(notices_html(notices))
    if answer.refused:
        parts.append(f'<p class="rq-answer rq-refused">{html.escape(answer.answer)}</p>')
        heading, listed, marks = "可能相关", answer.related, {}
    else:
        text = _with_citation_links(answer.answer, turn, len(answer.citations))
        parts.append(f'<p class="rq-answer">{text}</p>')
        heading, listed, marks = "来源", answer.citations, cited_figures(answer)
    if answer.note:
        parts.append(f'<p class="rq-note">{html.escape(answer.note)}</p>')
    parts.append(_about(answer, answer_markdown(answer, notices)))
    if listed:
        items = "".join(source_item(hit, turn, n, marks.get(n, ())) for n, hit in enumerate(listed, start=1))
        parts.append(f'<div class="rq-sources"><h4>{heading}</h4><ol>{items}</ol></div>')
    return "".join(parts)


def answered_turn_html(question: str, answer: Answer, turn: int, notices: Sequence[str] = ()) -> str:
    """One answered exchange, carrying its Markdown (question, answer, sources) for 导出对话."""
    exported = exchange_markdown(question, answer, answer_markdown(answer, notices))
    return turn_html(question, answer_html(answer, turn, notices), exported)


def draft_html(draft: str, passages: Sequence[Hit] = (), turn: int = 0, waiting: int | None = None) -> str:
    """The answer being written: what is happening (searching, waiting for the model, writing), the
    generator's text so far marked as a draft still to be checked, and the passages it is written from
    (shown as soon as they are found, numbered as the citations will be)."""
    if draft:
        head = (f'<div class="rq-draft"><span class="rq-badge">{DRAFT_LABEL}</span>'
                f"<p>{html.escape(draft)}</p></div>")
    elif waiting:
        head = f'<p class="rq-pending rq-waiting">{WAITING.format(ahead=waiting)}</p>'
    else:
        head = f'<p class="rq-pending">{WRITING if passages else SEARCHING}</p>'
    if not passages:
        return head
    items = "".join(source_item(hit, turn, n) for n, hit in enumerate(passages, start=1))
    return f'{head}<div class="rq-sources rq-evidence"><h4>{EVIDENCE}</h4><ol>{items}</ol></div>'


def error_html(message: str, detail: str = "") -> str:
    """Why a question got no answer and what to do; the error's own text, if any, folded under 详情."""
    folded = f"<details><summary>详情</summary>{html.escape(detail)}</details>" if detail else ""
    return f'<div class="rq-error"><p>出错：{html.escape(message)}</p>{folded}</div>'


def notice_html(message: str) -> str:
    """A reply that is no answer: a hint (ask a full question first) or 已停止."""
    return f'<p class="rq-notice">{html.escape(message)}</p>'


def turn_html(question: str, reply: str, markdown: str | None = None) -> str:
    """One exchange: the question as asked (escaped) and the reply's HTML; an answered exchange carries
    its Markdown in ``data-markdown``."""
    exported = f' data-markdown="{html.escape(markdown)}"' if markdown else ""
    return f'<section class="rq-turn"{exported}><div class="rq-user">{html.escape(question)}</div>' \
           f'<div class="rq-reply">{reply}</div></section>'


def conversation_html(turns: Sequence[str]) -> str:
    """The whole conversation, oldest first, from ``turn_html`` pieces."""
    if not turns:
        return f'<p class="rq-empty">{EMPTY_CHAT}</p>'
    return '<div class="rq-chat">' + "".join(turns) + "</div>"
