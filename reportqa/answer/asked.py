"""What a question asks for: the measure of its figures, and the kind of thing its answer must name.

``Asked`` reads what a figure must measure to answer a question (the indicator,
an amount or a rate, the period, a target or what happened; or, for an
indicator the table does not know, the words of the thing it counts:
「新增了多少个就业岗位」 → 就业岗位). ``slot`` reads what else a question wants
named: a date (「哪一天开工」), a place (「分布在哪些省区」), an organisation
(「由哪家企业开发」) or a name (「叫什么名字」); ``fills`` says whether an answer
sentence names one that the question does not already.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from reportqa.answer.indicators import indicators
from reportqa.answer.measures import MEASURE_WORD, Measure
from reportqa.answer.said import PART_YEAR, REMAINDER, SHARE, SHARE_OF, last_stock, point_of
from reportqa.indexing.lexical import ReportAnalyser
from reportqa.text import NUMBER, YEAR, match_form

# What a question asks of its figures: a rate (增速), a period shorter or longer than a year.
_ASKS_RATE = re.compile(r"增长|增速|增幅|涨|降|提高|百分|比重|占比|比例|率|幅度|倍")
_ASKS_RATE_ONLY = re.compile(r"增速|增幅|增长率|百分|比重|占比|比例|幅度|(?:增长|下降|涨|提高|降低)了?(?:多少|目标|预期)"
                             r"|几个百分点")
_COUNT_ASKED = re.compile(rf"(?:多少|几)({MEASURE_WORD})")
# 「2021年末」「十三五末」「年底」: what stood at the end of a period, an outcome.
_YEAR_END = re.compile(r"年末|年底|五”?末|\d年末")
_ASKS_TARGET = re.compile(r"目标|计划|规划|预期|定了|定的|要求|力争|希望|打算|拟")
_ASKS_PART_YEAR = re.compile(PART_YEAR)
_ASKS_SPAN = re.compile(rf"年均|期间|时期|五年|累计|合计|总共|一共|十[一二三四五六七八九]五|以来|过去|今后|{YEAR}\s*[-—–至到]\s*{YEAR}")


@dataclass(frozen=True)
class Asked:
    """What a question asks its figures to measure.

    Attributes:
        indicators: the indicators it names (empty: it names none the table knows).
        rate: it asks a rate or share (增速, 比重, 下降了多少).
        part_year: it asks about part of a year (一季度, 上半年).
        span: it asks about several years (年均, 十三五期间, 累计).
        actual: it asks what happened, so a target does not answer it.
        thing: when it names no indicator the table knows, the words of what it counts or measures
            (「新增了多少个就业岗位」 → 就业岗位): a sentence answering it says them.
        rate_only: it can only be answered by a rate (增速, 增长了多少, 比重).
        word: the measure word of the count it asks (「多少辆」 → 辆).
        stock: it asks a total (一共, 总数: True) or what was added (新增: False); None when neither.
        point: it asks a year's average ("average") or its end ("end"), "" when neither.
        share: it asks a share (占…比重, 比例), which a growth rate does not answer.
        remainder: it asks what was left of a whole (剩余, 其余).
    """

    indicators: tuple[str, ...]
    rate: bool
    part_year: bool
    span: bool
    actual: bool
    thing: tuple[str, ...] = ()
    rate_only: bool = False
    word: str = ""
    stock: bool | None = None
    point: str = ""
    share: bool = False
    remainder: bool = False

    @classmethod
    def read(cls, question: str, actual: bool, unnamed: Callable[[str], str] = str) -> Asked:
        # 「文化创意产业增加值占GDP比重」 asks a share of 文化创意产业增加值: GDP after 占 is not asked
        named = tuple(dict.fromkeys(name for start, _, name in indicators().mentions(question)
                                    if not SHARE_OF.search(question[:start].rstrip("的"))))
        period = (bool(_ASKS_PART_YEAR.search(question)), bool(_ASKS_SPAN.search(question)),
                  (actual or bool(_YEAR_END.search(question))) and not _ASKS_TARGET.search(question))
        if len(_QUESTION_WORD.findall(question)) > 1:  # 「添了多少家？增长了多少？」: an amount and a rate
            return cls(named, True, *period, point=point_of(question), share=bool(SHARE.search(question)),
                       remainder=bool(REMAINDER.search(question)))
        counted = _COUNT_ASKED.search(question)
        return cls(named, bool(_ASKS_RATE.search(question)), *period,
                   () if named else counted_thing(unnamed(question)), bool(_ASKS_RATE_ONLY.search(question)),
                   counted.group(1) if counted else "", last_stock(question), point_of(question),
                   bool(SHARE.search(question)), bool(REMAINDER.search(question)))

    @property
    def subject(self) -> str | None:
        """The one indicator an answer sentence naming none is about."""
        return self.indicators[0] if len(self.indicators) == 1 else None

    def answered_by(self, measure: Measure) -> bool:
        """Whether a figure of this measure (as the answer sentence says it) answers the question."""
        if measure.label or measure.start or measure.part or (measure.remainder and not self.remainder):
            return False  # 「从570家…」 and 「四大园区…2047亿元，占全区…」 say neither what stands nor the whole
        if self.indicators and measure.indicator not in self.indicators:
            return False
        if measure.indicator in indicators().rates and {measure.point, self.point} == {"average", "end"}:
            return False
        if self.share and measure.rate and not measure.share:
            return False  # 「经济增长预期7%左右」 is not a share of the nation's economy
        if (measure.part_year and not self.part_year) or (measure.span and not self.span):
            return False
        if self.actual and measure.target:
            return False
        rates = set(self.indicators) & indicators().rates
        amount_asked = (self.indicators and not self.rate or self.word) and not rates
        if (amount_asked and measure.rate) or (self.rate_only and not rates and not measure.rate):
            return False
        if self.word and (not measure.word or _counter_class(measure.word) != _counter_class(self.word)):
            return False  # 「多少辆」 is not answered by 150家, 261公里 or a bare 2020
        if self.stock is not None and measure.stock is not None and self.stock != measure.stock:
            return False
        if measure.counts:  # 「805名长期失业青年」 counts what it names, nothing else
            return names_thing(measure.counts, self.thing)
        return speaks_of(measure.context, self.thing)


# 「多少个就业岗位」「几个自由贸易试验区」: the thing counted after the question word; 「总投资有多大规模」: before it.
_MEASURE_WORDS = rf"{MEASURE_WORD}|种|类|次|万|亿|平方米|公里|千米|米|元"
_QUESTION_WORD = re.compile(r"多少|几|多大|多高|多长|多重|多快")
MIN_THING_SHARE = 1 / 2
MIN_PAIR_SHARE = 1 / 3
# Words a question wraps its thing in that a passage need not repeat.
_NOT_THING = frozenset({"规模", "数量", "总数", "金额", "总额", "数字", "一共", "总共", "新增", "实际", "完成", "建成",
                        "全年", "当年", "今年", "去年", "达到", "共有", "拥有", "计划", "目标", "分别", "各自", "大约",
                        "提出", "定", "安排", "实现", "报告", "政府", "我国", "全国", "国家", "全区", "全市"})


def counted_thing(question: str) -> tuple[str, ...]:
    """The nouns of what a question counts (see ``Asked.thing``), after its first question word (「多少个
    就业岗位」); empty when it names none there (「总投资有多大规模」 is read by its indicator, if any)."""
    text = match_form(question)
    asking = _QUESTION_WORD.search(text)
    if not asking:
        return ()
    after = re.match(rf"(?:{_MEASURE_WORDS})*([\u4e00-\u9fffA-Za-z0-9]{{2,16}})", text[asking.end():])
    thing = _thing_words(re.split(r"是|呢|了|的|在|有|和|与|分别|各", after.group(1))[0]) if after else ()
    # 「华为研发中心项目总投资多少」: nothing after the question word, so what it is asked of comes before it
    return thing or _thing_words(_PLAN_OR_YEAR.sub("", re.split(r"[，,]", text[:asking.start()])[-1]))


_PLAN_OR_YEAR = re.compile(rf"[“\"]?十[一二三四五六七八九]五[”\"]?|{YEAR}\s*年|去年|今年|明年")


def _thing_words(phrase: str) -> tuple[str, ...]:
    return tuple(word for word in ReportAnalyser().nouns(phrase)
                 if len(word) >= 2 and word not in _NOT_THING and not NUMBER.fullmatch(word))


# Measure words that count the same kind of thing (幅 and 块 of land); 个 counts anything.
_COUNTERS = ("人名位", "家户", "辆台艘架", "张块幅座条所项件套处栋幢批部只头个")


def _counter_class(word: str) -> str:
    return next((group for group in _COUNTERS if word in group), word)


def speaks_of(text: str, thing: tuple[str, ...]) -> bool:
    """Whether ``text`` holds half of the characters of ``thing`` (「经费」 for 「费用」): a looser test, for
    the words before a figure, which a question paraphrases."""
    characters = set("".join(thing))
    return len(characters & set(text.lower())) >= MIN_THING_SHARE * len(characters)


def names_thing(text: str, thing: tuple[str, ...]) -> bool:
    """Whether ``text`` speaks of ``thing``: it holds a third of its character pairs and half of its
    characters, at least two (「就业岗位」 for 「工作岗位」, 「上市企业」 for 「上市公司」; not 「跨境电子商务综合
    试验区」 for 「自由贸易试验区」, nor 「投资引导基金」 for 「资金」)."""
    if not thing:
        return True
    text = text.lower()
    pairs = {word[i:i + 2] for word in thing for i in range(len(word) - 1)}
    characters = set("".join(thing))
    return (sum(pair in text for pair in pairs) >= MIN_PAIR_SHARE * len(pairs)
            and len(characters & set(text)) >= max(2, MIN_THING_SHARE * len(characters)))


DATE, PLACE, PERSON, ORGANISATION, NAME, ITEMS = "date", "place", "person", "organisation", "name", "items"
_ASKS_DATE = re.compile(r"哪一?天|哪日|几月几[日号]|几号|哪个月|什么时候|何时|具体日期|什么日子|哪年哪月")
_ASKS_ORGANISATION = re.compile(r"哪家|哪个(?:企业|公司|单位|机构|部门|银行|医院|学校|大学)")
# 「分别是哪几个」「有哪些」: several things, named one after another.
_ASKS_ITEMS = re.compile(r"哪几|哪些|分别是什么|分别是哪|包括哪|都有什么|有什么")
_ENUMERATION = re.compile(r"[、；;]|一是|其一[,，、是]|第一[,，、是]|[”」》][和及与][“「《]|[^\s，,。]{2,}[和及与][^\s，,。]{2,}")
_ASKS_PERSON = re.compile(r"谁(?![的更多高低大小快慢])")
_ASKS_NAME = re.compile(r"叫什么|什么名字|名称是什么|名字是什么|什么型号|哪项|哪一项|哪个项目|什么品牌|什么称号")
_TIME = re.compile(rf"{YEAR}\s*年|\d{{1,2}}\s*月|\d{{1,2}}\s*[日号]|年底|年初|年内|年末|上半年|下半年|月底|月初")
# Nouns a question asks with (哪家企业, 叫什么名字), which say what kind of answer it wants, not its subject.
_CATEGORY_WORDS = frozenset({"企业", "公司", "单位", "机构", "名字", "名称", "型号", "品牌", "项目", "成果"})
_BARE_ORGANISATION = re.compile(r"公司|集团|银行|大学|学院|研究院|研究所|医院|协会|学会|委员会|基金会|实验室|工厂|控股")
_FUNCTION_CHARACTERS = frozenset("的了和与及等是在为获将把被从向对由于以而并或也都又再就还各每个年月日第")
_QUOTED_NAME = re.compile(r"[“「『《\"]([^”」』》\"]{1,30})[”」』》\"]")
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9\-·]*\d[A-Za-z0-9\-]*|\d+[A-Za-z][A-Za-z0-9\-]*")
_ORGANISATION_END = re.compile(r"(?:公司|集团|企业|银行|大学|学院|研究院|研究所|医院|中心|协会|学会|委员会|基金会|"
                               r"实验室|工厂|厂|局|厅|部|署|办|股份|科技|电子|光电|软件|智能|控股|航空)$")


def slot(question: str, asks_place: bool) -> str | None:
    """What a question wants named besides figures: a date, a place, a person, an organisation, a name or
    several items; None when it wants none of these (a figure, a fact, a comparison)."""
    if _ASKS_DATE.search(question):
        return DATE
    if asks_place:
        return PLACE
    if _ASKS_ORGANISATION.search(question):
        return ORGANISATION
    if _ASKS_PERSON.search(question):
        return PERSON
    if _ASKS_NAME.search(question):
        return NAME
    if _ASKS_ITEMS.search(question):
        return ITEMS
    return None


def fills(wanted: str, sentence: str, question: str, places: Callable[[str], tuple[str, ...]],
          quoted: frozenset[str] = frozenset()) -> bool:
    """Whether an answer sentence names a ``wanted`` thing (see ``slot``) that the question does not.

    Args:
        places: the places a text names.
        quoted: the names the passages put in quotes (an answer may give 金山如画 without them).
    """
    text, asked = match_form(sentence), match_form(question)
    if wanted == ITEMS:
        return bool(_ENUMERATION.search(text))
    if wanted == DATE:
        return any(time.group() not in asked for time in _TIME.finditer(text))
    if wanted == PLACE:
        return any(place not in asked and place not in places(asked) for place in places(text))
    named = [name for name in _QUOTED_NAME.findall(text) if name not in asked]
    # A model code counts in a clause about the question's subject: 「国产大飞机C919投入商业运营，国产大型
    # 邮轮成功建造」 does not name the liner.
    subject = [word for word in _thing_words(asked) if word not in _CATEGORY_WORDS]
    codes = [code for clause in re.split(r"[,，;；:：]", text) for code in _CODE.findall(clause)
             if code not in asked and all(word in clause.lower() for word in subject)]
    names = _name_like(_QUOTED_NAME.sub("，", text), asked)
    if wanted == ORGANISATION:
        return bool(names)
    if wanted == PERSON:  # names of people are too varied to tell: any word the question does not have
        return any(len(word) >= 2 and word not in asked.lower() for word in ReportAnalyser().words(text))
    return bool(named or codes or names or any(name in text and name not in asked for name in quoted))


def _name_like(text: str, asked: str) -> list[str]:
    """Names of organisations in ``text`` that the question does not hold: a word ending like one
    (华为技术有限公司), a word before a bare 公司/集团/… (施特劳斯 公司), or characters the dictionary does
    not know before any such ending (升 翕 光电)."""
    analyser = ReportAnalyser()
    found: list[str] = []
    before, run = "", ""
    for word in analyser.words(text):
        suffix = _ORGANISATION_END.search(word)
        if len(word) == 1 and "\u4e00" <= word <= "\u9fff" and word not in _FUNCTION_CHARACTERS:
            run += word
            continue
        if suffix and suffix.start() == 0:
            if len(run) >= 2 and not analyser.knows(run):
                found.append(run + word)
            elif not run and len(before) >= 2 and not NUMBER.search(before) and _BARE_ORGANISATION.fullmatch(word):
                found.append(before + word)
        elif suffix and not NUMBER.search(word):
            found.append(word)
        before, run = word, ""
    return [name for name in found if name.lower() not in asked.lower()]
