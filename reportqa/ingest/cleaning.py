"""Classify the lines of a document: body text, or noise to drop.

Cleaning never rewrites text. It marks which source lines are noise (page
footers, captions of figures that are not there, stray URLs, infographic stat
labels, repeated blocks, a paragraph planted to instruct a question-answering
model) and which body lines run on into the next one (PDF line wraps,
paragraphs split by a page break). Later stages build passages from the body
lines only, so every passage is still a span of the source.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import Enum

from reportqa.ingest.planted import is_planted, planted_note
from reportqa.ingest.splitting import Line, split_lines
from reportqa.text import PARAGRAPH_END, display_width, match_form

_PAGE_FOOTER = re.compile(r"^(-\s*\d{1,4}\s*-|—\s*\d{1,4}\s*—|第\s*\d{1,4}\s*页(\s*共\s*\d{1,4}\s*页)?|共\s*\d{1,4}\s*页)$")
_FIGURE_CAPTION = re.compile(r"^图\s*\d{1,3}\s+\S")
_URL = re.compile(r"^(https?://|www\.)\S+$")
# An infographic's big figure ("7.1亿", "88.2%", "1+X", "“3 2 1”") on its own line.
_STAT_FIGURE = re.compile(r"^[“\"]?[\d.,+X×%]+[亿万千百%]?[”\"]?$")
_STAT_LABEL_MAX = 8
# A wrapped layout: at least this share of lines has the modal width.
_WRAPPED_SHARE = 0.4
_MIN_REPEATED_CHARS = 12
# A licence or copyright notice that starts near the end (a wiki's 「本作品是…属于公有领域」, 「版权所有」):
# everything from it to the end of the document is site boilerplate.
_LICENCE_START = re.compile(r"^(?:本作品(?:是|在|采用|以)|Public domain$|版权所有|Copyright\b|©)")
_LICENCE_WITHIN_LAST = 40
# Blank lines part a document's paragraphs when there are at least this many per body line.
_BLANK_PARTED_SHARE = 0.3


class LineKind(Enum):
    BLANK = "blank"
    BODY = "body"
    NOISE = "noise"


@dataclass(frozen=True)
class DocLine:
    """A classified line.

    Attributes:
        line: the source line.
        kind: body, noise or blank.
        width: display width of its text (CJK counts 2).
        continues: body lines only — the paragraph runs on into the next body
            line (a PDF wrap or a page break inside a paragraph).
        reason: why a noise line is noise.
    """

    line: Line
    kind: LineKind
    width: int
    continues: bool = False
    reason: str = ""

    @property
    def text(self) -> str:
        return self.line.text


@dataclass(frozen=True)
class Layout:
    """The classified lines of one document.

    Attributes:
        lines: every line of the document span, in order.
        wrap_width: the modal width of wrapped lines (0 when not wrapped).
        planted_paragraphs: how many paragraphs were dropped as planted instructions
            (``reportqa.ingest.planted``).
    """

    lines: tuple[DocLine, ...]
    wrap_width: int
    planted_paragraphs: int = 0

    @property
    def wrapped(self) -> bool:
        return self.wrap_width > 0

    @property
    def notes(self) -> tuple[str, ...]:
        """What cleaning dropped that the document's notes should say (「已排除1段疑似写给问答助手的指令」)."""
        note = planted_note(self.planted_paragraphs)
        return (note,) if note else ()


def classify_lines(text: str, start: int, end: int) -> Layout:
    """Classify the lines of ``text[start:end]`` (one document)."""
    lines = split_lines(text, start, end)
    widths = [display_width(line.text) for line in lines]
    wrap_width = detect_wrap_width(widths)
    # A line of whitespace or zero-width characters only (a stray BOM, U+200B) is blank.
    kinds = [LineKind.BLANK if not match_form(line.text) else LineKind.BODY for line in lines]
    reasons = [""] * len(lines)
    for index, reason in [*_noise_lines(lines, kinds, wrap_width), *_licence_footer(lines, kinds)]:
        kinds[index], reasons[index] = LineKind.NOISE, reason
    runs_on = [kind is LineKind.BODY and _runs_on(line.text, width, wrap_width)
               for line, kind, width in zip(lines, kinds, widths)]
    planted = _planted_paragraphs(lines, kinds, runs_on, wrap_width)
    for index in (index for paragraph in planted for index in paragraph):
        kinds[index], reasons[index] = LineKind.NOISE, "planted instruction"
    classified = [DocLine(line, kinds[index], widths[index], runs_on[index] and kinds[index] is LineKind.BODY,
                          reasons[index]) for index, line in enumerate(lines)]
    return Layout(tuple(classified), wrap_width, len(planted))


