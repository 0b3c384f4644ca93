"""What a figure measures: the indicator its clause is about, whether it is a rate, over what period.

「区级一般公共预算收入从214亿元增长到近300亿元」 holds 300亿元 for the right
place and year, but it is budget revenue, not GDP. ``measured`` reads, for every
figure in a text, what it is a figure of:

* the indicator (``data/indicators.txt``: 地区生产总值 = GDP = 国内生产总值 …):
  the last one named before it in its clause (「地区生产总值2565亿元」); a
  clause naming none takes the previous clause's when it has no subject of its
  own (「…2565亿元，可比增长1.4%」), and has an unknown one when it has
  (「跨国公司地区总部从31家增加到47家」); a paired list pairs in order
  (「地区生产总值和区级一般公共预算收入出现8.5%和10.8%的下降」), and a share
  is of the indicator before 占/相当于 (「研发经费支出相当于地区生产总值的比例达10%」);
* whether it is a rate (a percentage, 个百分点 or 倍) or an amount;
* whether it covers several years (年均, 期间, 五年, a year range) or part of
  one (一季度, 上半年, 1-9月), and whether it is set as a target (预期目标, 力争).

The answer sentence is read the same way, so a figure in an answer is backed
only by a passage figure of the same measure, and a figure answers a question
only when it measures what the question asks (``Asked``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from reportqa.answer import said
from reportqa.answer.indicators import indicators
from reportqa.answer.said import SHARE, SHARE_OF, SPAN, last_is_target, last_period, last_stock, point_of, reached_year
from reportqa.text import FIGURE_WITH_UNIT, YEAR, canonical_figure, unit_kind

# A clause: what a comma, colon or enumeration comma-free stretch says.
_CLAUSE = re.compile(r"[^,，:：]+")
# Words that say how a figure moved or stands, not what it is of; with them removed, a clause
# that still has two Chinese characters before its figure names a subject of its own.
_NOT_SUBJECT = re.compile(
    rf"(?:{YEAR}(?:\s*[-—–至到]\s*{YEAR})?年(?:底|末|初)?|全年|当年|今年|去年|上年|同比|比上年|"
    r"可比价?|按可比价格计算|年均|平均|分别|累计|合计|共计|总计|全区|全市|全省|全县|全国|其中|预计|初步核算|实际|"
    r"力争|争取|预期目标|主要目标|目标|预期|环比|"
    r"增长|增加|下降|减少|提高|降低|上升|回落|增速|增幅|达到|完成|实现|突破|超过|超|达|为|是|约|近|从|由|到|至|"
    r"以上|左右|以内|以下|出现|保持|稳定在|控制在|新增|新建|建成|共有|拥有|总量|总额|规模|金额|数量|浓度|水平|"
    r"具体|数字|数值|数据|体量|约为|大约|分别为|"
    r"在|有|了|的|和|与|及|并|比|较|个百分点|倍|\d+(?:\.\d+)?%?)")
# A quoted name: a figure inside it (「“文创50条”」「“3+6”」) names, it does not measure.
_QUOTE = re.compile(r"[“「『\"][^”」』\"]{1,30}[”」』\"]")
# A measure word and the thing it counts, right after a figure: 「6家跨国公司地区总部」.
MEASURE_WORD = "家|个|名|张|块|幅|座|条|所|项|件|户|位|套|台|辆|处|栋|幢|人|批|艘|架|部|只|头|亩|吨"
_COUNTS = re.compile(rf"(?:多|余)?(?:万|亿)?(?:多|余)?({MEASURE_WORD})(?![等的左以])([\u4e00-\u9fff]{{2,}})")
_WORD_AFTER = re.compile(rf"\s*(?:多|余)?(?:万|亿)?(?:多|余)?({MEASURE_WORD})")
# 「(%)6左右」 in a table row: the unit is written before the figure.
_PERCENT_BEFORE = re.compile(r"[(（]%[)）]\s*$")
# 「从84.5岁提高到85.75岁」「由570家增加到1764家」: a change from one figure to the next.
_FROM = re.compile(rf"(?:从|由)(?:{YEAR}\s*年(?:底|末)?|[^\d，,；;从由]){{0,12}}$")
_TO = re.compile(r"^[^\d，,；;]{0,10}(?:到|至)[^\d，,；;]{0,4}$")
_SHARE_OF = re.compile(r"^(?:约)?占(?:全区|全市|全省|全县|全国|全部|总量的?)?")
_RATE_AFTER = re.compile(r"\s*(?:个百分点|倍)")
# What joins the items of a paired list: 「地区生产总值和区级一般公共预算收入」.
_JOINED = re.compile(r"^\s*(?:和|与|及|、|以及)[^\d,，]{0,3}$")
# A year a figure is tied to (with its range: 「2016-2020年」), and the words that make it a baseline instead.
_TIED_YEAR = re.compile(rf"({YEAR})(?:\s*[-—–至到]\s*({YEAR}))?\s*年")
_BASELINE_BEFORE = re.compile(r"(?:比|较|与|同|跟|相比)\s*$")
_BASELINE_AFTER = re.compile(r"(?:底|末)?(?:同期|相比|一样|持平|水平|以来)")
# A clause that only says when (「到2025年」「截至2020年底」): its year carries to the next clause.
_TIME_ONLY = re.compile(rf"(?:到|至|截至|截止|力争|预计|在)?{YEAR}(?:\s*[-—–至到]\s*{YEAR})?年(?:底|末|前|初)?")
# A clause that only says when or where: its subject (if any) is the previous clause's.
_YEAR_FIGURE = re.compile(rf"^{YEAR}$")
_YEAR_AFTER = re.compile(rf"\s*(?:年|[-—–至到]\s*{YEAR}\s*年)")


@dataclass(frozen=True)
class Measure:
    """What one figure in a text is a figure of.

    Attributes:
        figure: the number in canonical form.
        kind: the kind of its unit (``reportqa.text.unit_kind``).
        indicator: the indicator's usual name, None when the clause names none it knows.
        own_subject: its clause names a subject of its own that is not a known indicator.
        rate: a percentage, 个百分点 or 倍 (a change or a share), not an amount.
        span: it covers several years (年均, 期间, a year range).
        part_year: it covers part of a year (一季度, 上半年).
        target: it is set as a target (预期目标, 力争).
        years: the years its clause ties it to: the last named before it (baselines such as 「比2015年」
            left out), its own in a paired list, or a preceding clause's that only says when
            (「到2025年，床位达到8267张」); empty when none.
        label: it is not a figure of anything: a year named as a time (「2020年」) or part of a name
            (PM2.5, 「“文创50条”」).
        counts: the thing it counts, when a measure word and a noun follow it (「6家跨国公司地区总部」).
        word: its unit or measure word (亿元, 家, 张), "" when none follows it.
        stock: True for a total held (达到, 总数, 累计), False for what was added (新增, 新建), None when
            its clause does not say.
        context: what its sentence says of it: the thing it counts if one follows it, else the sentence
            up to it and the rest of its clause (「收储了40.67公顷土地」).
        outcome: it reports what happened (a passage reviewing a past year), so it is not a target.
        start: it is where a change started (「从84.5岁提高到85.75岁」: 84.5), not where it stands.
        part: it is of a part of what the indicator covers (the next clause gives its share of the whole).
        point: "average" for a year's average (「失业率平均为5.1%」), "end" for the year's end (年末), else "".
        share: it is a share of something (占, 比重, 比例), not a change.
        remainder: it is of what was left of a whole (剩余, 其余), not the whole.
    """

    figure: str
    kind: str
    indicator: str | None
    own_subject: bool = False
    rate: bool = False
    span: bool = False
    part_year: bool = False
    target: bool = False
    years: frozenset[int] = frozenset()
    label: bool = False
    counts: str = ""
    word: str = ""
    stock: bool | None = None
    context: str = ""
    outcome: bool = False
    start: bool = False
    part: bool = False
    point: str = ""
    share: bool = False
    remainder: bool = False


def measured(sentence: str, subject: str | None = None, unnamed: Callable[[str], str] = str) -> list[Measure]:
    """What each figure in one sentence (compact form) measures, in order.

    Args:
        sentence: one sentence, in ``reportqa.text.compact`` form.
        subject: the indicator a sentence naming none is about (an answer's: the question's).
        unnamed: the text without place names (「嘉定新增774张」 has no subject of its own).
    """
    found: list[Measure] = []
    carried, carried_years = subject, frozenset()
    for clause_match in _CLAUSE.finditer(sentence):
        clause = _Clause(clause_match.group(), sentence[:clause_match.start()], unnamed)
        if found and _SHARE_OF.match(clause.text) and found[-1].indicator in {name for *_, name in clause.mentions}:
            found[-1] = replace(found[-1], part=True)  # 「四大园区实现产值2047亿元，占全区产值的63.2%」
        found += [clause.measure(match, carried, carried_years) for match in clause.matches]
        if clause.mentions:
            carried = clause.mentions[-1][2]
        elif clause.numbers and _has_own_subject(unnamed(clause.text[:clause.numbers[0].start()])):
            carried = None
        carried_years = clause.ties[-1][1] if clause.ties and _TIME_ONLY.fullmatch(clause.text) else frozenset()
    return found


class _Clause:
    """One clause of a sentence: its indicators, figures, paired lists and tied years."""

    def __init__(self, text: str, prefix: str, unnamed: Callable[[str], str]) -> None:
        self.text, self.prefix, self.unnamed = text, prefix, unnamed
        self.mentions = indicators().mentions(text)
        self.matches = list(FIGURE_WITH_UNIT.finditer(text))
        quoted = [(quote.start(), quote.end()) for quote in _QUOTE.finditer(text)]
        self.numbers = [match for match in self.matches if not _is_time(match, text)
                        and not any(start <= match.start() < end for start, end, _ in self.mentions)
                        and not any(start < match.start() < end for start, end in quoted)]
        self.paired = _paired(self.mentions, self.numbers, text)
        self.paired_years = _paired_years(text, self.numbers)
        self.ties = [(year.end(), _year_span(year)) for year in _TIED_YEAR.finditer(text) if not _baseline(year, text)]

    def measure(self, match: re.Match[str], carried: str | None, carried_years: frozenset[int]) -> Measure:
        head, unit = self.text[:match.start()], match.group(2) or ""
        if match not in self.numbers:
            return Measure(canonical_figure(match.group(1)), unit_kind(unit), None, label=True)
        position = self.numbers.index(match)
        indicator, own = _indicator(self.mentions, match.start(), head, self.unnamed, carried)
        counts = _COUNTS.match(self.text, match.end())
        if counts and not any(mention[1] <= match.start() for mention in self.mentions):
            # 「6家跨国公司地区总部」: the thing after it is what it counts
            indicator, own = (indicators().named_in(counts.group(2)) or (None,))[0], True
        elif self.paired:
            indicator, own = self.paired[position], False
        elif indicator is None:  # 「安排4000亿元地方专项债券」: named right after its unit
            after = [name for start, _, name in self.mentions if 0 <= start - match.end() <= 2]
            indicator, own = (after[0], False) if after else (indicator, own)
        tied = [years for end, years in self.ties if end <= match.start()]
        years = (frozenset({self.paired_years[position]}) if self.paired_years
                 else tied[-1] if tied else carried_years)
        kind = unit_kind(unit)
        before = self.prefix + head
        reached = reached_year(before, head) if not years else None
        years = frozenset({reached}) if reached else years
        return Measure(
            canonical_figure(match.group(1)), kind, indicator, own,
            rate=kind == "%" or bool(_RATE_AFTER.match(self.text, match.end())) or bool(_PERCENT_BEFORE.search(head)),
            span=bool(SPAN.search(head)) or len(years) > 1 or (last_period(before) == "span" and not reached),
            part_year=last_period(before) == "part", target=last_is_target(before), years=years,
            counts=counts.group(2) if counts else "",
            word=unit or (counts.group(1) if counts else _word_after(self.text, match)),
            stock=last_stock(head), context=counts.group(2) if counts else before + self.text[match.end():],
            start=self._starts(position), point=point_of(head), share=bool(SHARE.search(head)),
            remainder=bool(said.REMAINDER_FIGURE.search(head)))

    def _starts(self, position: int) -> bool:
        """Whether the figure at ``position`` is where a change started: 「从A…到B」 with B the next figure."""
        if position + 1 >= len(self.numbers):
            return False
        match, following = self.numbers[position], self.numbers[position + 1]
        return bool(_FROM.search(self.text[:match.start()]) and _TO.search(self.text[match.end():following.start()]))


def _year_span(match: re.Match[str]) -> frozenset[int]:
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else first
    return frozenset(range(first, last + 1)) if 0 <= last - first <= 10 else frozenset({first})


def _baseline(year: re.Match[str], clause: str) -> bool:
    """A year named as a baseline or a comparison (「比2015年」「与2021年一样」「2019年同期」), not the
    figure's own."""
    return bool(_BASELINE_BEFORE.search(clause[:year.start()]) or _BASELINE_AFTER.match(clause, year.end()))


