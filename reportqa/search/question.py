"""Question understanding: what a question is about, read without a model.

``understand`` finds the places a question names, at any level and in full or
short form (嘉定 → 嘉定区, 广东 → 广东省, 全国/国务院 → 全国; see
``reportqa.places.PlaceNames``, built from the places an index holds), the years and plan periods it speaks of (2020年, 十三五,
去年 relative to a given report year, and phrases that imply a year:
十四五开局之年 → 2021, 十三五末 → 2020, 疫情前一年 → 2019), a document type
it asks for (规划 → 五年规划纲要), the kind of answer it wants (a figure, a
list, a comparison, a fact), and a "bridge" clause that names a place only
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
from reportqa.places import NATION, PlaceNames
from reportqa.text import PLAN_PERIOD, PLANS, YEAR, YEAR_MENTION, chinese_numeral, plan_first_year, search_form

FIGURE, LIST, COMPARISON, FACT = "figure", "list", "comparison", "fact"
# What a question about a year wants: what happened (the next year's report reviews it), what was set,
# or both (「目标是多少？最后实际增长了多少？」).
ACTUAL, TARGET, BOTH = "actual", "target", "both"

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
_TARGET_WORDS = re.compile(r"目标|预期|计划|安排|定在|定为|定了|定得|拟|预计|打算|要求")
_ACTUAL_WORDS = re.compile(r"实际|实现|完成|达到|全年|最后|最终|结果|增长了|下降了|减少了|增加了|涨了|降了|突破")
# 「哪个区」「哪些市」「哪里」: the question asks which place, so it names none on purpose.
_WHICH_PLACE = re.compile(r"哪[个些几两三四五]?(?:个)?(?:区|县|市|省|地方|地区)|哪里|哪儿")
# 「2015年报告」「2019年的政府工作报告」: the report of that year, not the year it reviews.
_REPORT_OF_YEAR = re.compile(rf"({YEAR})\s*年的?(?:政府工作)?报告")
# 「X所在的区，…」「举办X的那个区，…」: a place named by description.
_BRIDGE = re.compile(r"^(?P<clue>[^，,。？?]{2,40}?)(?:所在的?|的那个|那个)(?:区|县|市|省)[，,]\s*(?P<rest>.+)$")


@dataclass(frozen=True)
class Understanding:
    """What was read from a question.

    Attributes:
        places: indexed places named, in order of appearance (full names; a place named inside
            another, 上海市嘉定区, is the inner one).
        within: a place named that the index holds no report of but holds reports of places inside
            (上海 over district reports), when no indexed place is named.
        missing: places named that the index holds no report of (and nothing inside), when the
            place itself is meant (广东省2023年…, not 浙江一家钢琴厂).
        asks_place: the question asks which place (哪个区, 哪些省), so naming none is on purpose.
        stance: ``actual`` when it asks what happened in its years (实际增长了多少), ``target`` when it
            asks what was set (目标, 安排), ``both`` when it asks both, None when it says neither.
        years: four-digit years named or implied (去年 with a report year).
        plan_periods: five-year plans named (十三五, 十四五).
        doc_type: a document type the question asks for, if it says so.
        kind: figure, list, comparison or fact.
        bridge_clue: text describing an unnamed place (resolved by search).
        bridge_rest: the rest of the question once that place is known.
        expansions: synonyms added to the search text.
    """

    question: str
    places: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    plan_periods: tuple[str, ...] = ()
    doc_type: str | None = None
    kind: str = FACT
    bridge_clue: str | None = None
    bridge_rest: str | None = None
    report_of_year: int | None = None
    expansions: tuple[str, ...] = field(default=())
    within: str | None = None
    missing: tuple[str, ...] = ()
    asks_place: bool = False
    stance: str | None = None
    names: PlaceNames | None = field(default=None, repr=False, compare=False)

    @property
    def place_names(self) -> PlaceNames:
        """The place names this question was read with (to read an answer with the same)."""
        return self.names or _no_index_names()

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
        if self.places:
            parts.append("地区=" + "、".join(self.places))
        if self.within:
            parts.append(f"范围={self.within}")
        if self.missing:
            parts.append("未收录=" + "、".join(self.missing))
        if self.years:
            parts.append("年份=" + "、".join(map(str, self.years)))
        if self.plan_periods:
            parts.append("规划期=" + "、".join(self.plan_periods))
        if self.stance:
            parts.append("问=" + {ACTUAL: "实际", TARGET: "目标", BOTH: "目标与实际"}[self.stance])
        if self.report_of_year:
            parts.append(f"报告年份={self.report_of_year}")
        if self.doc_type:
            parts.append(f"文档={self.doc_type}")
        if self.bridge_clue:
            parts.append(f"待定地区=「{self.bridge_clue}」")
        if self.expansions:
            parts.append("扩展=" + "、".join(self.expansions))
        return "; ".join(parts)


def understand(question: str, report_year: int | None = None, names: PlaceNames | None = None) -> Understanding:
    """Read places, years, periods, document type and kind from a question.

    Args:
        question: the question as asked.
        report_year: the year 今年/去年 refer to, when the caller knows it.
        names: the place names to read (default: no indexed place; full names and provinces only).
    """
    text = search_form(question)
    names = names or _no_index_names()
    mentions = names.find(text)
    asks_place = bool(_WHICH_PLACE.search(text))
    if asks_place or _BRIDGE.match(text):  # 「获评全国文明城区的是哪个区」: 全国 is part of a title
        mentions = tuple(mention for mention in mentions if mention.name != NATION)
    places = tuple(dict.fromkeys(mention.name for mention in mentions if mention.indexed))
    outer = [m.name for m in mentions if not m.indexed and names.inside(m.name)]
    within = outer[0] if outer and not places and not any(m.subject for m in mentions if m.name == outer[0]) else None
    missing = tuple(dict.fromkeys(m.name for m in mentions if not m.indexed and m.subject and m.name != within))
    years = [int(match.group(1)) for match in YEAR_MENTION.finditer(text)]
    if report_year is not None:
        years += [report_year + offset for word, offset in _RELATIVE_YEARS.items() if word in text]
    years += implied_years(text)
    plan_periods = tuple(dict.fromkeys(_PLAN_PERIOD.findall(_FIRST_PLAN_YEAR.sub("", text))))
    bridge = _BRIDGE.match(text) if not places else None
    return Understanding(
        question=question,
        places=places,
        within=within,
        missing=missing,
        asks_place=asks_place,
        stance=_stance(text),
        names=names,
        years=tuple(dict.fromkeys(years)),
        plan_periods=plan_periods,
        doc_type=PLAN if _PLAN_WORDS.search(text) else None,
        report_of_year=int(match.group(1)) if (match := _REPORT_OF_YEAR.search(text)) else None,
        kind=_kind(text, places),
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


def _stance(text: str) -> str | None:
    actual, target = bool(_ACTUAL_WORDS.search(text)), bool(_TARGET_WORDS.search(text))
    if actual and target:
        return BOTH
    return ACTUAL if actual else TARGET if target else None


@lru_cache(maxsize=1)
def _no_index_names() -> PlaceNames:
    return PlaceNames()


def _kind(text: str, places: tuple[str, ...]) -> str:
    if len(places) > 1 or (_COMPARISON_WORDS.search(text) and re.search(r"和|与|跟|及", text)):
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
