"""Check a generated answer against the passages it cites, before anyone sees it.

A small model gets figures right but cites the wrong passage, and invents
figures when the passages hold none. ``verify`` therefore goes sentence by
sentence through the answer:

* every figure in the sentence that is not in the question must occur (as a
  whole number, not inside a longer one, and not as another kind of quantity:
  13.5% does not back 13.5微克, 3.8% does not back 3.8亿元) in a passage the
  sentence cites, from the district the sentence names, if it names one; an
  occurrence that its own sentence ties to another year than the question asks
  (「到2025年，床位达到8267张」 for a 2021 question) does not count;
* a count with the thing it counts (「6家高新技术企业」) must be backed by a
  passage sentence that holds the figure and shares at least a third of that
  thing's characters: 「新增6家跨国公司地区总部」 does not back it;
* so must every quoted name (「“靠普办”」) that is not in the question;
* when it occurs in other passages instead, the citations are re-attributed to
  the passages that hold the sentence's figures (one per side in a comparison
  sentence);
* a passage from another district than the question names, or about another
  year than the question asks, cannot support a figure;
* a sentence whose figures no acceptable passage holds is dropped, and so is
  one that speaks of another year than the question asks (「力争2025年…」
  in an answer about 2020);
* a sentence without figures or names cites the passage holding the passage
  sentence closest to its wording (the model's own citation when that one is as
  close), and is dropped when no passage is close.

If nothing survives, the result is a refusal. Citations are renumbered so the
answer cites ``[1]``…``[n]`` in order of first use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportqa.places import find_districts, short_district_name
from reportqa.text import match_form
from reportqa.search.question import FIGURE, Understanding
from reportqa.records import Hit

REFUSAL = "无法从文档中找到"

# [1], [1,2], 【1】, and the wordings small models wrap them in (「，资料编号为[2]」「（资料[2]）」).
_CITATION = re.compile(r"(?:[,，]?\s*(?:资料编号[为是]?|参见资料|见资料))?\s*(?:[（(]\s*(?:资料)?)?"
                       r"[\[【]\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*[\]】]\s*[）)]?")
# 「根据资料，」 leading a sentence says nothing.
_PREAMBLE = re.compile(r"^(?:根据|依据|据)(?:资料|材料)[,，:：]?")
# A question that asks for a year.
_WHEN = re.compile(r"哪一?年|何年|什么时候|哪个年份|几年")
# 「2019年，」 leading a sentence: a time the model may add on its own.
_LEADING_YEAR = re.compile(r"^(?:在|于)?((?:19|20)\d{2})年[,，]?")
# Citation-like marks that name no passage ([n], [x]): removed.
_PLACEHOLDER = re.compile(r"\s*[\[【]\s*[A-Za-z]{0,3}\s*[\]】]")
_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NAMED_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# A stretch this long written twice is a model looping (「…经济适用房“四位一体”住房保障体系由…」).
LOOP_CHARS = 16
# Sentences with no figure must share this much of their wording with a passage.
MIN_WORDING_OVERLAP = 0.35


@dataclass(frozen=True)
class Checked:
    """A verified answer.

    Attributes:
        text: the answer shown, citations renumbered ``[1]``…; the refusal phrase if nothing survived.
        refused: nothing in the answer could be backed by the passages.
        cited: the passages cited, in citation order (``[1]`` is ``cited[0]``).
        dropped: sentences removed, with the reason.
        reattributed: sentences whose citations were moved to the passage holding their figures.
    """

    text: str
    refused: bool
    cited: tuple[Hit, ...]
    dropped: tuple[tuple[str, str], ...] = field(default=())
    reattributed: int = 0


def figures(text: str) -> list[str]:
    """The numbers in ``text`` in a canonical form (full-width digits folded, thousands commas removed)."""
    return [_canonical(number) for number in _NUMBER.findall(_compact(text))]


def _compact(text: str) -> str:
    """Match form with thousands commas removed (1,234 → 1234)."""
    return re.sub(r"(?<=\d),(?=\d{3})", "", match_form(text))


# Units that make a figure a different quantity: 13.5% is not 13.5微克.
_UNITS = r"%|‰|个百分点|微克|毫克|年(?!均|度)|[万亿]*美?元|亿|平方(?:公里|千米|米)|公顷|亩|公里|千米|米"
_UNIT_KINDS = (("%", re.compile(r"%|‰|个百分点")), ("concentration", re.compile(r"微克|毫克")),
               ("year", re.compile(r"年")), ("money", re.compile(r"[万亿]*美?元|亿")),
               ("area", re.compile(r"平方(?:公里|千米|米)|公顷|亩")), ("length", re.compile(r"公里|千米|米")))
_FIGURE_WITH_UNIT = re.compile(rf"(\d+(?:\.\d+)?)({_UNITS})?")
# A year a passage sentence ties its figures to; 「比2015年」「较2019年」 name a baseline, not the year.
_TIED_YEAR = re.compile(r"(?<![比较])((?:19|20)\d{2})(?:\s*[-—–至到]\s*((?:19|20)\d{2}))?\s*年")
# A clause that only says when (「到2025年」「截至2020年底」): its year carries to the next clause.
_TIME_ONLY = re.compile(r"(?:到|至|截至|截止|力争|预计|在)?(?:19|20)\d{2}(?:\s*[-—–至到]\s*(?:19|20)\d{2})?年(?:底|末|前|初)?")
_PASSAGE_SENTENCE = re.compile(r"[^。；;！？\n]+")
_QUOTED = re.compile(r"[“「『\"]([^”」』\"]{2,30})[”」』\"]")


# A count and what it counts: 「6家高新技术企业」 → ("6", "高新技术企业").
_COUNTED = re.compile(r"(\d+(?:\.\d+)?)(?:万|亿)?(?:多|余)?(?:家|个|名|张|块|幅|座|条|所|项|件|户|位|套|台|辆|处|栋|幢)"
                      r"([\u4e00-\u9fff]{2,6})")
# Where a counted thing ends: 「6家企业的…」「5条轨交线和…」.
_COUNTED_END = re.compile(r"[的和与及、在是为]")
MIN_COUNTED_SHARE = 1 / 3


def _counted(text: str) -> dict[str, str]:
    """figure → the thing it counts, in an answer sentence (only for figures followed by a measure word)."""
    found: dict[str, str] = {}
    for number, thing in _COUNTED.findall(_compact(text)):
        thing = _COUNTED_END.split(thing)[0]
        if len(thing) >= 2:
            found.setdefault(_canonical(number), thing)
    return found


def _kind(unit: str) -> str:
    return next((name for name, pattern in _UNIT_KINDS if unit and pattern.fullmatch(unit)), "")


def _figure_kinds(text: str) -> dict[str, str]:
    """figure → unit kind in an answer sentence; the kind is "" for a figure without a telling unit."""
    return {_canonical(number): _kind(unit) for number, unit in _FIGURE_WITH_UNIT.findall(_compact(text))}


# (figure, unit kind, years it is tied to, the characters of its sentence)
Occurrence = tuple[str, str, frozenset[int], frozenset[str]]


def _occurrences(text: str) -> set[Occurrence]:
    """(figure, unit kind, years it is tied to, its sentence's characters) for each figure in a passage.

    A figure is tied to the last year (or year range) named before it in its
    clause, baselines (「比2015年」) left out, or else to the year of a clause
    that is only a time (「到2025年，床位总数达到8267张」); to no year otherwise.
    """
    found: set[Occurrence] = set()
    for sentence in _PASSAGE_SENTENCE.findall(_compact(text)):
        characters = frozenset(sentence)
        carried: frozenset[int] = frozenset()
        for clause in re.split(r"[,，]", sentence):
            ties = [(m.end(), _year_span(m)) for m in _TIED_YEAR.finditer(clause)]
            for match in _FIGURE_WITH_UNIT.finditer(clause):
                before = [years for end, years in ties if end <= match.start()]
                tied = before[-1] if before else carried
                found.add((_canonical(match.group(1)), _kind(match.group(2) or ""), tied, characters))
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


def without_citations(text: str) -> str:
    """``text`` with its [n] markers removed."""
    return _PLACEHOLDER.sub("", _CITATION.sub("", text))


def verify(answer: str, passages: Sequence[Hit], understanding: Understanding) -> Checked:
    """Keep what the passages back, fix citations, drop the rest.

    Args:
        answer: the generated text, citing passages as [1], [2] (1-based into ``passages``).
        passages: the passages the generator was shown, in order.
        understanding: what was read from the question (its figures, districts, years).
    """
    asked = set(figures(understanding.question))
    asked_names = match_form(understanding.question)
    evidence = _Evidence(passages, understanding)
    kept: list[tuple[str, list[int]]] = []
    dropped: list[tuple[str, str]] = []
    reattributed = 0
    for sentence in _sentences(answer):
        body, cited = _strip_citations(sentence, len(passages))
        body = _PREAMBLE.sub("", body)
        loop = repeat_start(body)
        body = body if loop is None else body[:loop].rstrip("，,、；;：:")
        if not match_form(body).strip("。！？；,，:：") or any(body == said for said, _ in kept):
            continue
        needed = [number for number in dict.fromkeys(figures(body)) if number not in asked]
        names = [name for name in dict.fromkeys(_QUOTED.findall(_compact(body))) if name not in asked_names]
        body, needed, trouble = _settle_years(body, needed, understanding)
        if trouble:
            dropped.append((body, trouble))
            continue
        if needed or names:
            chosen, missing = evidence.support(body, needed, names, cited)
            lead = _LEADING_YEAR.match(body)
            if missing and lead and missing == [lead.group(1)] and len(needed) + len(names) > 1:
                # An unsupported year the model put in front of a supported figure: said without it.
                body = body[lead.end():]
                chosen, missing = evidence.support(body, [n for n in needed if n != lead.group(1)], names, cited)
            if missing:
                dropped.append((body, "not in any acceptable passage: " + "、".join(missing)))
                continue
        else:
            closest = evidence.closest(body, cited)
            if closest is None:
                dropped.append((body, "no figure and no passage close to its wording"))
                continue
            chosen = [closest]
        reattributed += chosen != cited
        kept.append((body, chosen))
    if not kept:
        return Checked(REFUSAL, True, (), tuple(dropped), reattributed)
    order: list[int] = []
    for _, chosen in kept:
        order += [i for i in chosen if i not in order]
    number = {passage: position for position, passage in enumerate(order, start=1)}
    text = "".join(_with_citations(body, [number[i] for i in chosen]) for body, chosen in kept)
    return Checked(text, False, tuple(passages[i] for i in order), tuple(dropped), reattributed)


def repeat_start(text: str, width: int = LOOP_CHARS) -> int | None:
    """Where ``text`` starts repeating itself: the first position whose next ``width`` characters
    were written before; None when it does not."""
    for start in range(1, len(text) - width + 1):
        if text.find(text[start:start + width]) < start:
            return start
    return None


def _settle_years(body: str, needed: list[str], understanding: Understanding) -> tuple[str, list[str], str]:
    """The sentence and its figures once the years it names are settled, and why it is dropped ("" if not).

    「2015年，…1110万人次」 for a 2020 question loses the model's slip of the year (the figure is still
    held to the asked year); a sentence about another year than asked is dropped, and so is one whose
    only figures are such years when the question asks for a figure.
    """
    named_years = set(_NAMED_YEAR.findall(body))
    asked_years = {str(year) for year in understanding.years}
    lead = _LEADING_YEAR.match(body)
    if understanding.years and lead and named_years == {lead.group(1)} - asked_years and len(needed) > 1:
        return body[lead.end():], [n for n in needed if n != lead.group(1)], ""
    if understanding.years and named_years and not named_years & asked_years:
        return body, needed, "about another year than asked: " + "、".join(sorted(named_years))
    if (understanding.kind == FIGURE and needed and set(needed) <= named_years - asked_years
            and not _WHEN.search(understanding.question)):
        return body, needed, "only another year, no figure for what was asked: " + "、".join(needed)
    return body, needed, ""


class _Evidence:
    """What each passage can back for one question: whether it agrees with the question's district and
    year, its figures (with unit kind and tied years), and its text for quoted names."""

    def __init__(self, passages: Sequence[Hit], understanding: Understanding) -> None:
        self.passages = passages
        self.years = frozenset(understanding.years)
        self.acceptable = [agrees(passage, understanding) for passage in passages]
        self.holdings = [_occurrences(f"{passage.title}。{passage.text}") for passage in passages]
        self.texts = [_compact(passage.text) for passage in passages]
        self.sentence_grams = [[_bigrams(part) for part in _PASSAGE_SENTENCE.findall(match_form(passage.text))]
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

        Only passages of the district the sentence names (if it names one) can back it; a sentence naming
        several districts needs a backing passage from each (「虹口和嘉定各有267名」 from 嘉定's alone does not do).
        """
        passages = self.passages
        named = set(find_districts(match_form(body)))
        usable = [i for i in range(len(passages))
                  if self.acceptable[i] and (not named or passages[i].district in named)]
        kinds = _figure_kinds(body)
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
        for district in named if len(named) > 1 else ():
            if not any(passages[i].district == district for i in chosen):
                found = [i for i in dict.fromkeys(i for held in holders.values() for i in held)
                         if passages[i].district == district]
                chosen += found[:1]
                unbacked += [] if found else [district]
        return ([], [f"（{'、'.join(unbacked)}的数字）"]) if unbacked else (chosen, [])


