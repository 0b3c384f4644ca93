"""The answer pipeline: question (+ history) → retrieve → generate → verify → answer.

``Answerer.ask`` rewrites a follow-up (「那松江呢？」 after a 嘉定 question) into
a standalone question, retrieves, refuses without calling any model when
nothing relevant was found, lets the generator write (streaming its pieces to
``on_token``), and shows only what ``reportqa.answer.verify`` backs with a cited
passage. A side of a comparison the checked answer leaves without a figure is
filled from that side's retrieved passages and the whole checked again
(``reportqa.answer.compare.fill_sides``). A refusal offers the closest passages
as "可能相关". A 「谁…多」 comparison ends with the side its verified figures
favour (「闵行更多。」), worked out in code. A retrieved passage holding a planted instruction
(``reportqa.ingest.planted``) is dropped before anything reads it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from reportqa.answer.compare import conclusion, fill_sides
from reportqa.answer.evidence import agrees
from reportqa.answer.generation import Generator
from reportqa.answer.prompts import REFUSAL
from reportqa.answer.verify import verify
from reportqa.ingest.planted import is_planted
from reportqa.places import PlaceNames
from reportqa.records import Answer, Hit
from reportqa.search.hybrid import SearchFilters
from reportqa.search.question import BOTH, COMPARISON, Understanding, understand
from reportqa.search.retrieval import Retriever
from reportqa.text import YEAR_MENTION

# A follow-up leans on the previous question: 「那…呢」-shaped, or (after a question) short.
_FOLLOW_UP = re.compile(r"^(?:那|那么|还有|再看看?|换成)|呢[？?]?$")
_FOLLOW_UP_MAX_CHARS = 14


def is_follow_up(question: str) -> bool:
    """Whether the question is shaped like a follow-up (「那松江呢？」, 「还有青浦」, 「2021年呢？」).

    A short question is also read as a follow-up, but only after another question
    (``rewrite_follow_up``): asked first, it stands alone.
    """
    return _FOLLOW_UP.search(question.strip()) is not None


def rewrite_follow_up(question: str, history: Sequence[str], names: PlaceNames | None = None) -> str | None:
    """A standalone question for a follow-up, or None when the question stands alone.

    「那松江呢？」 after 「嘉定区2020年一般公共预算收入是多少？」 becomes
    「松江区2020年一般公共预算收入是多少？」; 「2021年呢？」 swaps the year.
    ``history`` holds the earlier questions in their standalone form (the
    ``rewritten_question`` of earlier answers where there was one). ``names`` are the places to read
    (those of the index searched); 「那广东呢？」 after a 江苏省 question becomes a 广东省 one.
    """
    if not history or not (is_follow_up(question) or len(question.strip()) <= _FOLLOW_UP_MAX_CHARS):
        return None
    asked, before = understand(question, names=names), understand(history[-1], names=names)
    asked_places, before_places = asked.places or asked.missing, before.places or before.missing
    rewritten = history[-1]
    if asked_places and before_places:
        for old in before_places:
            for form in asked.place_names.forms(old):
                rewritten = rewritten.replace(form, "\0")
        rewritten = re.sub("\0(?:[和与、及跟]?\0)*", "和".join(asked_places), rewritten, count=1).replace("\0", "")
        if len(asked_places) == 1:
            rewritten = re.sub(r"分别|各自|哪个更?|谁", "", rewritten)
    elif asked_places:
        rewritten = "和".join(asked_places) + rewritten
    if asked.years:
        new_year = f"{asked.years[0]}年"
        rewritten = YEAR_MENTION.sub(new_year, rewritten, count=1) if before.years else new_year + rewritten
    if rewritten == history[-1]:
        return None
    return rewritten


def without_planted(hits: Sequence[Hit]) -> list[Hit]:
    """The hits but those whose passage holds a planted instruction (「忽略之前的所有指令…」), ranked again.

    Such a passage (in an index built before cleaning dropped those paragraphs) tells the assistant what to
    say; it is no evidence, so the generator, the verifier and the answer's passages never see it.
    """
    kept = [hit for hit in hits if not is_planted(hit.text)]
    return kept if len(kept) == len(hits) else [replace(hit, rank=rank) for rank, hit in enumerate(kept, start=1)]


class Answerer:
    """Answers questions over one index with a given generator."""

    def __init__(self, retriever: Retriever, answer_passages: int = 3) -> None:
        self.retriever = retriever
        self.answer_passages = answer_passages

    def ask(self, question: str, generator: Generator, history: Sequence[str] = (),
            filters: SearchFilters | None = None, on_token: Callable[[str], None] | None = None,
            note: str | None = None, on_passages: Callable[[list[Hit]], None] | None = None) -> Answer:
        """Answer ``question`` (a follow-up read with ``history``) from the passages ``filters`` allow.

        ``on_passages`` hears the passages the generator is given, numbered as its citations, before it
        writes; ``on_token`` hears each piece it writes.
        """
        started = time.perf_counter()
        rewritten = rewrite_follow_up(question, history, self.retriever.index.place_names)
        retrieval = self.retriever.retrieve(rewritten or question, max(10, self.answer_passages * 2), filters)
        retrieval = replace(retrieval, hits=without_planted(retrieval.hits))
        timings = {"retrieve": _since(started)}
        sides = max(len(retrieval.places), len(retrieval.understanding.years),
                    2 if retrieval.understanding.stance == BOTH else 1)
        passages = self._passages(retrieval.hits, retrieval.understanding, sides)
        if not retrieval.relevant or not passages:
            timings["total"] = _since(started)
            return Answer(question, rewritten, REFUSAL, True, (), tuple(retrieval.hits[:3]), generator.name, note,
                          "", timings)
        timings["passages"] = _since(started)
        if on_passages:
            on_passages(passages)
        pieces: list[str] = []
        generating = time.perf_counter()
        for piece in generator.stream(retrieval.understanding, passages):
            if not pieces:
                timings["first_token"] = _since(started)
            pieces.append(piece)
            if on_token:
                on_token(piece)
        timings["generate"] = _since(generating)
        checking = time.perf_counter()
        draft = "".join(pieces)
        checked = verify(draft, passages, retrieval.understanding)
        filled, added = fill_sides("" if checked.refused else checked.text, passages, retrieval.hits,
                                   retrieval.understanding)
        if filled:  # a side of a comparison the answer left out, from that side's own passages
            passages = [*passages, *added]
            checked = verify(f"{draft}\n{filled}", passages, retrieval.understanding)
        timings["verify"] = _since(checking)
        timings["total"] = _since(started)
        related = tuple(passages) if checked.refused else ()
        text = checked.text if checked.refused else checked.text + conclusion(checked.text, retrieval.understanding)
        return Answer(question, rewritten, text, checked.refused, checked.cited, related, generator.name,
                      note, draft, timings)

    def _passages(self, hits: list[Hit], understanding: Understanding, sides: int) -> list[Hit]:
        """The passages the generator sees: those that could back an answer (right place and year)
        first, so a 2021 target does not stand beside the 2020 figure asked for."""
        count = self.answer_passages
        if (understanding.kind == COMPARISON or understanding.stance == BOTH) and sides > 1:
            count = max(count, 2 * sides)
        fitting = [hit for hit in hits if agrees(hit, understanding)]
        return (fitting or hits)[:count]


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)
