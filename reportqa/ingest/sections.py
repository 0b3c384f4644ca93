"""Find section headings and 专栏 boxes, and give every position its breadcrumb.

Chinese official documents number their headings by a fixed convention:
第X章 › 一、 › （一） › 1. › （1）. Letter-spaced or keyword headings (前 言,
结 语, 附录, 名词解释) and standalone period headings of infographics
("2020年工作回顾") sit at the top. A heading may stand on its own line, be
glued to its paragraph, or, in one-line web scrapes, follow a sentence end in
the middle of a line.

A numeral is only a heading when it starts a line whose predecessor ended a
paragraph, or follows a sentence end, and when it continues its level's
sequence: ``办企合 一、市场化运作`` and ``区属 二、三级企业`` are not headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from reportqa.ingest.cleaning import DocLine, Layout, LineKind
from reportqa.records import Heading
from reportqa.text import PARAGRAPH_END, PLAN_PERIOD, SENTENCE_END, YEAR, chinese_numeral, match_form

BOX_LEVEL = 9
_DEEPEST_LEVEL = 4
_CN = "一二三四五六七八九十百零〇"

# (level, pattern, allowed in the middle of a line)
_MARKERS = (
    (0, re.compile(rf"第([{_CN}]+|\d+)[章篇]"), True),
    (1, re.compile(rf"([{_CN}]+)、"), True),
    (2, re.compile(rf"[（(]([{_CN}]+)[）)]"), True),
    (3, re.compile(r"(\d{1,2})[.．、](?![\d.．])"), False),
    (4, re.compile(r"[（(](\d{1,2})[）)]"), False),
)
_BOX = re.compile(r"专栏\s*(\d{1,3})")
_KEYWORD_HEADINGS = ("前言", "结语", "序言", "后记", "附录", "附件", "名词解释", "附表")
_PERIOD_HEADING = re.compile(rf"^({YEAR}年?(工作回顾|主要任务|主要工作|工作安排)|(回顾|展望|盘点)“?{PLAN_PERIOD}”?)$")
_SENTENCE_STOPS = SENTENCE_END + "：:"
_LABEL_STOPS = _SENTENCE_STOPS + "，,"
_MAX_LABEL_CHARS = 30
# Phrases that end a top-level heading of a work report; used to find where a
# heading glued to its paragraph stops ("一、2020年工作回顾过去一年,…").
_HEADING_ENDING = re.compile(r"^.*?(工作回顾|主要任务|主要工作|开局工作|治理现代化|自身建设|》的说明|》)")
_STANDALONE_MAX_CHARS = 50


@dataclass(frozen=True)
class BoxScope:
    """A 专栏 box: its title heading and where its content ends."""

    heading: Heading
    end: int


@dataclass(frozen=True)
class Outline:
    """The headings and boxes of one document, in source order."""

    headings: tuple[Heading, ...]
    boxes: tuple[BoxScope, ...]

    def breadcrumb_at(self, position: int) -> tuple[str, ...]:
        """The section path that covers ``position``, outermost first.

        A box nests under the section it stands in, and the numbered items
        inside it nest under the box until the box ends.
        """
        events = sorted(
            [(heading.start, heading, None) for heading in self.headings]
            + [(box.heading.start, box.heading, box.end) for box in self.boxes],
            key=lambda event: event[0],
        )
        stack: list[tuple[Heading, int | None]] = []
        for start, heading, box_end in events:
            if start > position:
                break
            _close_boxes(stack, start)
            if box_end is None:
                while stack and stack[-1][1] is None and stack[-1][0].level >= heading.level:
                    stack.pop()
            stack.append((heading, box_end))
        _close_boxes(stack, position)
        return tuple(heading.label for heading, _ in stack)


def _close_boxes(stack: list[tuple[Heading, int | None]], position: int) -> None:
    """Pop every box that ended at or before ``position``, with what it holds."""
    for depth, (_, box_end) in enumerate(stack):
        if box_end is not None and box_end <= position:
            del stack[depth:]
            return


def find_outline(text: str, layout: Layout) -> Outline:
    """Detect the headings and 专栏 boxes of a document."""
    counters = [0] * (_DEEPEST_LEVEL + 1)
    headings: list[Heading] = []
    boxes: list[BoxScope] = []
    body = [line for line in layout.lines if line.kind is LineKind.BODY]
    for index, line in enumerate(body):
        previous = body[index - 1] if index else None
        following = body[index + 1] if index + 1 < len(body) else None
        box = _box_title(line)
        if box is not None:
            boxes.append(BoxScope(box, _box_end(body, index, layout.wrap_width)))
            counters[3:] = [0] * (len(counters) - 3)
            continue
        headings.extend(_line_headings(text, line, previous, following, counters))
    return Outline(_level_standalone_headings(headings), tuple(boxes))


def _level_standalone_headings(headings: list[Heading]) -> tuple[Heading, ...]:
    """Put 前言/附录-style headings at the document's top numbered level.

    They are siblings of the top-level chapters (前言, 一、…, 十、, 结语), so a
    following 一、 closes them, while a glossary's 1. items nest under 附录.
    """
    numbered = [heading.level for heading in headings if heading.number]
    top = min(numbered) if numbered else 0
    return tuple(replace(heading, level=top) if not heading.number else heading for heading in headings)


def _line_headings(text: str, line: DocLine, previous: DocLine | None, following: DocLine | None, counters: list[int]):
    """Yield the accepted headings that start in ``line``, updating ``counters``."""
    content_start = line.line.start + len(line.text) - len(line.text.lstrip())
    standalone = _standalone_heading(line, previous)
    if standalone is not None:
        counters[:] = [0] * len(counters)
        yield Heading(content_start, line.line.end, 0, 0, standalone)
        return
    starts_paragraph = previous is None or not previous.continues or previous.text.rstrip()[-1:] in PARAGRAPH_END
    candidates = sorted(
        (match.start(), level, match, inline_ok)
        for level, pattern, inline_ok in _MARKERS
        for match in pattern.finditer(text, content_start, line.line.end)
    )
    for _, level, match, inline_ok in candidates:
        at_line_start = match.start() == content_start
        number = chinese_numeral(match.group(1))
        if at_line_start and not starts_paragraph and not _continues_sequence(level, number, counters):
            continue
        if not at_line_start and not (inline_ok and _after_sentence_end(text, match.start(), content_start)):
            continue
        if number != counters[level] + 1:
            continue
        counters[level] = number
        counters[level + 1:] = [0] * (len(counters) - level - 1)
        end, label = _heading_extent(text, match.start(), match.end(), line, following)
        yield Heading(match.start(), end, level, number, label)


def _continues_sequence(level: int, number: int, counters: list[int]) -> bool:
    """A line-start numeral after an unfinished line still counts when it is the
    next one of an upper level's running sequence (二、 after 一、), as happens
    after a flattened table; a lone 一、 there is a wrapped sentence."""
    return level <= 2 and number >= 2 and number == counters[level] + 1


def _standalone_heading(line: DocLine, previous: DocLine | None) -> str | None:
    """A keyword (前 言, 附录：…) or period (2020年工作回顾) heading line."""
    compact = match_form(line.text)
    if len(compact) > 20 or (previous is not None and previous.continues):
        return None
    if compact in _KEYWORD_HEADINGS or compact.startswith(("附录", "附件")) or _PERIOD_HEADING.match(compact):
        return compact
    return None


def _after_sentence_end(text: str, position: int, floor: int) -> bool:
    """True when the last non-space character before ``position`` ends a sentence."""
    index = position - 1
    while index >= floor and text[index].isspace():
        index -= 1
    return index >= floor and text[index] in _SENTENCE_STOPS


def _is_short(line: DocLine) -> bool:
    return len(match_form(line.text)) <= _STANDALONE_MAX_CHARS


def _heading_extent(text: str, start: int, marker_end: int, line: DocLine, following: DocLine | None) -> tuple[int, str]:
    """Where the heading's own text ends, and its breadcrumb label."""
    marker = match_form(text[start:marker_end])
    at_line_start = line.line.start + len(line.text) - len(line.text.lstrip()) == start
    if at_line_start and _is_short(line) and not any(ch in _SENTENCE_STOPS for ch in line.text.rstrip()[:-1]):
        end = line.line.end
        title = text[marker_end:end]
        if following is not None and line.continues and _is_short(following) and not following.continues:
            # A heading wrapped onto a second line by the PDF extraction.
            if following.text.rstrip()[-1:] not in SENTENCE_END:
                end = following.line.end
                title = text[marker_end:end]
        return end, marker + match_form(title).rstrip("。")
    body = match_form(text[marker_end:line.line.end])
    cut = next((i for i, ch in enumerate(body) if ch in _LABEL_STOPS), None)
    ending = _HEADING_ENDING.search(body[:_MAX_LABEL_CHARS + 1])
    if ending and (cut is None or ending.end() <= cut):
        label = body[:ending.end()]
    elif cut is not None and cut <= _MAX_LABEL_CHARS:
        label = body[:cut]
    else:
        label = body[:_MAX_LABEL_CHARS] + ("…" if len(body) > _MAX_LABEL_CHARS else "")
    return marker_end + _raw_length(text, marker_end, len(label.rstrip("…"))), marker + label


