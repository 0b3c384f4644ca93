"""Work out a document's issuing place, year, type and title, and a section's period.

The year is the report's year taken from its content — the "2020年工作回顾" /
"2021年主要任务" headings, the congress date — and only then from a title,
because web titles are wrong (a listing page files the 2012 杨浦 report under
2021); a date counts only on the congress line, and a news item's title gives
no year (「始建于1958年」 is not its year). The type comes from the title and
the report's own opening (各位代表：, the 工作回顾 heading), never from a word
in the body (a news item citing the 政府工作报告 or a 图解 is still news). A
document that says none of this is of type 其他, and has no title unless it
gives one (其他 is no title to put before its passages). The place is the
issuing government the report's own lines name (``reportqa.ingest.issuer``,
any level from 全国 to a county); ``district`` is that place when it is
county-level, for what still keys on districts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from reportqa.gazetteer import COUNTY, NATION_NAMES, NATIONAL, Place
from reportqa.ingest.issuer import ambiguity_note, find_issuer
from reportqa.text import NAMED_YEAR, PLAN_NUMERAL, PLAN_PERIOD, PLANS, YEAR, match_form, plan_first_year

REPORT = "政府工作报告"
PLAN = "五年规划纲要"
INFOGRAPHIC = "图解"
STATISTICS = "统计公报"
BUDGET = "预算执行报告"
NEWS = "新闻"
OTHER = "其他"
REPORT_TYPES = (REPORT, PLAN, INFOGRAPHIC, STATISTICS, BUDGET)

_REVIEW_HEADING = re.compile(rf"({YEAR})年(?:工作)?回顾")
_TASK_HEADING = re.compile(rf"({YEAR})年(?:主要任务|主要工作|工作安排|工作任务)")
# The date on a congress line 「——2021年2月3日在…会议上」, not one in a sentence (「…会议上，省长…」).
_CONGRESS_DATE = re.compile(rf"({YEAR})年\d{{1,2}}月\d{{1,2}}日在[^，,。]{{0,40}}?会议上(?![，,、作所的])")
_PLAN_NAMED = re.compile(r"五年规划.{0,30}纲要|规划纲要")
_PLAN_TITLE = re.compile(r"《([^《》]{6,80}?(?:规划|纲要)[^《》]{0,30}?)》")
_PLAN_NAME = re.compile(rf"第?({PLAN_NUMERAL})个?五年?规划|“?({PLAN_NUMERAL})五”?规划")
_STAT_LINE = re.compile(r"\*\*[^*]{1,20}\*\*")
_THIS_YEAR = re.compile(r"今年|开局工作|本年度")
_PAST_YEAR = re.compile(r"过去一年|去年工作|上年工作")
_YEAR_PERIOD = (
    (re.compile(rf"({YEAR})年.{{0,6}}?(回顾|完成情况|执行情况)"), "actual"),
    (re.compile(rf"({YEAR})年.{{0,6}}?(任务|工作|安排|目标|计划|草案|总体要求|政策取向|部署)"), "target"),
)
_FIVE_YEARS_OPENING = re.compile(r"过去五年|五年来")
_SPAN_PERIOD = (
    (re.compile(rf"(过去五年|{PLAN_PERIOD}.{{0,4}}回顾)"), "actual"),
    (re.compile(r"(今后五年)"), "target"),
    (re.compile(rf"({PLAN_PERIOD})"), "plan"),
)


@dataclass(frozen=True)
class DocumentFacts:
    """What metadata inference found, with the reasons a reader may want."""

    title: str
    district: str | None
    year: int | None
    doc_type: str
    source_title: str | None
    notes: tuple[str, ...]
    place: str | None = None
    place_level: str | None = None


def infer_document_facts(body: str, headings: list[str], listing_title: str | None,
                         file_title: str | None = None) -> DocumentFacts:
    """Infer the metadata of one document.

    Args:
        body: the document's text (raw; it is normalised here).
        headings: its heading labels, in order.
        listing_title: the title a listing page gave it, if any.
        file_title: the name of the file it is alone in, without its suffix (``2018年国务院政府工作报告``);
            taken as the title when it reads like one and the text's own title gives no year.
    """
    text = match_form(body)
    source_title = _strip_listing_tag(listing_title) if listing_title else _title_line(body)
    named_file = match_form(file_title) if file_title else None
    if named_file and _reads_like_title(named_file) and not (source_title and NAMED_YEAR.search(source_title)):
        source_title = named_file
    doc_type = _doc_type(text, source_title, listed=listing_title is not None)
    year, year_note = _year(text, headings, source_title, doc_type)
    match = _PLAN_TITLE.search(text[:5000]) if doc_type == PLAN else None
    plan_title = match.group(1) if match else None
    issuer = find_issuer(source_title or plan_title, text)
    district = issuer.name if issuer and issuer.level == COUNTY else None
    place_note = None if issuer else ambiguity_note(source_title or plan_title, text)
    notes = tuple(note for note in (year_note, place_note) if note)
    title = plan_title or _title(source_title, year, _issuer_name(issuer), doc_type)
    return DocumentFacts(title, district, year, doc_type, source_title if source_title != title else None, notes,
                         issuer.name if issuer else None, issuer.level if issuer else None)


def section_period(section: tuple[str, ...], report_year: int | None = None) -> tuple[str | None, str | None]:
    """The period a section speaks of, from its headings, innermost first.

    Args:
        section: the breadcrumb, outermost first.
        report_year: the document's year, for headings that say "this year"
            (今年, 开局工作) or "the past year" (过去一年) without a number.

    Returns:
        (period, kind): e.g. ("2020", "actual") under "一、2020年工作回顾",
        ("2021", "target") under "三、2021年主要任务", ("十四五", "plan");
        (None, None) when no heading says.
    """
    for label in reversed(section):
        found = _label_period(label, report_year)
        if found:
            return found
    return None, None


def paragraph_period(text: str, start: int) -> str | None:
    """「过去五年」 when the paragraph a passage starting at ``start`` continues opened, in its first two
    sentences, on the past five years (「2015年是“十二五”收官之年。过去五年，我国发展成就举世瞩目。…」):
    its figures cover those years, whatever year the section reviews."""
    opening = text[text.rfind("\n", 0, start) + 1:start]
    return "过去五年" if _FIVE_YEARS_OPENING.search(_first_sentences(opening)) else None


def reviewed_plan(opening: str, plan: str | None) -> str | None:
    """The earlier five-year plan a section of a plan document looks back on, from its opening (its
    first two sentences after the heading): 「“十三五”时期是金山历史上发展质量最好的五年…」 or
    「五年来…」 in the 十四五 plan give 十三五 (the plan before ``plan``); None when it does not look back."""
    if plan not in PLANS:
        return None
    before = PLANS[PLANS.index(plan) - 1] if PLANS.index(plan) else None
    first = _first_sentences(opening)
    named = [found for found in re.findall(PLAN_PERIOD, first) if PLANS.index(found) < PLANS.index(plan)]
    return named[0] if named else before if _FIVE_YEARS_OPENING.search(first) else None


def _first_sentences(text: str, count: int = 2) -> str:
    """The first ``count`` sentences of ``text`` (cut at 。), where a paragraph or section says what it is about."""
    return "。".join(text.split("。")[:count])


def _label_period(label: str, report_year: int | None) -> tuple[str, str] | None:
    """The period one heading names: a year first, then this/past year, then a plan."""
    label = re.sub(rf"第({PLAN_NUMERAL})个五年", r"\1五", label)
    for pattern, kind in _YEAR_PERIOD:
        if match := pattern.search(label):
            return match.group(1), kind
    if report_year and _THIS_YEAR.search(label):
        return str(report_year), "target"
    if report_year and _PAST_YEAR.search(label):
        return str(report_year - 1), "actual"
    for pattern, kind in _SPAN_PERIOD:
        if match := pattern.search(label):
            return match.group(1), kind
    return None


def plan_period(title: str) -> str | None:
    """The five-year plan a plan document's title names (十四五), if any."""
    match = _PLAN_NAME.search(title)
    return f"{match.group(1) or match.group(2)}五" if match else None