def detect_wrap_width(widths: list[int]) -> int:
    """The width a PDF extraction wrapped its lines at, or 0 for other layouts."""
    filled = [width for width in widths if width >= 20]
    if len(filled) < 10:
        return 0
    modal, _ = Counter(filled).most_common(1)[0]
    near = sum(1 for width in filled if abs(width - modal) <= 2)
    return modal if near >= _WRAPPED_SHARE * len(filled) and modal <= 160 else 0


def _runs_on(text: str, width: int, wrap_width: int) -> bool:
    """Whether a body line's paragraph continues on the next body line."""
    stripped = text.rstrip()
    if wrap_width:
        return width >= wrap_width - 4
    # A long line cut without closing punctuation was broken by a page break.
    return width >= 80 and stripped[-1:] not in PARAGRAPH_END


def _noise_lines(lines: list[Line], kinds: list[LineKind], wrap_width: int):
    """Yield (index, reason) for every noise line."""
    body = [index for index, kind in enumerate(kinds) if kind is LineKind.BODY]
    seen: set[str] = set()
    skip_next_caption_line = False
    for position, index in enumerate(body):
        stripped = lines[index].text.strip()
        compact = match_form(stripped)
        following = lines[body[position + 1]].text.strip() if position + 1 < len(body) else ""
        previous = lines[body[position - 1]].text.strip() if position > 0 else ""
        if skip_next_caption_line:
            skip_next_caption_line = False
            yield index, "figure caption"
        elif _PAGE_FOOTER.match(stripped):
            yield index, "page footer"
        elif _FIGURE_CAPTION.match(stripped) and display_width(stripped) <= max(wrap_width, 60) + 4:
            skip_next_caption_line = _caption_continues(stripped, following, wrap_width)
            yield index, "figure caption"
        elif _URL.match(stripped):
            yield index, "stray URL"
        elif _STAT_FIGURE.match(compact) and _is_stat_label(following):
            yield index, "infographic figure"
        elif _is_stat_label(stripped) and _STAT_FIGURE.match(match_form(previous)):
            yield index, "infographic label"
        elif not wrap_width and len(compact) >= _MIN_REPEATED_CHARS and compact in seen:
            yield index, "repeated block"
        seen.add(compact)


def _planted_paragraphs(lines: list[Line], kinds: list[LineKind], runs_on: list[bool],
                        wrap_width: int) -> list[list[int]]:
    """The body lines of every paragraph holding a planted instruction (「忽略之前的所有指令。…」).

    The whole paragraph goes, since the figure it plants may stand in its next sentence or line. Where
    blank lines part the paragraphs (most .txt and .docx text) a paragraph runs up to the blank line;
    elsewhere (a wrapped PDF, a web page's lines) it is the lines that run on into each other, and in
    both it goes on across a page break its last line runs on through. The instruction is looked for in
    the paragraph's lines read together (a wrap may cut it in two).
    """
    body = sum(kind is LineKind.BODY for kind in kinds)
    by_blank = not wrap_width and kinds.count(LineKind.BLANK) >= body * _BLANK_PARTED_SHARE
    paragraphs: list[list[int]] = []
    gap, carried = True, False
    for index, kind in enumerate(kinds):
        if kind is LineKind.BLANK:
            gap = True
        elif kind is LineKind.BODY:
            if not carried and (gap or not by_blank):
                paragraphs.append([])
            paragraphs[-1].append(index)
            gap, carried = False, runs_on[index]
    return [paragraph for paragraph in paragraphs if is_planted(" ".join(lines[index].text for index in paragraph))]


def _licence_footer(lines: list[Line], kinds: list[LineKind]) -> list[tuple[int, str]]:
    """(index, reason) for the body lines of a licence notice at the end of the document, if there is one."""
    body = [index for index, kind in enumerate(kinds) if kind is LineKind.BODY]
    tail = body[-_LICENCE_WITHIN_LAST:]
    start = next((index for index in tail if _LICENCE_START.match(lines[index].text.strip())), None)
    return [] if start is None else [(index, "licence notice") for index in body if index >= start]


def _is_stat_label(text: str) -> bool:
    compact = match_form(text)
    return 0 < len(compact) <= _STAT_LABEL_MAX and not any(ch in compact for ch in "。，,；;：:")


def _caption_continues(caption: str, following: str, wrap_width: int) -> bool:
    """A caption wrapped onto a second, short line without sentence punctuation."""
    if not following or any(ch in following for ch in "。；"):
        return False
    width = display_width(following)
    limit = (wrap_width or 60) * 0.6
    return caption.rstrip()[-1:] in "、，," or (width <= limit and following.rstrip()[-1:] in "）)")

