"""Comparisons across places or years: one side at a time, and the side the figures favour.

A small model asked about two places (or two years of one place) at once
skips a side or lends one side's figure to the other. So a comparison is
generated per side (``comparison_sides``): each place's own passages (each
year's: passages about that year), keeping their citation numbers, and an
answer led by the side's name (``named_side``: 「松江：」, 「2018年：」) so the
verifier holds its figures to that side. A side the verified answer still
leaves without a figure of the asked measure is filled from its own retrieved
passages (``fill_sides``: the stretch of a passage that answers for it,
``reportqa.answer.stretches``). A 「谁…多 / 哪个更低」 question then ends with
the side its verified figures favour (``conclusion``), worked out in code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from reportqa.answer.citations import answer_sentences, without_citations
from reportqa.answer.evidence import speaks_of
from reportqa.answer.measures import measured
from reportqa.answer.stretches import answers, best_stretch
from reportqa.places import PlaceNames
from reportqa.records import Hit
from reportqa.search.question import BOTH, COMPARISON, Understanding
from reportqa.text import YEAR_MENTION, compact, figure_kinds, figures, match_form

# Passages shown for each side of a comparison.
SIDE_PASSAGES = 2
# Labels of the two sides of a question asking a year's target and what happened.
TARGET_SIDE, ACTUAL_SIDE = "目标", "实际"
# The passages of a side searched for a stretch that answers it.
FILL_PASSAGES = 5


def named_side(place: str, pieces: Iterator[str], names: PlaceNames) -> Iterator[str]:
    """The pieces of one side's answer, led by 「松江：」 unless the answer itself starts with the place
    (so the verifier holds its figures to that place's passages)."""
    short = names.short(place)

    def named(head: str) -> str:
        return head if head.lstrip().startswith(short) else f"{short}：{head.lstrip()}"

    head: str | None = ""
    for piece in pieces:
        if head is None:
            yield piece
            continue
        head += piece
        if len(head) >= len(place):
            yield named(head)
            head = None
    if head:
        yield named(head)


def comparison_sides(understanding: Understanding, passages: Sequence[Hit]) -> list[tuple[str, list[int]]]:
    """For a comparison across places (or, of one place, across years), each side with the 1-based numbers
    of its passages (at most ``SIDE_PASSAGES``); empty when the question is not one or a side has none.
    A question asking a year's target and what happened (「2022年的目标是多少？最后实际增长了多少？」) has
    two sides too: that year's own report, and the later review of that year."""
    sides = [(side, numbers[:SIDE_PASSAGES]) for side, numbers in _side_passages(understanding, passages)]
    return sides if sides and all(numbers for _, numbers in sides) else []


def _side_passages(understanding: Understanding, passages: Sequence[Hit]) -> list[tuple[str, list[int]]]:
    """Each side of a comparison with the 1-based numbers of all its passages; empty when not one."""
    if understanding.stance == BOTH and len(understanding.years) == 1 and len(understanding.places) < 2:
        year = understanding.years[0]
        return [(f"{year}年{TARGET_SIDE}", [n for n, passage in enumerate(passages, start=1)
                                           if passage.year == year and speaks_of(passage, year)]),
                (f"{year}年{ACTUAL_SIDE}", [n for n, passage in enumerate(passages, start=1)
                                           if (passage.year or 0) > year and speaks_of(passage, year)])]
    if understanding.kind != COMPARISON:
        return []
    if len(understanding.places) >= 2:
        return [(place, [n for n, passage in enumerate(passages, start=1) if passage.place == place])
                for place in understanding.places]
    if len(understanding.years) >= 2:
        return [(f"{year}年", [n for n, passage in enumerate(passages, start=1) if speaks_of(passage, year)])
                for year in understanding.years]
    return []


def fill_sides(text: str, shown: Sequence[Hit], hits: Sequence[Hit],
               understanding: Understanding) -> tuple[str, list[Hit]]:
    """Sentences for the sides of a comparison that the verified answer ``text`` gives no figure of the
    asked measure for, and the passages they cite that are not among ``shown``.

    Each is the shortest stretch of one of the side's passages (its clause holding the figure, with the
    clauses before it back to the one naming the indicator) that answers for that side by itself when
    verified, led by the side's name (「松江：高新技术企业数量达到1755家[3]」); the passage sentence
    sharing most words with the question wins. Citations number ``shown`` first, then the added
    passages. ("", []) when every side is answered or none of its passages answers it.
    """
    sides = _side_passages(understanding, hits)
    if not sides:
        return "", []
    said = [without_citations(sentence) for sentence in answer_sentences(text)]
    added: list[Hit] = []
    lines: list[str] = []
    for side, numbers in sides:
        target = side.endswith(TARGET_SIDE) if side.endswith((TARGET_SIDE, ACTUAL_SIDE)) else None
        if any(answers(body, understanding, target) for body in said if _names_side(body, side, understanding)):
            continue
        shown_side = [hits[n - 1] for n in numbers][:FILL_PASSAGES]
        found = best_stretch(shown_side, understanding, _lead(side, understanding), target)
        if found is None:
            continue
        stretch, hit = found[0], shown_side[found[1] - 1]
        if hit in shown:
            number = list(shown).index(hit) + 1
        else:
            added += [] if hit in added else [hit]
            number = len(shown) + added.index(hit) + 1
        lines.append(f"{_lead(side, understanding)}{stretch}[{number}]。")
    return "\n".join(lines), added


def _lead(side: str, understanding: Understanding) -> str:
    """What a side's filled sentence starts with: 「松江：」, 「2018年：」, 「2020年目标为：」, 「2020年实际：」."""
    if side in understanding.places:
        return f"{understanding.place_names.short(side)}："
    return f"{side}为：" if side.endswith(TARGET_SIDE) else f"{side}："


def _names_side(body: str, side: str, understanding: Understanding) -> bool:
    """Whether an answer sentence is about ``side``: names the place or year; any sentence is about a
    target or an actual side (what it says of its figures decides)."""
    if side in understanding.places:
        return side in understanding.place_names.named_in(match_form(body))
    if side.endswith((TARGET_SIDE, ACTUAL_SIDE)):
        return True
    return int(side[:4]) in {int(match.group(1)) for match in YEAR_MENTION.finditer(match_form(body))}


# 「谁新建的5G基站多」「哪个更低」「哪一年定得更高」: the side a comparison asks for.
_WHICH = re.compile(r"(?:谁|哪个区?|哪一个|哪边|哪一?年)[^，,。？?]*?(多|高|大|快|强|低|少|小|慢)")
_LARGER = "多高大快强"


def conclusion(text: str, understanding: Understanding) -> str:
    """For 「谁…多/哪个更低/哪一年更高」 across two places or two years, the side the verified answer's
    figures favour (「闵行更多。」「2023年更高。」), or "" when the answer does not give each side exactly
    one figure of one kind."""
    which = _WHICH.search(understanding.question)
    sides = _sides(understanding)
    if not which or len(sides) != 2:
        return ""
    asked = set(figures(understanding.question))
    values: dict[str, tuple[float, str]] = {}
    for sentence in answer_sentences(text):
        body = without_citations(sentence)
        named = [side for side in sides if side in _named(body, understanding)]
        starts = {measure.figure for measure in measured(compact(body)) if measure.start}  # 「从570家增加到1764家」
        kinds = {number: kind for number, kind in figure_kinds(body).items()
                 if number not in asked and number not in starts and kind != "year"}
        if len(named) == 1 and len(kinds) == 1 and named[0] not in values:
            (number, kind), = kinds.items()
            values[named[0]] = (float(number), kind)
    if len(values) != 2 or len({kind for _, kind in values.values()}) != 1:
        return ""
    (first, (a, _)), (second, (b, _)) = values.items()
    if a == b:
        return "两者相同。"
    larger = first if a > b else second
    winner = larger if which.group(1) in _LARGER else (second if larger == first else first)
    label = understanding.place_names.short(winner) if understanding.places else f"{winner}年"
    return f"{label}更{which.group(1)}。"


def _sides(understanding: Understanding) -> tuple:
    """The two sides a conclusion weighs: the places named, else the years."""
    return understanding.places if len(understanding.places) >= 2 else understanding.years


def _named(body: str, understanding: Understanding) -> tuple:
    """The sides a sentence names: places, or years when the sides are years."""
    if len(understanding.places) >= 2:
        return understanding.place_names.indexed_in(match_form(body))
    return tuple(int(match.group(1)) for match in YEAR_MENTION.finditer(match_form(body)))
