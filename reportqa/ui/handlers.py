"""What the web pages do when asked: search, and chat answers streamed as drafts then verified.

``make_search`` and ``make_chat`` build the handlers the pages call, and
``stopped`` what the chat shows when an answer is stopped;
``GeneratorPool`` makes each generator once per process (the local model loads
once); ``stream_answer`` runs an answer in a worker thread and yields the draft
as it grows, then the verified ``Answer``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from typing import Any

from reportqa.answer.generation import Generator, GeneratorChoice, make_generator
from reportqa.answer.pipeline import Answerer, is_follow_up
from reportqa.records import Answer
from reportqa.search.hybrid import SearchFilters
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings
from reportqa.ui import render, wording
from reportqa.ui.answering import Evidence, ModelLine, Waiting, answer_events, asking
from reportqa.ui.wording import ALL

# One finished exchange kept in the browser: the question as asked, the standalone question it
# was answered as (what a later follow-up leans on), and its rendered HTML. (Stored as JSON, so
# a restored turn is a list.)
Turn = tuple[str, str, str]
# The conversation's HTML, the turns, the cleared question box, and the question being answered.
ChatUpdate = tuple[str, list[Turn], str, str]
STOPPED = "已停止回答。"


def search_filters(place: str, year: str, doc_type: str) -> SearchFilters:
    """The filters chosen in the dropdowns (全部 is no filter)."""
    return SearchFilters(None if place == ALL else place, None if year == ALL else int(year),
                         None if doc_type == ALL else doc_type)


def make_search(retriever: Retriever | Callable[[], Retriever]):
    """The search handler over ``retriever``, or over what ``retriever()`` gives at each search (the library's
    newest index)."""
    retriever_of = _provider(retriever)

    def search(query: str, place: str, year: str, doc_type: str, k: float) -> str:
        if not query.strip():
            return '<p class="rq-empty">请输入问题或关键词。</p>'
        filters = search_filters(place, year, doc_type)
        retrieval = retriever_of().retrieve(query, int(k), filters)
        notices = wording.filter_notices(retrieval.understanding, retrieval.places, filters, bool(retrieval.hits))
        return render.results_html(retrieval.hits, query, wording.understood_text(retrieval.understanding),
                                   retrieval.relevant, notices)

    return search


def _provider(thing: Any) -> Callable[[], Any]:
    """``thing`` when it is a callable giving the object to use (a Retriever or Answerer is not), else a
    callable giving ``thing``."""
    return thing if callable(thing) else lambda: thing


def answer_notices(retriever: Retriever, answer: Answer, filters: SearchFilters) -> list[str]:
    """What the chat says about its filters for an answer, as the search page would for its question."""
    understanding = retriever.understand(answer.rewritten_question or answer.question)
    searched = (retriever.index.canonical_place(filters.place),) if filters.place else ()
    return wording.filter_notices(understanding, searched, filters, bool(answer.citations or answer.related))


class GeneratorPool:
    """One generator per name, made on first use, so the local model loads once per process.

    Args:
        settings: passed to ``make``.
        make: builds a generator by name (``reportqa.answer.generation.make_generator``; tests pass a fake).
    """

    def __init__(self, settings: Settings,
                 make: Callable[[str, Settings], GeneratorChoice] = make_generator) -> None:
        self.settings = settings
        self._make = make
        self._made: dict[str, GeneratorChoice] = {}
        self._lock = threading.Lock()
        # The local model answers one question at a time, for the chat and the API alike, in order of arrival.
        self.line = ModelLine()

    def get(self, name: str) -> GeneratorChoice:
        """The generator called ``name``; raises InputError for an unknown or unconfigured one."""
        with self._lock:
            if name not in self._made:
                self._made[name] = self._make(name, self.settings)
            return self._made[name]


def make_chat(answerer: Answerer | Callable[[], Answerer], generators: GeneratorPool):
    """The chat handler: a generator of (conversation HTML, turns, cleared question box, question
    being answered) updates.

    The generator's text is shown as a draft while it streams, then replaced
    by the verified answer with what the filters did. Earlier questions (as
    the standalone questions they were answered as, so follow-ups can chain)
    are the history; a follow-up with no history gets a hint instead. The
    passages are shown as soon as they are found; the local model answers
    one question at a time (the pool's ``line``), the others see their place
    in the line, and an extractive answer never waits. ``answerer`` may be a callable giving the
    answerer to use for each question (the library's newest index).
    """
    answerer_of = _provider(answerer)

    def chat(question: str, turns: list[Turn], generator: str, place: str, year: str,
             doc_type: str) -> Iterator[ChatUpdate]:
        question = question.strip()
        if not question:
            yield render.conversation_html(_shown(turns)), turns, "", ""
        elif not turns and is_follow_up(question):
            hint = render.turn_html(question, render.notice_html(wording.follow_up_hint(question)))
            yield render.conversation_html([hint]), turns, "", ""
        else:
            filters = search_filters(place, year, doc_type)
            yield from _answering(answerer_of(), generators, question, turns, generator, filters)

    return chat


def _shown(turns: Sequence[Turn]) -> list[str]:
    """The finished turns' HTML."""
    return [html for _, _, html in turns]


def _answering(answerer: Answerer, generators: GeneratorPool, question: str, turns: list[Turn], generator: str,
               filters: SearchFilters) -> Iterator[ChatUpdate]:
    """The chat's updates while ``question`` is answered by the generator called ``generator``: the
    passages found, the place in the model's line, the draft as it grows, then the verified answer (kept
    as a turn), or why there is no answer."""
    done = _shown(turns)
    number = len(turns) + 1

    def showing(reply: str, pending: str = question) -> ChatUpdate:
        return render.conversation_html([*done, render.turn_html(question, reply)]), turns, "", pending

    def answer(lined: Generator, on_token: Callable[[str], None], on_passages: Callable) -> Answer:
        history = [asked for _, asked, _ in turns]
        return answerer.ask(question, lined, history, filters, on_token, note, on_passages)

    yield showing(render.draft_html(""))
    try:
        choice = generators.get(generator)
        note = wording.fallback_note(generator, choice.generator.name)
        passages: tuple = ()
        waiting = None
        with closing(answer_events(asking(answer, choice.generator, generators.line))) as updates:
            for update in updates:
                if isinstance(update, Answer):
                    yield _answered(question, turns, update, answer_notices(answerer.retriever, update, filters))
                    return
                passages = update.passages if isinstance(update, Evidence) else passages
                waiting = update.ahead if isinstance(update, Waiting) else waiting
                draft = update if isinstance(update, str) else ""
                yield showing(render.draft_html(draft, passages, number, None if draft else waiting))
    except Exception as error:  # noqa: BLE001 — the page is the edge: say why there is no answer
        message = wording.error_message(error, generator, generators.settings)
        yield showing(render.error_html(message, str(error)), pending="")


def _answered(question: str, turns: list[Turn], answer: Answer, notices: list[str]) -> ChatUpdate:
    """The conversation with ``answer`` (and what the filters did) as its last turn, kept with the others."""
    reply = render.answered_turn_html(question, answer, len(turns) + 1, notices)
    kept = (question, answer.rewritten_question or question, reply)
    return render.conversation_html([*_shown(turns), reply]), [*turns, kept], "", ""


def stopped(turns: Sequence[Turn], pending: str) -> tuple[str, str]:
    """The conversation when 停止 is pressed: the question being answered marked 已停止 (nothing is kept
    of its answer), and no question pending."""
    done = _shown(turns)
    if pending:
        done.append(render.turn_html(pending, render.notice_html(STOPPED)))
    return render.conversation_html(done), ""
