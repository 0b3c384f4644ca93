"""Comparisons across places or years: one side at a time, and the side the figures favour.

A small model asked about two places (or two years of one place) at once
skips a side or lends one side's figure to the other. So a comparison is
generated per side (``comparison_sides``): each place's own passages (each
year's: passages about that year), keeping their citation numbers, and an
answer led by the side's name (``named_side``: 「松江：」, 「2018年：」) so the
verifier holds its figures to that side. A 「谁…多 / 哪个更低」 question then
ends with the side its verified figures favour (``conclusion``), worked out in
code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from reportqa.answer.citations import answer_sentences, without_citations
from reportqa.answer.evidence import speaks_of
from reportqa.places import PlaceNames
from reportqa.records import Hit
from reportqa.search.question import BOTH, COMPARISON, Understanding
from reportqa.text import YEAR_MENTION, figure_kinds, figures, match_form

# Passages shown for each side of a comparison.
SIDE_PASSAGES = 2


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
    if understanding.stance == BOTH and len(understanding.years) == 1 and len(understanding.places) < 2:
        year = understanding.years[0]
        sides = [(f"{year}年目标", [n for n, passage in enumerate(passages, start=1)
                                   if passage.year == year and speaks_of(passage, year)]),
                 (f"{year}年实际", [n for n, passage in enumerate(passages, start=1)
                                   if (passage.year or 0) > year and speaks_of(passage, year)])]
    elif understanding.kind != COMPARISON:
        return []
    elif len(understanding.places) >= 2:
        sides = [(place, [n for n, passage in enumerate(passages, start=1) if passage.place == place])
                 for place in understanding.places]
    elif len(understanding.years) >= 2:
        sides = [(f"{year}年", [n for n, passage in enumerate(passages, start=1) if speaks_of(passage, year)])
                 for year in understanding.years]
    else:
        return []
    sides = [(side, numbers[:SIDE_PASSAGES]) for side, numbers in sides]
    return sides if all(numbers for _, numbers in sides) else []


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
        kinds = {number: kind for number, kind in figure_kinds(body).items() if number not in asked and kind != "year"}
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
