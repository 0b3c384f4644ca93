"""What the words before a figure say of it: a target or what happened, a total or what was added,
over what period (part of a year, several years, or one), an average or a year's end, and the year a
five-year plan reaches a level in.

The last such word said before a figure in its sentence is the figure's own:
「力争增长6%，实际增长1.4%」 sets 6% as a target and reports 1.4% as what happened.
"""

from __future__ import annotations

import re

from reportqa.text import PLAN_PERIOD, YEAR, plan_first_year

# What was added (新增, 新建) or the total held (达到, 总数); the last said before a figure is its own.
_STOCK = re.compile(r"(?P<flow>新增|新建|新认定|新开工|新引进|新设|净增|新培育|新开设)|达到|总数|总量|累计|共有|拥有|保有|总计|合计|总规模")
# Words setting a target, and words saying what happened after them (「力争增长6%，实际增长1.4%」);
# 「预计全年增长3.8%」 in a review is an estimate of what happened, not a target.
_TARGET = re.compile(r"(?P<target>预期目标|主要目标|目标是|目标为|目标值|预期性|约束性|力争|争取)|实际|实现了|完成了|全年实现|全年完成")
# A rate as a year's average or at its end: 「城镇调查失业率平均为5.1%」「年末城镇调查失业率5.5%」.
_POINT = re.compile(r"(?P<average>平均|全年平均)|年末|年底|期末|\d年末")
SPAN = re.compile(r"年均|期间|时期|累计")
# What was left of a whole (「年初剩余的551万农村贫困人口全部脱贫、52个贫困县全部摘帽」): in a passage, said
# right before a figure earlier in the clause; in a question, anywhere.
_LEFT = r"剩余|其余|余下|剩下|还剩|尚余"
REMAINDER = re.compile(_LEFT)
REMAINDER_FIGURE = re.compile(rf"(?:{_LEFT})的?(?:\d|$)")
# A share of a whole, not a change: 「占国内生产总值的比重达到17%」「服务业增加值比重提高到48.2%」.
SHARE = re.compile(r"占|比重|比例|占比")
# What comes right before the whole a share is of: 「X占(全区)地区生产总值的比重」.
SHARE_OF = re.compile(r"(?:占|相当于)(?:全区|全市|全省|全县|全国)?$")
# A level reached in a five-year plan (「“十四五”期间…森林覆盖率达到19.5%」): where it ends, not over it.
_LEVEL = re.compile(r"达到|提高到|提升到|增加到|增长到|降至|降到|下降到|突破")
_PLAN = re.compile(PLAN_PERIOD)
# The periods a sentence names, the last before a figure being the figure's: part of a year, several, or one.
PART_YEAR = r"[一二三四1-4]季度|上半年|下半年|前三季度|前[一二三四五六七八九十两\d]+个?月|\d{1,2}\s*[-—–至到]\s*\d{1,2}\s*月"
_PERIOD = re.compile(rf"(?P<part>{PART_YEAR})"
                     rf"|(?P<span>期间|时期|五年|{YEAR}\s*[-—–至到]\s*{YEAR}\s*年)"
                     rf"|全年|当年|{YEAR}\s*年(?!\s*[-—–至到])")


def point_of(text: str) -> str:
    """Whether ``text`` says a year's average ("average"), its end ("end"), or neither ("")."""
    last = None
    for last in _POINT.finditer(text):
        pass
    return "" if last is None else "average" if last.group("average") else "end"


def last_is_target(text: str) -> bool:
    """Whether the last of the target and outcome words in ``text`` sets a target."""
    last = None
    for last in _TARGET.finditer(text):
        pass
    return bool(last and last.group("target"))


def last_stock(text: str) -> bool | None:
    """Whether ``text`` says a total (see ``Measure.stock``): what was added when it says so anywhere
    (「新增就业实际达到多少」 asks what was added), else a total when it says one."""
    said = [match.group("flow") for match in _STOCK.finditer(text)]
    return None if not said else not any(said)


def last_period(text: str) -> str:
    """Whether the last period ``text`` names is part of a year ("part"), several years ("span") or one
    whole year (""), for a figure after it in the same sentence."""
    last = None
    for last in _PERIOD.finditer(text):
        pass
    if last is None:
        return ""
    return "part" if last.group("part") else "span" if last.group("span") else ""


def reached_year(before: str, head: str) -> int | None:
    """The last year of the five-year plan a figure's sentence names (「“十四五”期间，…森林覆盖率达到19.5%」:
    2025) when its clause says a level is reached, not a change over the period; None otherwise."""
    plans = _PLAN.findall(before)
    return plan_first_year(plans[-1]) + 4 if plans and _LEVEL.search(head) and not SPAN.search(head) else None
