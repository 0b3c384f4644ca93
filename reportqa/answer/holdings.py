"""Each figure a passage holds, read in its passage: what its sentence says it measures
(``reportqa.answer.measures``), and what the passage around it adds.

* In a review of several years (过去五年) a figure tied to no year covers them all.
* In a report's plan for its own year (the 2021 report's 2021) a figure is a target, and so is one in
  a work report's section on the five-year plan that starts that year (the 2021 report's 十四五, or
  「“十三五”时期发展成就和“十四五”时期主要目标任务」), unless its sentence, or one before it that
  nothing since has turned to the future, speaks of the past (「“十三五”时期…」「过去五年…」).
* In a five-year plan (its document or a section on it) a figure naming no year is of the year before
  the plan (a review of the last one ends there) or of the plan's years, never of an earlier year; in a
  sentence looking back (「森林覆盖率达到14.2%，较“十二五”末提高3.37个百分点」) it is the year before
  the plan's, an outcome.
* In a review of a past year a figure is an outcome; in a review of an earlier five-year plan (a section
  whose period is that plan, as outcomes) a figure naming no year is of the plan's last year.
* A sentence opening with a year (「2017年，…」「过去一年，…」) ties the figures after it in the passage
  that name none to that year; one opening on the past five years (「过去五年，…」) makes them cover
  those years, until a sentence opens with a year.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from reportqa.answer.measures import Measure, measured
from reportqa.ingest.metadata import PLAN, REPORT
from reportqa.records import Hit
from reportqa.text import NAMED_YEAR, PLAN_PERIOD, YEAR, compact, plan_first_year, sentences

# A figure a passage holds: what it measures, and the characters of its sentence.
Occurrence = tuple[Measure, frozenset[str]]

RELATIVE_PERIODS = {"过去五年": -5, "今后五年": 0}
_TOPIC_YEAR = re.compile(rf"^(?:刚刚|刚)?(?:过去的)?(?:({YEAR})年|过去一年|去年)[,，]")
_TOPIC_YEARS = re.compile(r"^(?:过去五年|五年来)[,，]")
_PLAN = re.compile(PLAN_PERIOD)
_PAST = re.compile(r"过去|以来|五年来|回顾|已经|实现了|完成了")
_AHEAD = re.compile(rf"今后|未来|展望|目标|到{YEAR}年")


def occurrences(passage: Hit, unnamed: Callable[[str], str]) -> list[Occurrence]:
    """Each figure in a passage with what it measures (``unnamed`` takes out place names) and its
    sentence's characters, read as the module says."""
    period = passage.period or ""
    several = RELATIVE_PERIODS.get(period, 0) < 0
    plans_own_year = bool(passage.year) and period == str(passage.year)
    plans_ahead = passage.doc_type == REPORT and bool(passage.year) and passage.year in _plan_starts(passage)
    reviews = several or (bool(passage.year) and period.isdigit() and int(period) < (passage.year or 0))
    plan_years = _plan_years(passage)
    # 「(一)巩固新成效 “十三五”时期是…」: 「在地地区生产总值实现1100亿元左右」 is the 2020 level.
    reviewed = plan_first_year(period) + 4 if passage.chunk.period_kind == "actual" and _PLAN.fullmatch(period) else 0
    found: list[Occurrence] = []
    topic: frozenset[int] = frozenset()
    looking_back = topic_span = False
    for sentence in sentences(compact(f"{passage.title}。{passage.text}"), keep_ends=False):
        opening = _TOPIC_YEAR.match(sentence)
        if opening:  # 「2017年，经济社会发展主要目标任务全面完成…。国内生产总值增长6.9%…」
            topic = frozenset({int(opening.group(1))} if opening.group(1) else {passage.year - 1} if passage.year else ())
            topic_span = False
        elif _TOPIC_YEARS.match(sentence):  # 「过去五年，我国发展成就举世瞩目。…农村贫困人口减少1亿多」
            topic, topic_span = frozenset(), True
        looking_back = _looks(sentence, passage.year, looking_back)
        for measure in measured(sentence, unnamed=unnamed):
            if measure.label:
                found.append((measure, frozenset(sentence)))
                continue
            if not measure.years and topic:
                measure = replace(measure, years=topic)
            elif (several or topic_span) and not measure.years:
                measure = replace(measure, span=True)
            elif reviewed and not measure.years:
                measure = replace(measure, years=frozenset({reviewed}), outcome=True)
            elif plan_years and not measure.years:  # looking back, the year before the plan; else the plan's
                measure = (replace(measure, years=frozenset({max(plan_years) - 5}), outcome=True) if looking_back
                           else replace(measure, years=plan_years))
            if plans_own_year or plans_ahead and not looking_back:
                measure = replace(measure, target=True)
            if reviews:
                measure = replace(measure, outcome=True)
            found.append((measure, frozenset(sentence)))
    return found


def _plan_starts(passage: Hit) -> set[int]:
    """The first years of the five-year plans a passage's section is about (its period or headings)."""
    plans = _PLAN.findall(" ".join((passage.period or "", *passage.chunk.section)))
    return {plan_first_year(plan) for plan in plans}


def _plan_years(passage: Hit) -> frozenset[int]:
    """For a passage of a five-year plan (its document's or section's), the years its figures that name
    none can be of: the year before the plan (its review of the last one) and the plan's five."""
    starts = _plan_starts(passage) if passage.chunk.period_kind == "plan" or passage.doc_type == PLAN else set()
    return frozenset(year for start in starts for year in range(start - 1, start + 5))


def _looks(sentence: str, year: int | None, looking_back: bool) -> bool:
    """Whether a sentence (and those after it, until one looks ahead) speaks of the past: an earlier year
    or plan, 过去, 以来; one naming a later year or plan, or 今后, looks ahead."""
    years = [int(found) for found in NAMED_YEAR.findall(sentence)]
    years += [plan_first_year(plan) for plan in _PLAN.findall(sentence)]
    if _PAST.search(sentence) or any(found < (year or 0) for found in years):
        return True
    if _AHEAD.search(sentence) or any(found >= (year or 0) for found in years):
        return False
    return looking_back