def _strip_listing_tag(title: str) -> str:
    return match_form(re.sub(r"^【[^】]*】", "", title.strip()))


def _title_line(body: str) -> str | None:
    """The first line when it reads like a report title."""
    for line in body.splitlines()[:5]:
        compact = match_form(line)
        if compact:
            return compact if _reads_like_title(compact) else None
    return None


def _reads_like_title(text: str) -> bool:
    return len(text) <= 60 and re.search(r"报告|纲要|规划|公报", text) is not None and not text.endswith("。")


def _doc_type(text: str, title: str | None, listed: bool) -> str:
    """The document's type from its title and its own opening; words in its body do not count.

    A listing entry that is no report is news; any other document that is none is 其他.
    """
    if title and "统计公报" in title:
        return STATISTICS
    if title and re.search(r"预算执行情况.{0,20}预算草案的报告|预算执行情况的报告", title):
        return BUDGET
    if (title and "图解" in title) or len(_STAT_LINE.findall(text)) >= 3:
        return INFOGRAPHIC
    if _names_plan(text, title) and "代表" not in text[:300]:
        return PLAN
    if (title and "政府工作报告" in title) or re.search(r"各位代表[:：]", text[:1000]) or _REVIEW_HEADING.search(text[:3000]):
        return REPORT
    return NEWS if listed else OTHER


