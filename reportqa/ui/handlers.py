"""What the web pages do when asked: search, and chat answers streamed as drafts then verified.

``make_search`` and ``make_chat`` build the handlers the pages call;
``GeneratorPool`` makes each generator once per process (the local model loads
once); ``stream_answer`` runs an answer in a worker thread and yields the draft
as it grows, then the verified ``Answer``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

from reportqa.answer.generation import GeneratorChoice, make_generator
from reportqa.answer.pipeline import Answerer
from reportqa.records import Answer
from reportqa.search.hybrid import SearchFilters
from reportqa.search.retrieval import Retrieval, Retriever
from reportqa.settings import Settings
from reportqa.ui import render

# The dropdown choice that means "no filter".
ALL = "全部"
# One finished exchange kept in the session: the question as asked, the standalone question it
# was answered as (what a later follow-up leans on), and its rendered HTML.
Turn = tuple[str, str, str]
ChatUpdate = tuple[str, list[Turn], str]


def search_filters(place: str, year: str, doc_type: str) -> SearchFilters:
    """The filters chosen in the dropdowns (全部 is no filter)."""
    return SearchFilters(None if place == ALL else place, None if year == ALL else int(year),
                         None if doc_type == ALL else doc_type)


def make_search(retriever: Retriever):
    def search(query: str, place: str, year: str, doc_type: str, k: float) -> str:
        if not query.strip():
            return '<p class="rq-empty">请输入问题或关键词。</p>'
        filters = search_filters(place, year, doc_type)
        retrieval = retriever.retrieve(query, int(k), filters)
        return render.results_html(retrieval.hits, query, retrieval.understanding.describe(), retrieval.relevant,
                                   filter_notices(retrieval, filters))

    return search


def filter_notices(retrieval: Retrieval, filters: SearchFilters) -> list[str]:
    """What the page says about its filters: one that overrides a place the question names (and how to
    search as asked), and the filters that left nothing to show."""
    notices = []
    asked = tuple(dict.fromkeys((*retrieval.understanding.places, *retrieval.understanding.missing)))
    if filters.place and asked and not set(retrieval.places) & set(asked):
        notices.append(f"已按筛选条件「地区：{filters.place}」检索，问题问的是「{'、'.join(asked)}」；"
                       f"要按问题检索，请把地区改为「{ALL}」。")
    if not retrieval.hits and filters != SearchFilters():
        chosen = [f"{label}：{value}" for label, value in
                  (("地区", filters.place), ("报告年份", filters.year), ("文档类型", filters.doc_type)) if value]
        notices.append(f"筛选条件（{'，'.join(chosen)}）下没有段落；放宽筛选条件再试。")
    return notices


class GeneratorPool:
    """One generator per name, made on first use, so the local model loads once per process.

    Args:
        settings: passed to ``make``.
        make: builds a generator by name (``reportqa.answer.generation.make_generator``; tests pass a fake).
    """

    def __init__(self, settings: Settings,
                 make: Callable[[str, Settings], GeneratorChoice] = make_generator) -> None:
        self._settings = settings
        self._make = make
        self._made: dict[str, GeneratorChoice] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> GeneratorChoice:
        """The generator called ``name``; raises InputError for an unknown or unconfigured one."""
        with self._lock:
            if name not in self._made:
                self._made[name] = self._make(name, self._settings)
            return self._made[name]


class _Cancelled(Exception):
    """The page that asked is gone: stop generating."""


def stream_answer(ask: Callable[[Callable[[str], None]], Answer]) -> Iterator[str | Answer]:
    """Run ``ask(on_token)`` in a worker thread: yield the draft so far as it grows, then the Answer.

    Raises what ``ask`` raised. Closing the iterator early (the page went
    away) makes the next streamed piece stop the generator.
    """
    pieces: queue.Queue[str | None] = queue.Queue()
    outcome: dict[str, Any] = {}
    cancelled = threading.Event()

    def on_token(piece: str) -> None:
        if cancelled.is_set():
            raise _Cancelled
        pieces.put(piece)

    def work() -> None:
        try:
            outcome["answer"] = ask(on_token)
        except Exception as error:  # noqa: BLE001 — handed to the page's thread, which shows it
            outcome["error"] = error
        finally:
            pieces.put(None)

    threading.Thread(target=work, name="answer", daemon=True).start()
    draft, finished = "", False
    try:
        while not finished:
            arrived = [pieces.get()]
            while not pieces.empty():  # catch up: one update for everything streamed meanwhile
                arrived.append(pieces.get_nowait())
            finished = arrived[-1] is None
            if new := "".join(piece for piece in arrived if piece):
                draft += new
                yield draft
    finally:
        cancelled.set()
    if "error" in outcome:
        raise outcome["error"]
    yield outcome["answer"]


def make_chat(answerer: Answerer, generators: GeneratorPool):
    """The chat handler: a generator of (conversation HTML, turns, cleared question box) updates.

    The generator's text is shown as a draft while it streams, then replaced
    by the verified answer. Earlier questions (as the standalone questions
    they were answered as, so follow-ups can chain) are the history. A lock
    keeps to one answer at a time even while an abandoned one is stopping (a
    local model is not thread-safe).
    """
    one_at_a_time = threading.Lock()

    def chat(question: str, turns: list[Turn], generator: str, place: str, year: str,
             doc_type: str) -> Iterator[ChatUpdate]:
        question = question.strip()
        done = [html for _, _, html in turns]

        def showing(reply: str) -> ChatUpdate:
            return render.conversation_html([*done, render.turn_html(question, reply)]), turns, ""

        if not question:
            yield render.conversation_html(done), turns, ""
            return
        yield showing(render.draft_html(""))
        history = [asked for _, asked, _ in turns]
        filters = search_filters(place, year, doc_type)

        def ask(on_token: Callable[[str], None]) -> Answer:
            with one_at_a_time:
                choice = generators.get(generator)
                return answerer.ask(question, choice.generator, history, filters, on_token, choice.note)

        try:
            with closing(stream_answer(ask)) as updates:
                for update in updates:
                    if isinstance(update, Answer):
                        reply = render.turn_html(question, render.answer_html(update, len(turns) + 1))
                        turns = [*turns, (question, update.rewritten_question or question, reply)]
                        yield render.conversation_html([*done, reply]), turns, ""
                    else:
                        yield showing(render.draft_html(update))
        except Exception as error:  # noqa: BLE001 — the page is the edge: say why there is no answer
            yield showing(render.error_html(str(error) or type(error).__name__))

    return chat
