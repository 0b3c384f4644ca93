"""Comparisons across places: one side at a time, and the side the figures favour.

A small model asked about two places at once skips a side or lends one
side's figure to the other. So a comparison is generated per side
(``comparison_sides``): each place's own passages, keeping their citation
numbers, and an answer led by that place's name (``named_side``) so the
verifier holds its figures to that place. A 「谁…多 / 哪个更低」 question then
ends with the side its verified figures favour (``conclusion``), worked out in
code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from reportqa.answer.citations import answer_sentences, without_citations
from reportqa.places import PlaceNames
from reportqa.records import Hit
from reportqa.search.question import COMPARISON, Understanding
from reportqa.text import figure_kinds, figures, match_form

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
    """For a comparison across places, each place with the 1-based numbers of its passages
    (at most ``SIDE_PASSAGES``); empty when the question is not one or a side has no passage."""
    if understanding.kind != COMPARISON or len(understanding.places) < 2:
        return []
    sides = [(place, [n for n, passage in enumerate(passages, start=1) if passage.place == place]
              [:SIDE_PASSAGES]) for place in understanding.places]
    return sides if all(numbers for _, numbers in sides) else []


# 「谁新建的5G基站多」「哪个更低」: the side a comparison asks for.
_WHICH = re.compile(r"(?:谁|哪个区?|哪一个|哪边)[^，,。？?]*?(多|高|大|快|强|低|少|小|慢)")
_LARGER = "多高大快强"


def conclusion(text: str, understanding: Understanding) -> str:
    """For 「谁…多/哪个更低」 across two places, the side the verified answer's figures favour
    (「闵行更多。」), or "" when the answer does not give each side exactly one figure of one kind."""
    which = _WHICH.search(understanding.question)
    if not which or len(understanding.places) != 2:
        return ""
    asked = set(figures(understanding.question))
    values: dict[str, tuple[float, str]] = {}
    for sentence in answer_sentences(text):
        body = without_citations(sentence)
        named = understanding.place_names.indexed_in(match_form(body))
        kinds = {number: kind for number, kind in figure_kinds(body).items() if number not in asked and kind != "year"}
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
    return f"{understanding.place_names.short(winner)}更{which.group(1)}。"