def _canonical(number: str) -> str:
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number.lstrip("0") or "0"


def _sentences(answer: str) -> list[str]:
    """The answer's sentences; a piece that is only citations (「…贯通。[1]」) joins the sentence before it."""
    pieces: list[str] = []
    for piece in _SENTENCE.findall(answer):
        if not piece.strip():
            continue
        if pieces and not _CITATION.sub("", piece).strip(" 。"):
            end = pieces[-1][-1] if pieces[-1][-1] in "。！？；" else ""
            pieces[-1] = pieces[-1][:len(pieces[-1]) - len(end)] + piece.strip() + end
        else:
            pieces.append(piece)
    return pieces


def _strip_citations(sentence: str, count: int) -> tuple[str, list[int]]:
    """The sentence without its [n] markers, and the 0-based passages they name (in range only)."""
    cited: list[int] = []
    for match in _CITATION.finditer(sentence):
        for number in re.split(r"\s*[,，、]\s*", match.group(1)):
            index = int(number) - 1
            if 0 <= index < count and index not in cited:
                cited.append(index)
    return _PLACEHOLDER.sub("", _CITATION.sub("", sentence)).strip(), cited


def _with_citations(body: str, numbers: list[int]) -> str:
    marks = "".join(f"[{n}]" for n in numbers)
    end = body[-1] if body and body[-1] in "。！？；" else ""
    return f"{body[:len(body) - len(end)]}{marks}{end or '。'}"