def _raw_length(text: str, start: int, normalised_chars: int) -> int:
    """How many raw characters from ``start`` produce ``normalised_chars`` normalised ones."""
    count = 0
    position = start
    while position < len(text) and count < normalised_chars:
        if not text[position].isspace():
            count += 1
        position += 1
    return position - start


def _box_title(line: DocLine) -> Heading | None:
    """A 专栏 N title line."""
    stripped = line.text.strip()
    match = _BOX.match(stripped)
    if not match or len(match_form(stripped)) > 40:
        return None
    start = line.line.start + len(line.text) - len(line.text.lstrip())
    return Heading(start, line.line.end, BOX_LEVEL, int(match.group(1)), match_form(stripped))


def _box_end(body: list[DocLine], title_index: int, wrap_width: int) -> int:
    """Where the box that starts at ``body[title_index]`` ends.

    In a PDF extraction a box is set in a smaller font, so its wrapped lines are
    wider than the body's: the box ends at the first body-width line that is cut
    mid-sentence (a box item that happens to be as wide but ends its sentence,
    「“7”：7％的老年人…服务。」, stays in the box). Elsewhere it ends at the next
    heading-like or box line.
    """
    for line in body[title_index + 1:]:
        stripped = line.text.strip()
        if _BOX.match(stripped) or any(pattern.match(stripped) for _, pattern, _ in _MARKERS[:3]):
            return line.line.start
        if (wrap_width and line.continues and abs(line.width - wrap_width) <= 4
                and stripped[-1:] not in _SENTENCE_STOPS):
            return line.line.start
    return body[-1].line.end if body else 0