def _word_after(text: str, match: re.Match[str]) -> str:
    after = _WORD_AFTER.match(text, match.end())
    return after.group(1) if after else ""


def _is_time(match: re.Match[str], clause: str) -> bool:
    """A year (「2020年」「2016-2020年」) or a month or day named as a time, not a figure."""
    if _YEAR_FIGURE.match(match.group(1)) and _YEAR_AFTER.match(clause, match.start() + len(match.group(1))):
        return True
    return bool(re.match(r"\s*(?:月|日|季度|号|世纪)", clause[match.end():]))


def _indicator(mentions: list[tuple[int, int, str]], start: int, head: str, unnamed: Callable[[str], str],
               carried: str | None) -> tuple[str | None, bool]:
    """The indicator a figure at ``start`` of its clause (``head`` before it) measures, and whether its clause
    has an unknown subject of its own (``unnamed`` takes place names out)."""
    before = [mention for mention in mentions if mention[1] <= start]
    if before:
        last = before[-1]
        if SHARE_OF.search(head[:last[0]].rstrip("的")):  # 「X占地区生产总值的比重」 is of X
            numerator = unnamed(head[:last[0]])
            return (before[-2][2], False) if len(before) > 1 else (None, True) if _has_own_subject(numerator) \
                else (carried, False)
        return last[2], False
    head = unnamed(head)
    if _has_own_subject(head):
        own = "".join(re.findall(r"[\u4e00-\u9fff]", _NOT_SUBJECT.sub("", head)))
        if carried and indicators().part_of(own, carried):  # 「收入119.39亿元」 after a question on 一般公共预算收入
            return carried, False
        return None, True
    return carried, False


