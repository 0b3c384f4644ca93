"""Check a generated answer against the passages it cites, before anyone sees it.

A small model gets figures right but cites the wrong passage, and invents
figures when the passages hold none. ``verify`` therefore goes sentence by
sentence through the answer:

* every figure in the sentence that is not in the question must occur (as a
  whole number, not inside a longer one, and not as another kind of quantity:
  13.5% does not back 13.5微克, 3.8% does not back 3.8亿元) in a passage the
  sentence cites, from the place the sentence names, if it names one; an
  occurrence that its own sentence ties to another year than the question asks
  (「到2025年，床位达到8267张」 for a 2021 question) does not count;
* a count with the thing it counts (「6家高新技术企业」) must be backed by a
  passage sentence that holds the figure and shares at least a third of that
  thing's characters: 「新增6家跨国公司地区总部」 does not back it;
* so must every quoted name (「“靠普办”」) that is not in the question;
* when it occurs in other passages instead, the citations are re-attributed to
  the passages that hold the sentence's figures (one per side in a comparison
  sentence);
* a passage from another place than the question names, or about another
  year than the question asks, cannot support a figure;
* a sentence whose figures no acceptable passage holds is dropped, and so is
  one that speaks of another year than the question asks (「力争2025年…」
  in an answer about 2020);
* a sentence without figures or names cites the passage holding the passage
  sentence closest to its wording (the model's own citation when that one is as
  close), and is dropped when no passage is close.

If nothing survives, the result is a refusal. Citations are renumbered so the
answer cites ``[1]``…``[n]`` in order of first use.

What a passage can back (figures, units, tied years, counted things, wording)
is ``reportqa.answer.evidence``; reading and rewriting the citation marks is
``reportqa.answer.citations``; this module decides, sentence by sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportqa.answer.asked import fills, slot
from reportqa.answer.citations import answer_sentences, renumbered, strip_citations
from reportqa.answer.evidence import Evidence
from reportqa.answer.prompts import REFUSAL
from reportqa.records import Hit
from reportqa.search.question import COMPARISON, FIGURE, Understanding
from reportqa.text import (
    FIGURE_WITH_UNIT,
    NAMED_YEAR,
    SENTENCE_END,
    YEAR,
    canonical_figure,
    compact,
    figures,
    match_form,
)

# 「根据资料，」 leading a sentence says nothing.
_PREAMBLE = re.compile(r"^(?:根据|依据|据)(?:资料|材料)[,，:：]?")
# A question that asks for a year.
_WHEN = re.compile(r"哪一?年|何年|什么时候|哪个年份|几年")
# 「2019年，」 leading a sentence: a time the model may add on its own.
_LEADING_YEAR = re.compile(rf"^(?:在|于)?({YEAR})年[,，]?")
_QUOTED = re.compile(r"[“「『\"]([^”」』\"]{2,30})[”」』\"]")
# An answer giving this many figures of the measure asked for one asked figure is guessing among them
# (「四大新兴产业的产值分别是1227.7亿元、137.3亿元、71.6亿元和2403.8亿元」).
MANY_FIGURES = 3
_LABEL_MARKS = re.compile(r"[《》›\s,，。.:：;；]")
_SEVERAL = re.compile(r"分别|各|哪些|哪几|以及|和")
_LISTED = re.compile(r"\s*(?:[、,，]|和|及|与|以及)\s*")
# A stretch this long written twice is a model looping (「…经济适用房“四位一体”住房保障体系由…」).
LOOP_CHARS = 16


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


def verify(answer: str, passages: Sequence[Hit], understanding: Understanding) -> Checked:
    """Keep what the passages back, fix citations, drop the rest.

    Args:
        answer: the generated text, citing passages as [1], [2] (1-based into ``passages``).
        passages: the passages the generator was shown, in order.
        understanding: what was read from the question (its figures, places, years).
    """
    check = _SentenceCheck(passages, understanding)
    kept: list[tuple[str, list[int]]] = []
    dropped: list[tuple[str, str]] = []
    reattributed = 0
    answering = False
    for sentence in answer_sentences(answer):
        body, cited = strip_citations(sentence, len(passages))
        body = _without_loop(_PREAMBLE.sub("", body))
        if not match_form(body).strip(SENTENCE_END + ",，:：") or any(body == said for said, _ in kept):
            continue
        body, chosen, trouble = check.backing(body, cited)
        if trouble:
            dropped.append((body, trouble))
            continue
        reattributed += chosen != cited
        kept.append((body, chosen))
        answering |= check.answers(body)
    if kept and check.evidence.wants_measure and not answering:
        why = "no figure of the measure asked (indicator, period, amount or rate)" if check.figured else "no figure"
        dropped += [(body, why) for body, _ in kept]
        kept = []
    if kept and not check.names_what_is_asked([body for body, _ in kept]):
        dropped += [(body, f"names no {check.slot} the question asks for") for body, _ in kept]
        kept = []
    if not kept:
        return Checked(REFUSAL, True, (), tuple(dropped), reattributed)
    text, order = renumbered(kept)
    return Checked(text, False, tuple(passages[i] for i in order), tuple(dropped), reattributed)


class _SentenceCheck:
    """The checks one answer sentence goes through, for one question and its passages."""

    def __init__(self, passages: Sequence[Hit], understanding: Understanding) -> None:
        self.understanding = understanding
        self.asked = set(figures(understanding.question))
        self.asked_names = match_form(understanding.question)
        self.evidence = Evidence(passages, understanding)
        # The labels the prompt puts over each passage: its title and section headings.
        self.labels = sorted({compact(label) for hit in passages for label in (hit.title, *hit.section) if label},
                             key=len, reverse=True)
        self.figured = False  # a kept sentence has a figure of its own
        self.slot = slot(understanding.question, understanding.asks_place) if understanding.kind != COMPARISON else None
        # A question asking one figure of one place and year (not 分别, 各, 哪些).
        self.one_figure = (understanding.kind == FIGURE and len(understanding.places) < 2
                           and len(understanding.years) < 2 and not _SEVERAL.search(understanding.question))

    def names_what_is_asked(self, bodies: list[str]) -> bool:
        """Whether the answer names the date, place, organisation or name the question asks for, if it
        asks for one (「哪一天开工」 is not answered by 「2020年开工建设」 alone… unless that is new)."""
        if self.slot is None:
            return True
        names = self.understanding.place_names
        return any(fills(self.slot, body, self.understanding.question,
                         lambda text: tuple(mention.name for mention in names.find(text)), self.evidence.quoted)
                   for body in bodies)

    def answers(self, body: str) -> bool:
        """Whether a kept sentence holds a figure that answers the question (see ``Evidence.about_asked``)."""
        needed = [number for number in figures(body) if number not in self.asked]
        self.figured |= bool(needed)
        return self.evidence.about_asked(body, needed)[1]

    def backing(self, body: str, cited: list[int]) -> tuple[str, list[int], str]:
        """The sentence as it may be shown, the 0-based passages it then cites, and why it is dropped
        ("" when it is kept)."""
        if self.only_labels(body):
            return body, [], "only the question's words and a passage's title or headings"
        needed = [number for number in dict.fromkeys(figures(body)) if number not in self.asked]
        names = [name for name in dict.fromkeys(_QUOTED.findall(compact(body))) if name not in self.asked_names]
        body, needed, trouble = _settle_years(body, needed, self.understanding)
        if trouble:
            return body, [], trouble
        if not needed and not names:
            closest = self.evidence.closest(body, cited)
            if closest is None:
                return body, [], "no figure and no passage close to its wording"
            return body, [closest], ""
        if needed and self.evidence.wants_measure and not self.evidence.about_asked(body, needed)[0]:
            return body, [], "figures of another indicator than asked: " + "、".join(needed)
        if self.one_figure and _guessing(body, self.evidence.answering(body, needed)):
            return body, [], "several figures offered for the one asked: " + "、".join(needed)
        chosen, missing = self.evidence.support(body, needed, names, cited)
        lead = _LEADING_YEAR.match(body)
        if missing and lead and missing == [lead.group(1)] and len(needed) + len(names) > 1:
            # An unsupported year the model put in front of a supported figure: said without it.
            body = body[lead.end():]
            chosen, missing = self.evidence.support(body, [n for n in needed if n != lead.group(1)], names, cited)
        if missing:
            return body, [], "not in any acceptable passage: " + "、".join(missing)
        return body, chosen, ""


    def only_labels(self, body: str) -> bool:
        """Whether the sentence copies a passage's label as its answer: with the passages' titles and
        headings taken out, what is left is in the question (「…拿到专利金奖的是《2019年国务院政府工作报告》
        三、… › (二)…」)."""
        text = compact(body)
        rest = text
        for label in self.labels:
            rest = rest.replace(label, "")
        rest = _LABEL_MARKS.sub("", rest)
        return rest != _LABEL_MARKS.sub("", text) and rest in compact(self.understanding.question)


def _guessing(body: str, answering: list[str]) -> bool:
    """Whether a sentence lists ``MANY_FIGURES`` or more answering figures of one unit side by side, with
    nothing but 、 or 和 between them (「分别是1227.7亿元、137.3亿元、71.6亿元和2403.8亿元」)."""
    text = compact(body)
    run: list[re.Match[str]] = []
    last: re.Match[str] | None = None
    for match in FIGURE_WITH_UNIT.finditer(text):
        joined = (last is not None and match.group(2) == last.group(2)
                  and _LISTED.fullmatch(text[last.end():match.start()]) is not None)
        run = [*run, match] if joined else [match]
        last = match
        if sum(canonical_figure(item.group(1)) in answering for item in run) >= MANY_FIGURES:
            return True
    return False


def _without_loop(body: str) -> str:
    """The sentence cut where it starts repeating itself, if it does."""
    loop = repeat_start(body)
    return body if loop is None else body[:loop].rstrip("，,、；;：:")


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
    named_years = set(NAMED_YEAR.findall(body))
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
