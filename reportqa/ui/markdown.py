"""Answers as Markdown, for the chat's 复制 button and 导出对话.

An answer is its text (citations ``[n]`` as written) followed by one line per
source, 「[1] 标题 · 章节：原文」, in the source's own characters; a refusal lists
the closest passages under 可能相关 instead. An exchange adds the question as a
heading; the page's 导出对话 joins the exchanges under ``EXPORT_TITLE``.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportqa.records import Answer, Hit
from reportqa.ui.passages import breadcrumb, passage_text

EXPORT_TITLE = "# reportqa 对话记录"


def source_line(hit: Hit, number: int) -> str:
    """「[1] 标题 · 章节 › 小节：原文」, the passage on one line."""
    title, *section = breadcrumb(hit)
    where = " · ".join(part for part in (title, " › ".join(section)) if part)
    return f"[{number}] {where}：{' '.join(passage_text(hit).splitlines())}"


def answer_markdown(answer: Answer, notices: Sequence[str] = ()) -> str:
    """The answer, its note and notices, then its sources (or, for a refusal, the closest passages)."""
    blocks = [answer.answer, *notices, *([answer.note] if answer.note else [])]
    listed = answer.related if answer.refused else answer.citations
    if listed:
        blocks.append("可能相关：" if answer.refused else "来源：")
        blocks += [source_line(hit, number) for number, hit in enumerate(listed, start=1)]
    return "\n\n".join(blocks)


def exchange_markdown(question: str, answer: Answer, answered: str) -> str:
    """One exchange: the question as a heading, what a follow-up was understood as, the answer's Markdown."""
    understood = [f"（理解为：{answer.rewritten_question}）"] if answer.rewritten_question else []
    return "\n\n".join([f"## 问：{question}", *understood, answered])