def _has_own_subject(head: str) -> bool:
    return len(re.findall(r"[\u4e00-\u9fff]", _NOT_SUBJECT.sub("", head))) >= 2


def _paired(mentions: list[tuple[int, int, str]], numbers: list[re.Match[str]], clause: str) -> list[str] | None:
    """「A和B…x和y」: each figure's indicator in order, when a clause names as many joined indicators
    before its first figure as it has figures; None otherwise."""
    if len(numbers) < 2:
        return None
    before = [mention for mention in mentions if mention[1] <= numbers[0].start()]
    if len(before) != len(numbers):
        return None
    joined = all(_JOINED.match(clause[a[1]:b[0]]) for a, b in zip(before, before[1:]))
    return [name for _, _, name in before] if joined else None


def _paired_years(clause: str, numbers: list[re.Match[str]]) -> list[int] | None:
    """「2021年和2022年…分别为78.43亿元和60.40亿元」: the years in order when a clause names as many
    joined years before its first figure as it has figures; None otherwise."""
    if len(numbers) < 2:
        return None
    before = [year for year in re.finditer(rf"({YEAR})\s*年", clause) if year.end() <= numbers[0].start()]
    if len(before) != len(numbers):
        return None
    if not all(_JOINED.match(clause[a.end():b.start()]) for a, b in zip(before, before[1:])):
        return None
    return [int(year.group(1)) for year in before]


