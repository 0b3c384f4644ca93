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

from reportqa.records import Hit
from reportqa.search.question import Understanding
from reportqa.text import (
    FIGURE_WITH_UNIT,
    NUMBER,
    YEAR,
    YEAR_MENTION,
    canonical_figure,
    compact,
    figure_kinds,
    match_form,
    sentences,
    unit_kind,
)

# Sentences with no figure must share this much of their wording with a passage.
MIN_WORDING_OVERLAP = 0.35
# A year a passage sentence ties its figures to; 「比2015年」「较2019年」 name a baseline, not the year.
_TIED_YEAR = re.compile(rf"(?<![比较])({YEAR})(?:\s*[-—–至到]\s*({YEAR}))?\s*年")
# A clause that only says when (「到2025年」「截至2020年底」): its year carries to the next clause.
_TIME_ONLY = re.compile(rf"(?:到|至|截至|截止|力争|预计|在)?{YEAR}(?:\s*[-—–至到]\s*{YEAR})?年(?:底|末|前|初)?")
# A count and what it counts: 「6家高新技术企业」 → ("6", "高新技术企业").
_COUNTED = re.compile(rf"({NUMBER.pattern})(?:万|亿)?(?:多|余)?(?:家|个|名|张|块|幅|座|条|所|项|件|户|位|套|台|辆|处|栋|幢)"
                      r"([\u4e00-\u9fff]{2,6})")
# Where a counted thing ends: 「6家企业的…」「5条轨交线和…」.
_COUNTED_END = re.compile(r"[的和与及、在是为]")
MIN_COUNTED_SHARE = 1 / 3
_RELATIVE_PERIODS = {"过去五年": -5, "今后五年": 0}

# (figure, unit kind, years it is tied to, the characters of its sentence)
Occurrence = tuple[str, str, frozenset[int], frozenset[str]]

def _counted(text: str) -> dict[str, str]:
    """figure → the thing it counts, in an answer sentence (only for figures followed by a measure word)."""
    found: dict[str, str] = {}
    for number, thing in _COUNTED.findall(compact(text)):
        thing = _COUNTED_END.split(thing)[0]
        if len(thing) >= 2:
            found.setdefault(canonical_figure(number), thing)
    return found


def _occurrences(text: str) -> set[Occurrence]:
    """(figure, unit kind, years it is tied to, its sentence's characters) for each figure in a passage.

    A figure is tied to the last year (or year range) named before it in its
    clause, baselines (「比2015年」) left out, or else to the year of a clause
    that is only a time (「到2025年，床位总数达到8267张」); to no year otherwise.
    """
    found: set[Occurrence] = set()
    for sentence in sentences(compact(text), keep_ends=False):
        characters = frozenset(sentence)
        carried: frozenset[int] = frozenset()
        for clause in re.split(r"[,，]", sentence):
            ties = [(m.end(), _year_span(m)) for m in _TIED_YEAR.finditer(clause)]
            for match in FIGURE_WITH_UNIT.finditer(clause):
                before = [years for end, years in ties if end <= match.start()]
                tied = before[-1] if before else carried
                found.add((canonical_figure(match.group(1)), unit_kind(match.group(2) or ""), tied, characters))
            carried = ties[-1][1] if ties and _TIME_ONLY.fullmatch(clause) else frozenset()
    return found


def _year_span(match: re.Match[str]) -> frozenset[int]:
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else first
    return frozenset(range(first, last + 1)) if 0 <= last - first <= 10 else frozenset({first})


def _holds(occurrences: set[Occurrence], number: str, kind: str, years: frozenset[int], thing: str = "") -> bool:
    """Whether a passage backs ``number`` of this unit kind (a bare figure matches any) for the asked years,
    counting ``thing`` if given: its sentence shares enough of the thing's characters (「新增6家跨国公司地区总部」
    does not count 高新技术企业)."""
    wanted = set(thing)
    return any(n == number and (not kind or not k or k == kind) and (not years or not tied or tied & years)
               and len(wanted & characters) >= MIN_COUNTED_SHARE * len(wanted)
               for n, k, tied, characters in occurrences)


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
        self.years = frozenset(understanding.years)
        self.acceptable = [agrees(passage, understanding) for passage in passages]
        self.holdings = [_occurrences(f"{passage.title}。{passage.text}") for passage in passages]
        self.texts = [compact(passage.text) for passage in passages]
        self.sentence_grams = [[_bigrams(part) for part in sentences(match_form(passage.text), keep_ends=False)]
                               for passage in passages]

    def closest(self, body: str, cited: list[int]) -> int | None:
        """The acceptable passage whose closest sentence shares most of the answer sentence's character
        bigrams, if enough; a cited passage wins a tie."""
        grams = _bigrams(match_form(body))
        if not grams:
            return None
        shares = {index: max((len(grams & part) / len(grams) for part in parts), default=0.0)
                  for index, parts in enumerate(self.sentence_grams) if self.acceptable[index]}
        if not shares:
            return None
        best = max(shares, key=lambda index: (shares[index], index in cited, -index))
        return best if shares[best] >= MIN_WORDING_OVERLAP else None

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
        kinds = figure_kinds(body)
        counted = _counted(body)
        holders = {number: [i for i in usable
                            if _holds(self.holdings[i], number, kinds.get(number, ""), self.years, counted.get(number, ""))]
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
    if passage.year and period in _RELATIVE_PERIODS:
        start = passage.year + _RELATIVE_PERIODS[period]
        return set(range(start, start + 5))
    return set()


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}

