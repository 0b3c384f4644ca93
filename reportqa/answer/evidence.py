"""What a passage can back: its figures (with unit kind and tied years), names, and wording.

For one question, ``Evidence`` knows of each passage the verifier may use:

* whether it agrees with the question (``agrees``: the place asked, and a
  section about the year asked, when they are named);
* its figures, each with the kind of its unit (13.5% is not 13.5微克) and the
  year its clause ties it to: the last year named before it in its clause
  (baselines such as 「比2015年」 left out), or the year of a clause that is only
  a time (「到2025年，床位总数达到8267张」);
* a count with the thing it counts (「6家高新技术企业」): the passage sentence
  holding the figure must share at least a third of that thing's characters;
* its text, for quoted names, and its sentences' character bigrams, for
  sentences without figures (the closest wording).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from reportqa.answer.asked import Asked
from reportqa.answer.holdings import RELATIVE_PERIODS, Occurrence, occurrences
from reportqa.answer.measures import Measure, backs, measured
from reportqa.indexing.lexical import ReportAnalyser
from reportqa.records import Hit
from reportqa.search.question import ACTUAL, COMPARISON, FIGURE, TARGET, Understanding
from reportqa.text import (
    NUMBER,
    YEAR_MENTION,
    canonical_figure,
    compact,
    match_form,
    sentences,
)

# Sentences with no figure must share this much of their wording with a passage.
MIN_WORDING_OVERLAP = 0.35
# A count and what it counts: 「6家高新技术企业」 → ("6", "高新技术企业").
_COUNTED = re.compile(rf"({NUMBER.pattern})(?:万|亿)?(?:多|余)?(?:家|个|名|张|块|幅|座|条|所|项|件|户|位|套|台|辆|处|栋|幢)"
                      r"([\u4e00-\u9fff]{2,6})")
# Where a counted thing ends: 「6家企业的…」「5条轨交线和…」.
_COUNTED_END = re.compile(r"[的和与及、在是为]")
MIN_COUNTED_SHARE = 1 / 3
MIN_SAME_THING = 2 / 3
_TARGET_WORDS = re.compile(r"目标|预期|力争")
_QUOTED_NAME = re.compile(r"[“「『《\"]([^”」』》\"]{2,30})[”」』》\"]")

def _counted(text: str) -> dict[str, str]:
    """figure → the thing it counts, in an answer sentence (only for figures followed by a measure word)."""
    found: dict[str, str] = {}
    for number, thing in _COUNTED.findall(compact(text)):
        thing = _COUNTED_END.split(thing)[0]
        if len(thing) >= 2:
            found.setdefault(canonical_figure(number), thing)
    return found


def _holds(holding: list[Occurrence], wanted: Measure, years: frozenset[int], actual: bool,
           thing: str = "", target: bool = False) -> bool:
    """Whether a passage backs an answer's figure: the same number and unit kind (a bare figure matches
    any), tied to the asked years, of the same measure (``measures.backs``), counting ``thing`` if given:
    its sentence shares enough of the thing's characters (「新增6家跨国公司地区总部」 does not count
    高新技术企业), and what the passage figure itself counts, when a noun follows it, is the same thing
    (``same_thing``: 「新设12个跨境电子商务综合试验区」 does not count 自由贸易试验区)."""
    counted = set(thing)
    return any(held.figure == wanted.figure and (not wanted.kind or not held.kind or held.kind == wanted.kind)
               and (not years or not held.years or held.years & years)
               and backs(held, wanted, actual, bool(years), target)
               and len(counted & characters) >= MIN_COUNTED_SHARE * len(counted)
               and (not thing or not held.counts or same_thing(thing, held.counts))
               for held, characters in holding)


def same_thing(said: str, counted: str) -> bool:
    """Whether two names of counted things, each read from right after its measure word (so a verb may
    follow the noun: 「电梯实现」), name the same thing: they start alike (电梯装上了, 电梯实现), or most
    characters of the shorter are in the longer (自贸试验区 and 自由贸易试验区: all 5; not 自由贸易试验区
    and 跨境电子商务综合试验区: 3 of 7, the same 试验区 with another modifier)."""
    shorter, longer = sorted((said, counted), key=len)
    return said[:2] == counted[:2] or len(set(shorter) & set(longer)) >= MIN_SAME_THING * len(set(shorter))


def _cover(holders: dict[str, list[int]], cited: list[int]) -> list[int]:
    """Passages that together hold every figure: the cited ones where they do, else the first holder."""
    chosen: list[int] = []
    for found in holders.values():
        if any(i in chosen for i in found):
            continue
        chosen.append(next((i for i in cited if i in found), found[0]))
    return [i for i in cited if i in chosen] + [i for i in chosen if i not in cited]


class Evidence:
    """What each passage can back for one question: whether it agrees with the question's place and
    year, its figures (with unit kind and tied years), and its text for quoted names."""

    def __init__(self, passages: Sequence[Hit], understanding: Understanding) -> None:
        self.passages = passages
        self.names = understanding.place_names
        self.question = match_form(understanding.question).lower()
        self.years = frozenset(understanding.years)
        self.acceptable = [agrees(passage, understanding) for passage in passages]
        # A question naming a place by description asks of the rest (「…第一的那个区，收入是多少？」).
        asked = understanding.bridge_rest or understanding.question
        self.asked = Asked.read(asked, understanding.stance == ACTUAL, self.names.without_names)
        self.actual = self.asked.actual
        # A figure question asking a target (目标, 预期) is not answered by a review of what happened.
        self.target_asked = (understanding.stance == TARGET and understanding.kind == FIGURE
                             and bool(_TARGET_WORDS.search(understanding.question)))
        # A question asking a figure wants a sentence with a figure of the measure it asks.
        self.wants_measure = understanding.kind in (FIGURE, COMPARISON)
        self.holdings = [occurrences(passage, self.names.without_names) for passage in passages]
        self.texts = [compact(passage.text) for passage in passages]
        self.quoted = frozenset(name for index, text in enumerate(self.texts) if self.acceptable[index]
                                for name in _QUOTED_NAME.findall(text))
        self.sentence_texts = [sentences(match_form(f"{passage.title}。{passage.text}"), keep_ends=False)
                               for passage in passages]
        # A sentence with the next one: an answer may join what two sentences say (「两汇民生品牌获得肯定。
        # …打造“邻里汇”…“水岸汇”」).
        self.sentence_pairs = [[a + "。" + b for a, b in zip(parts, [*parts[1:], ""])] for parts in self.sentence_texts]
        self.sentence_grams = [[_bigrams(pair) for pair in pairs] for pairs in self.sentence_pairs]

    def closest(self, body: str, cited: list[int]) -> int | None:
        """The acceptable passage with a sentence that says what the answer sentence says: every word of
        the answer (places and years aside) is in it or the sentence after it, and it shares enough of the
        answer's character bigrams; the passage whose sentence shares most, a cited passage winning a tie. 「乔·拜登枪击了
        安倍晋三」 is not backed by a sentence naming 拜登 and 安倍晋三 without 枪击."""
        grams = _bigrams(match_form(body))
        if not grams:
            return None
        words = _content_words(self.names.without_names(match_form(body)))
        shares = {index: max((len(grams & part) / len(grams) for part, text in zip(parts, self.sentence_pairs[index])
                              if _says(text, words, self.question)), default=0.0)
                  for index, parts in enumerate(self.sentence_grams) if self.acceptable[index]}
        if not shares:
            return None
        best = max(shares, key=lambda index: (shares[index], index in cited, -index))
        return best if shares[best] >= MIN_WORDING_OVERLAP else None

    def about_asked(self, body: str, needed: list[str]) -> tuple[bool, bool]:
        """Whether a sentence's figures are of an indicator the question asks (or it asks none the table
        knows), and whether one of them answers the question: the asked indicator, over the asked period,
        an amount or a rate as asked, not a target when it asks what happened; for a thing the table
        does not know, in a sentence that names it (「新增就业岗位19075个」 for 「新增了多少个就业岗位」)."""
        said = [measure for number, measure in self.measures(body).items() if number in needed and not measure.label]
        if not said:
            return True, False
        related = not self.asked.indicators or any(measure.indicator in self.asked.indicators for measure in said)
        return related, bool(self.answering(body, needed))

    def answering(self, body: str, needed: list[str], target: bool | None = None) -> list[str]:
        """The figures of a sentence (among ``needed``) that answer the question as the sentence says them
        (and, when ``target`` is given, are set as a target or not as it says)."""
        return [number for number, measure in self.measures(body).items()
                if number in needed and not measure.label and self.asked.answered_by(measure)
                and (target is None or measure.target == target)]

    def measures(self, body: str) -> dict[str, Measure]:
        """figure → what an answer sentence says it measures (its first mention); a sentence naming no
        indicator is about the question's."""
        found: dict[str, Measure] = {}
        for sentence in sentences(compact(body), keep_ends=False):
            for measure in measured(sentence, self.asked.subject, self.names.without_names):
                if not measure.label:  # an answer speaks of the period the question asks, said or not
                    measure = replace(measure, span=measure.span or self.asked.span,
                                      part_year=measure.part_year or self.asked.part_year,
                                      target=measure.target or self.target_asked,
                                      point=measure.point or self.asked.point)
                found.setdefault(measure.figure, measure)
        return found

    def support(self, body: str, needed: list[str], names: list[str], cited: list[int]) -> tuple[list[int], list[str]]:
        """The passages that back a sentence's figures and names (cited ones preferred), and what none backs.

        Only passages of the place the sentence names (if it names one) can back it, and when the question
        asks about several years, only passages about the one year the sentence names (「2015年…减少1232万人」
        is not backed by the 2014 review); a sentence naming several places needs a backing passage from each (「虹口和嘉定各有267名」 from 嘉定's alone does not do).
        """
        passages = self.passages
        named = set(self.names.named_in(match_form(body)))
        said = {int(match.group(1)) for match in YEAR_MENTION.finditer(match_form(body))} & self.years
        usable = [i for i in range(len(passages))
                  if self.acceptable[i] and (not named or passages[i].place in named)
                  and (len(self.years) < 2 or len(said) != 1 or speaks_of(passages[i], *said))]
        said_measures = self.measures(body)
        counted = _counted(body)
        holders = {number: [i for i in usable
                            if _holds(self.holdings[i], said_measures.get(number, Measure(number, "", None, label=True)),
                                      self.years, self.actual, counted.get(number, ""), self.target_asked)]
                   for number in needed}
        holders |= {f"“{name}”": [i for i in usable if name in self.texts[i]] for name in names}
        missing = [number for number, found in holders.items() if not found]
        if missing:
            return [], missing
        chosen = _cover(holders, cited)
        unbacked = []
        for place in named if len(named) > 1 else ():
            if not any(passages[i].place == place for i in chosen):
                found = [i for i in dict.fromkeys(i for held in holders.values() for i in held)
                         if passages[i].place == place]
                chosen += found[:1]
                unbacked += [] if found else [place]
        return ([], [f"（{'、'.join(unbacked)}的数字）"]) if unbacked else (chosen, [])