def backs(held: Measure, wanted: Measure, actual: bool, dated: bool = True, target: bool = False) -> bool:
    """Whether a passage figure (``held``) backs an answer's figure (``wanted``) of the same number and unit
    kind: the same indicator when the answer names one (a passage clause about something else does not
    back it), and, for a question naming a year (``dated``), not over several years or part of a year
    unless the answer says so; not a target for a question asking what happened (``actual``), nor an
    outcome for one asking a target (``target``)."""
    if wanted.label:
        return True
    if wanted.indicator and held.indicator != wanted.indicator and (held.indicator or held.own_subject):
        return False
    if dated and ((held.span and not wanted.span) or (held.part_year and not wanted.part_year)):
        return False
    if held.indicator in indicators().rates and {held.point, wanted.point} == {"average", "end"}:
        return False  # 「失业率平均为5.1%」 is not the rate at the year's end
    if held.start != wanted.start or (held.part and not wanted.part) or (held.remainder and not wanted.remainder):
        return False  # 「从84.5岁提高到85.75岁」 is not 84.5岁 now; a part's figure (or what was left) is not the whole's
    if None not in (held.stock, wanted.stock) and held.stock != wanted.stock:
        return False  # 「新认定1755家」 is not backed by 「数量达到1755家」
    return not (actual and held.target and not wanted.target) and not (target and held.outcome)