def agrees(passage: Hit, understanding: Understanding) -> bool:
    """Whether a passage may back an answer to this question: the right district and year, when named."""
    if understanding.districts and passage.district not in understanding.districts:
        return False
    if understanding.years:
        spoken = _period_years(passage)
        asked = {str(year) for year in understanding.years}
        if spoken and not spoken & set(understanding.years) and not any(year in passage.text for year in asked):
            return False
    return True


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


_RELATIVE_PERIODS = {"过去五年": -5, "今后五年": 0}


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


# 「谁新建的5G基站多」「哪个更低」: the side a comparison asks for.
_WHICH = re.compile(r"(?:谁|哪个区?|哪一个|哪边)[^，,。？?]*?(多|高|大|快|强|低|少|小|慢)")
_LARGER = "多高大快强"


def conclusion(text: str, understanding: Understanding) -> str:
    """For 「谁…多/哪个更低」 across two districts, the side the verified answer's figures favour
    (「闵行更多。」), or "" when the answer does not give each side exactly one figure of one kind."""
    which = _WHICH.search(understanding.question)
    if not which or len(understanding.districts) != 2:
        return ""
    asked = set(figures(understanding.question))
    values: dict[str, tuple[float, str]] = {}
    for sentence in _sentences(text):
        body = without_citations(sentence)
        named = find_districts(match_form(body))
        kinds = {number: kind for number, kind in _figure_kinds(body).items() if number not in asked and kind != "year"}
        if len(named) == 1 and len(kinds) == 1 and named[0] not in values:
            (number, kind), = kinds.items()
            values[named[0]] = (float(number), kind)
    if len(values) != 2 or len({kind for _, kind in values.values()}) != 1:
        return ""
    (first, (a, _)), (second, (b, _)) = values.items()
    if a == b:
        return "两区相同。"
    larger = first if a > b else second
    winner = larger if which.group(1) in _LARGER else (second if larger == first else first)
    return f"{short_district_name(winner)}更{which.group(1)}。"
