"""The shortest stretch of a passage that answers a figure question by itself.

A passage sentence often lists many figures (「地区生产总值增长6.5%，区级一般公共预算收入220.6亿元、增长5%，
全社会固定资产投资500亿元…」). To show only what was asked, ``best_stretch`` finds the run of clauses
ending at a clause whose figure measures what the question asks (``reportqa.answer.asked``), starting
at most two clauses earlier (to take in the indicator's name), and keeps it only when the verifier
backs it with that passage alone. Among passages, the sentence sharing most words with the question
wins, then the better-ranked passage. A comparison fills a side its answer left out with it, and the
extractive generator answers a comparison with it side by side (``reportqa.answer.compare.fill_sides``).
A question naming no indicator the table knows nor a counted thing needs a stretch holding half of its
nouns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportqa.answer.evidence import Evidence
from reportqa.answer.measures import MEASURE_WORD
from reportqa.answer.verify import verify
from reportqa.indexing.lexical import ReportAnalyser
from reportqa.records import Hit
from reportqa.search.question import Understanding
from reportqa.text import figures, has_figure, match_form, sentences

# A sentence with more figures than this is a table's rows run together.
EXTRACT_MAX_FIGURES = 12
# Clauses a stretch may span.
STRETCH_CLAUSES = 3
# Where a stretch may start or end: after a comma or semicolon, or after an item of a list that ends
# with its figure (「陆域森林覆盖率达18.2%、建成区绿化覆盖率43.1%」).
_CLAUSE_END = re.compile(rf"(?<=[，,；;])|(?<=[\d%])(?=、)|(?<=[\d%](?:{MEASURE_WORD}|万|亿|元|米))(?=、)")
_ANALYSER = ReportAnalyser()


def answers(body: str, understanding: Understanding, target: bool | None = None) -> bool:
    """Whether an answer sentence gives a figure of the asked measure (and, when ``target`` is given, one
    set as a target or not as it says)."""
    asked = set(figures(understanding.question))
    return bool(Evidence((), understanding).answering(body, [n for n in figures(body) if n not in asked], target))


def best_stretch(passages: Sequence[Hit], understanding: Understanding, lead: str = "",
                 target: bool | None = None) -> tuple[str, int] | None:
    """The stretch of one of ``passages`` that, led by ``lead`` (「松江：」), answers the question, and the
    1-based number of its passage; None when no passage has one."""
    terms = set(_ANALYSER(understanding.search_text())) - set(understanding.places)
    best: tuple[float, int, str] | None = None
    for rank, passage in enumerate(passages):
        for sentence in sentences(match_form(passage.text), keep_ends=False):
            if not has_figure(sentence) or len(figures(sentence)) > EXTRACT_MAX_FIGURES:
                continue
            share = len(set(_ANALYSER(sentence)) & terms) / (len(terms) or 1)
            if best is not None and (share, -rank) <= (best[0], best[1]):
                continue
            stretch = _stretch(sentence, lead, passage, understanding, target)
            if stretch and _says_asked(stretch, understanding):
                best = (share, -rank, stretch)
    return None if best is None else (best[2], 1 - best[1])


def _says_asked(stretch: str, understanding: Understanding) -> bool:
    """Whether a stretch is about what the question asks when no indicator or counted thing says so:
    it holds at least half of the question's nouns (places and plan periods aside)."""
    asked = Evidence((), understanding).asked
    if asked.indicators or asked.thing:
        return True
    nouns = [noun for noun in _ANALYSER.nouns(understanding.place_names.without_names(understanding.question))
             if noun not in understanding.plan_periods]
    return sum(noun in stretch for noun in nouns) * 2 >= len(nouns)


def _stretch(sentence: str, lead: str, passage: Hit, understanding: Understanding,
             target: bool | None) -> str | None:
    """The shortest run of clauses of ``sentence`` ending at a clause with a figure that, led by ``lead``,
    answers the question and passes the verifier against ``passage`` alone."""
    clauses = [clause for clause in _CLAUSE_END.split(sentence) if clause]
    for end in range(len(clauses)):
        if not has_figure(clauses[end]):
            continue
        for start in range(end, max(-1, end - STRETCH_CLAUSES), -1):
            if _passes(clauses[start:end + 1], lead, passage, understanding, target):
                return _extended(clauses, start, end, lead, passage, understanding, target)
    return None


def _passes(clauses: list[str], lead: str, passage: Hit, understanding: Understanding, target: bool | None) -> bool:
    body = lead + "".join(clauses).strip("，,；;、")
    return answers(body, understanding, target) and not verify(f"{body}[1]。", [passage], understanding).refused


def _extended(clauses: list[str], start: int, end: int, lead: str, passage: Hit, understanding: Understanding,
              target: bool | None) -> str:
    """The stretch ``clauses[start:end + 1]`` with the clauses after it that answer too (「今年赤字率拟按3%安排，
    财政赤字2.38万亿元」 for a question asking both), at most ``STRETCH_CLAUSES`` more, when the question
    names several indicators."""
    several = len(Evidence((), understanding).asked.indicators) > 1
    for after in range(end + 1, min(len(clauses), end + 1 + STRETCH_CLAUSES) if several else end + 1):
        if not (has_figure(clauses[after]) and answers(lead + clauses[after].strip("，,；;、"), understanding, target)
                and _passes(clauses[start:after + 1], lead, passage, understanding, target)):
            break
        end = after
    return "".join(clauses[start:end + 1]).strip("，,；;、")