def agrees(passage: Hit, understanding: Understanding) -> bool:
    """Whether a passage may back an answer to this question: the right place and year, when named."""
    if understanding.places and passage.place not in understanding.places:
        return False
    if understanding.years:
        spoken = _period_years(passage)
        asked = {str(year) for year in understanding.years}
        if spoken and not spoken & set(understanding.years) and not any(year in passage.text for year in asked):
            return False
    return True


def speaks_of(passage: Hit, year: int) -> bool:
    """Whether a passage is about ``year``: its section's years, or its text when its section says none."""
    spoken = _period_years(passage)
    return year in spoken if spoken else str(year) in passage.text


def _period_years(passage: Hit) -> set[int]:
    """The years a passage's section speaks of: its year, or the five before/after the report's year
    for 过去五年/今后五年; empty when unknown (a plan period, no heading)."""
    period = passage.period or ""
    if period.isdigit():
        return {int(period)}
    if passage.year and period in RELATIVE_PERIODS:
        start = passage.year + RELATIVE_PERIODS[period]
        return set(range(start, start + 5))
    return set()


# Words an answer adds that say nothing of their own.
_FILLER = frozenset({"相关", "方面", "主要", "提到", "提及", "指出", "表示", "报告", "资料", "文件", "显示", "根据", "其中",
                     "包括", "以及", "进行", "开展", "工作", "情况", "问题", "答案", "具体", "一是", "二是", "三是"})
# An answer sentence may paraphrase this many of its words when it has at least MIN_WORDS_FOR_SLACK.
WORD_SLACK = 1
MIN_WORDS_FOR_SLACK = 4


def _content_words(text: str) -> tuple[str, ...]:
    """The words of an answer sentence a backing sentence must hold: two or more characters, not
    figures or years, not filler."""
    return tuple(dict.fromkeys(word for word in ReportAnalyser().words(text)
                               if len(word) >= 2 and not NUMBER.fullmatch(word) and word not in _FILLER
                               and not YEAR_MENTION.fullmatch(word)))


def _says(sentence: str, words: tuple[str, ...], asked: str) -> bool:
    """Whether a passage sentence says what an answer sentence of these words says: every word the
    question does not have (all but ``WORD_SLACK`` of them when there are ``MIN_WORDS_FOR_SLACK`` or more),
    and more than half of those it repeats from the question."""
    new = [word for word in words if word not in asked]
    repeated = [word for word in words if word in asked]
    missing = sum(word not in sentence for word in new)
    if missing > (WORD_SLACK if len(new) >= MIN_WORDS_FOR_SLACK else 0):
        return False
    return not repeated or sum(word in sentence for word in repeated) > len(repeated) / 2


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}