def _names_plan(text: str, title: str | None) -> bool:
    """Whether a plan names itself: in the title, or, without one, as the 《…纲要》 its opening speaks of."""
    if title:
        return _PLAN_NAMED.search(title) is not None
    match = _PLAN_TITLE.search(text[:1000])
    return match is not None and _PLAN_NAMED.search(match.group(1)) is not None


def _year(text: str, headings: list[str], title: str | None, doc_type: str) -> tuple[int | None, str | None]:
    """The report's year, and a note when the title disagrees with the content (「标题写的是2021年，正文是2012年」).

    The content speaks first (headings, then the congress line's date, then a plan's name); a title
    naming several years (「2024年预算执行情况和2025年预算草案」) agrees with any of them and, alone,
    gives the latest. A news item's title gives none.
    """
    candidates: list[int] = []
    for label in headings:
        if match := _REVIEW_HEADING.search(label):
            candidates.append(int(match.group(1)) + 1)
        elif match := _TASK_HEADING.search(label):
            candidates.append(int(match.group(1)))
    if not candidates and (match := _CONGRESS_DATE.search(text[:600])):
        candidates.append(int(match.group(1)))
    if not candidates and doc_type == PLAN and (match := _PLAN_NAME.search((title or "") + text[:5000])):
        candidates.append(plan_first_year(f"{match.group(1) or match.group(2)}五"))
    title_years = _named_years(title) if doc_type != NEWS else []
    if not candidates:
        return (max(title_years) if title_years else None), None
    year = Counter(candidates).most_common(1)[0][0]
    if title_years and year not in title_years:
        return year, f"标题写的是{max(title_years)}年，正文是{year}年"
    return year, None


def _named_years(title: str | None) -> list[int]:
    """The years a title names (「2021年」), in order."""
    return [int(found) for found in NAMED_YEAR.findall(title)] if title else []


def _issuer_name(issuer: Place | None) -> str | None:
    """How a title names the issuer: 国务院 for the nation, else the place."""
    if issuer is None:
        return None
    return NATION_NAMES[-1] if issuer.level == NATIONAL else issuer.name


def _title(source_title: str | None, year: int | None, place: str | None, doc_type: str) -> str:
    """The document's own title (its one year corrected to the content's), else one built for a report
    type from its year and issuer; "" for anything else (其他 is no title)."""
    if source_title:
        title_years = NAMED_YEAR.findall(source_title)
        if year and len(title_years) == 1 and int(title_years[0]) != year and doc_type in REPORT_TYPES:
            return NAMED_YEAR.sub(f"{year}年", source_title, count=1)
        return source_title
    if doc_type not in REPORT_TYPES:
        return ""
    kind = "政府工作报告（图解）" if doc_type == INFOGRAPHIC else doc_type
    return f"{year or ''}{'年' if year else ''}{place or ''}{kind}"
