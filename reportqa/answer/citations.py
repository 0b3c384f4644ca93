"""Citation marks in an answer: read them, strip them, write them back renumbered.

A model cites passages as ``[1]``, ``[1,2]`` or ``【1】``, sometimes wrapped in
words (「，资料编号为[2]」「（资料[2]）」); after verification the answer cites
``[1]``…``[n]`` in order of first use, one mark group before each sentence end.
"""

from __future__ import annotations

import re

from reportqa.text import SENTENCE_END, ends_sentence, sentences

# [1], [1,2], 【1】, and the wordings small models wrap them in (「，资料编号为[2]」「（资料[2]）」).
_CITATION = re.compile(r"(?:[,，]?\s*(?:资料编号[为是]?|参见资料|见资料))?\s*(?:[（(]\s*(?:资料)?)?"
                       r"[\[【]\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*[\]】]\s*[）)]?")
# Citation-like marks that name no passage ([n], [x]): removed.
_PLACEHOLDER = re.compile(r"\s*[\[【]\s*[A-Za-z]{0,3}\s*[\]】]")
# A mark in a verified answer: [n].
CITATION_MARK = re.compile(r"\[(\d{1,2})\]")


def without_citations(text: str) -> str:
    """``text`` with its citation marks removed."""
    return _PLACEHOLDER.sub("", _CITATION.sub("", text))


def answer_sentences(answer: str) -> list[str]:
    """The answer's sentences; a piece that is only citations (「…贯通。[1]」) joins the sentence before it."""
    pieces: list[str] = []
    for piece in sentences(answer):
        if pieces and not _CITATION.sub("", piece).strip(" 。"):
            end = pieces[-1][-1] if ends_sentence(pieces[-1]) else ""
            pieces[-1] = pieces[-1][:len(pieces[-1]) - len(end)] + piece.strip() + end
        else:
            pieces.append(piece)
    return pieces


def strip_citations(sentence: str, count: int) -> tuple[str, list[int]]:
    """The sentence without its citation marks, and the 0-based passages they name (in range only)."""
    cited: list[int] = []
    for match in _CITATION.finditer(sentence):
        for number in re.split(r"\s*[,，、]\s*", match.group(1)):
            index = int(number) - 1
            if 0 <= index < count and index not in cited:
                cited.append(index)
    return without_citations(sentence).strip(), cited


def renumbered(kept: list[tuple[str, list[int]]]) -> tuple[str, list[int]]:
    """The answer from (sentence, 0-based passages it cites) pairs, citing ``[1]``… in order of first use,
    and the passages in that order."""
    order: list[int] = []
    for _, chosen in kept:
        order += [i for i in chosen if i not in order]
    number = {passage: position for position, passage in enumerate(order, start=1)}
    return "".join(_with_citations(body, [number[i] for i in chosen]) for body, chosen in kept), order


def _with_citations(body: str, numbers: list[int]) -> str:
    marks = "".join(f"[{n}]" for n in numbers)
    end = body[-1] if body and body[-1] in SENTENCE_END else ""
    return f"{body[:len(body) - len(end)]}{marks}{end or '。'}"
