"""Question understanding: what a question is about, read without a model.

``understand`` finds the districts a question names (full or short form:
嘉定 → 嘉定区), the years and plan periods it speaks of (2020年, 十三五,
去年 relative to a given report year, and phrases that imply a year:
十四五开局之年 → 2021, 十三五末 → 2020, 疫情前一年 → 2019), a document type
it asks for (规划 → 五年规划纲要), the kind of answer it wants (a figure, a
list, a comparison, a fact), and a "bridge" clause that names a district only
by description (「举办鲁迅文化周的那个区，…」), to be resolved by a first
search. It also expands abbreviations the reports spell out (GDP → 地区生产总值)
from ``data/synonyms.txt``, and counts in words into digits (三个 → 3个), as the
reports write either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from reportqa.ingest.metadata import PLAN
from reportqa.places import find_districts
from reportqa.text import PLAN_PERIOD, PLANS, YEAR, YEAR_MENTION, chinese_numeral, plan_first_year, search_form

FIGURE, LIST, COMPARISON, FACT = "figure", "list", "comparison", "fact"

_PLAN_PERIOD = re.compile(rf"[“\"]?({PLAN_PERIOD})[”\"]?")
# Phrases that name a year without writing it (see implied_years).
_FIRST_PLAN_YEAR = re.compile(rf"({PLAN_PERIOD})[”\"]?(?:规划)?的?(?:开局之年|开局年|第一年|首年|开局)")
_LAST_PLAN_YEAR = re.compile(rf"({PLAN_PERIOD})[”\"]?(?:规划)?的?(?:末|收官|最后一年|期末)")
_BEFORE_PANDEMIC = re.compile(r"(?:新冠)?(?:肺炎)?疫情(?:暴发|爆发|发生|出现)?(?:之|以)?前(?:的那|那|的)?一年")
_PANDEMIC_YEAR = re.compile(r"(?:新冠)?(?:肺炎)?疫情(?:暴发|爆发|发生)的?(?:那一年|当年|那年)")
_PANDEMIC_START = 2020
_COUNT = re.compile(r"([一二两三四五六七八九十])(个|项|家|大|条|类|种|张|所|座|批|件)")
_RELATIVE_YEARS = {"去年": -1, "上年": -1, "前年": -2, "今年": 0, "明年": 1}
_FIGURE_WORDS = re.compile(r"多少|几[个家张所项条户幅]|多大|多高|多长|比例|增速|增长率|浓度|总额|金额|规模|排名|第几")
_LIST_WORDS = re.compile(r"哪些|哪几|哪两|哪三|哪四|哪五|包括什么|都有什么|都包括|分别是什么|怎么分|如何划分|具体指"
                         r"|[两二三四五六七八九十][个项大条类种].{0,12}(?:是什么|是哪|有哪)")
_COMPARISON_WORDS = re.compile(r"谁|哪个更|哪个区|更高|更大|更多|更快|高于|低于|相比|比较|对比|分别")
_PLAN_WORDS = re.compile(r"规划纲要|纲要|五年规划")
# 「2015年报告」「2019年的政府工作报告」: the report of that year, not the year it reviews.
_REPORT_OF_YEAR = re.compile(rf"({YEAR})\s*年的?(?:政府工作)?报告")
# 「X所在的区，…」「举办X的那个区，…」: a district named by description.
_BRIDGE = re.compile(r"^(?P<clue>[^，,。？?]{2,40}?)(?:所在的?|的那个|那个)区[，,]\s*(?P<rest>.+)$")


@dataclass(frozen=True)
class Understanding:
    """What was read from a question.

    Attributes:
        districts: districts named, in order of appearance (full names).
        years: four-digit years named or implied (去年 with a report year).
        plan_periods: five-year plans named (十三五, 十四五).
        doc_type: a document type the question asks for, if it says so.
        kind: figure, list, comparison or fact.
        bridge_clue: text describing an unnamed district (resolved by search).
        bridge_rest: the rest of the question once that district is known.
        expansions: synonyms added to the search text.
    """

    question: str
    districts: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    plan_periods: tuple[str, ...] = ()
    doc_type: str | None = None
    kind: str = FACT
    bridge_clue: str | None = None
    bridge_rest: str | None = None
    report_of_year: int | None = None
    expansions: tuple[str, ...] = field(default=())

    def search_text(self) -> str:
        """The question with its synonym expansions appended."""
        return " ".join((self.question, *self.expansions))

    def periods(self) -> tuple[str, ...]:
        """Section periods to prefer: the years and plans named, and where a plan's record sits.

        A finished plan (十三五) is reviewed in its last year's work review, so
        its last year (2020) is preferred too; a plan's final year (2025) is
        its target year, so the plan (十四五) is preferred too.
        """
        periods = [*map(str, self.years), *self.plan_periods]
        periods += [str(plan_first_year(plan) + 4) for plan in self.plan_periods if plan_first_year(plan)]
        periods += [plan for plan in PLANS for year in self.years if plan_first_year(plan) + 4 == year]
        return tuple(dict.fromkeys(periods))

    def describe(self) -> str:
        """A one-line summary for people (shown beside results)."""
        parts = [f"类型={self.kind}"]
        if self.districts:
            parts.append("区=" + "、".join(self.districts))
        if self.years:
            parts.append("年份=" + "、".join(map(str, self.years)))
        if self.plan_periods:
            parts.append("规划期=" + "、".join(self.plan_periods))
        if self.report_of_year:
            parts.append(f"报告年份={self.report_of_year}")
        if self.doc_type:
            parts.append(f"文档={self.doc_type}")
        if self.bridge_clue:
            parts.append(f"待定区=「{self.bridge_clue}」")
        if self.expansions:
            parts.append("扩展=" + "、".join(self.expansions))
        return "; ".join(parts)


def understand(question: str, report_year: int | None = None) -> Understanding:
    """Read districts, years, periods, document type and kind from a question.

    Args:
        question: the question as asked.
        report_year: the year 今年/去年 refer to, when the caller knows it.
    """
    text = search_form(question)
    districts = find_districts(text)
    years = [int(match.group(1)) for match in YEAR_MENTION.finditer(text)]
    if report_year is not None:
        years += [report_year + offset for word, offset in _RELATIVE_YEARS.items() if word in text]
    years += implied_years(text)
    plan_periods = tuple(dict.fromkeys(_PLAN_PERIOD.findall(_FIRST_PLAN_YEAR.sub("", text))))
    bridge = _BRIDGE.match(text) if not districts else None
    return Understanding(
        question=question,
        districts=districts,
        years=tuple(dict.fromkeys(years)),
        plan_periods=plan_periods,
        doc_type=PLAN if _PLAN_WORDS.search(text) else None,
        report_of_year=int(match.group(1)) if (match := _REPORT_OF_YEAR.search(text)) else None,
        kind=_kind(text, districts),
        bridge_clue=bridge.group("clue") if bridge else None,
        bridge_rest=bridge.group("rest") if bridge else None,
        expansions=(*expansions_for(text), *count_variants(text)),
    )


def implied_years(text: str) -> list[int]:
    """Years a question names by description: 十四五开局之年 → 2021, 十三五末 → 2020, 疫情前一年 → 2019."""
    years = [plan_first_year(match.group(1)) for match in _FIRST_PLAN_YEAR.finditer(text)]
    years += [plan_first_year(match.group(1)) + 4 for match in _LAST_PLAN_YEAR.finditer(text)]
    if _BEFORE_PANDEMIC.search(text):
        years.append(_PANDEMIC_START - 1)
    elif _PANDEMIC_YEAR.search(text):
        years.append(_PANDEMIC_START)
    return [year for year in years if year]


def count_variants(text: str) -> tuple[str, ...]:
    """Counts written in words, in digits as well: 三个千亿级产业 → 3个."""
    return tuple(dict.fromkeys(f"{chinese_numeral(number)}{unit}" for number, unit in _COUNT.findall(text)))


def _kind(text: str, districts: tuple[str, ...]) -> str:
    if len(districts) > 1 or (_COMPARISON_WORDS.search(text) and re.search(r"和|与|跟|及", text)):
        return COMPARISON
    if _LIST_WORDS.search(text):
        return LIST
    if _FIGURE_WORDS.search(text):
        return FIGURE
    return FACT


@lru_cache(maxsize=1)
def _synonym_groups() -> tuple[tuple[str, ...], ...]:
    data = resources.files("reportqa") / "data" / "synonyms.txt"
    lines = data.read_text(encoding="utf-8").splitlines()
    return tuple(tuple(line.split()) for line in lines if line.strip() and not line.startswith("#"))


def expansions_for(text: str) -> tuple[str, ...]:
    """Other spellings of the terms in ``text`` that the reports use."""
    added: list[str] = []
    lowered = text.lower()
    for group in _synonym_groups():
        if any(term.lower() in lowered for term in group):
            added += [term for term in group if term.lower() not in lowered and term not in added]
    return tuple(added)
