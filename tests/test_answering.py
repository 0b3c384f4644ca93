"""Answering for the pages and the API (reportqa.ui.answering): the passages before the draft, the local
model's line with each waiter's place, and extractive answers that never wait for it."""

from __future__ import annotations

import threading
import time

from fakes import BigramEmbedder
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from reportqa.answer.generation import ChatGenerator, GeneratorChoice
from reportqa.answer.pipeline import Answerer
from reportqa.records import Answer
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings
from reportqa.ui import handlers, render
from reportqa.ui.answering import Evidence, ModelLine, Waiting, answer_events, asking

JIADING_BEDS = "嘉定2020年新增了多少张养老床位？"


def slow_local(seconds_per_character: float = 0.05) -> ChatGenerator:
    """A fake local model: 「新增养老床位774张[1]。」 a character at a time."""
    return ChatGenerator("local", FakeListChatModel(responses=["新增养老床位774张[1]。"] * 20,
                                                    sleep=seconds_per_character))


def answerer_on(index) -> Answerer:
    settings = Settings.from_env(index_dir=str(index), relevance_threshold=0.0, generator="local")
    return Answerer(Retriever(SearchIndex.open(settings, BigramEmbedder())), answer_passages=3)


def events_of(answerer: Answerer, generator, line: ModelLine) -> list:
    def answer(lined, on_token, on_passages) -> Answer:
        return answerer.ask(JIADING_BEDS, lined, on_token=on_token, on_passages=on_passages)

    return list(answer_events(asking(answer, generator, line)))


def test_the_passages_come_before_the_draft_and_the_answer(shared_small_index):
    events = events_of(answerer_on(shared_small_index), slow_local(0.0), ModelLine())
    kinds = [type(event).__name__ for event in events]
    assert kinds[0] == "Evidence" and kinds[-1] == "Answer" and "str" in kinds
    evidence, answer = events[0], events[-1]
    assert "774" in evidence.passages[0].text
    assert answer.citations[0].chunk_id == evidence.passages[0].chunk_id  # numbered as the citations are
    assert answer.timings["passages"] <= answer.timings["first_token"]


def test_a_second_local_answer_waits_in_line_and_hears_its_place(shared_small_index):
    answerer, line = answerer_on(shared_small_index), ModelLine()
    first_events: list = []
    first = threading.Thread(target=lambda: first_events.extend(events_of(answerer, slow_local(), line)))
    first.start()
    time.sleep(0.3)  # the first one holds the model
    second = events_of(answerer, slow_local(0.0), line)
    first.join()
    waiting = [event for event in second if isinstance(event, Waiting)]
    assert waiting and waiting[0].ahead == 1
    order = [type(event).__name__ for event in second]
    assert order.index("Evidence") < order.index("Waiting") < order.index("str")  # passages shown while waiting
    assert isinstance(second[-1], Answer) and "774" in second[-1].answer and isinstance(first_events[-1], Answer)
    assert line.waiting == 0


def test_an_extractive_answer_does_not_wait_for_the_local_model(shared_small_index):
    from reportqa.answer.generation import ExtractiveGenerator

    answerer, line = answerer_on(shared_small_index), ModelLine()
    slow = threading.Thread(target=lambda: events_of(answerer, slow_local(0.2), line))  # about 3 s
    slow.start()
    time.sleep(0.3)
    started = time.perf_counter()
    events = events_of(answerer, ExtractiveGenerator(), line)
    took = time.perf_counter() - started
    slow.join()
    assert not [event for event in events if isinstance(event, Waiting)] and "774" in events[-1].answer
    assert took < 2.0, took  # not behind the 3-second answer


def test_a_waiter_that_gives_up_does_not_hold_up_the_line():
    line, order = ModelLine(), []
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with line.turn(lambda ahead: None):
            holding.set()
            release.wait(5)
            order.append("first")

    def give_up(ahead: int) -> None:
        raise RuntimeError("the page went away")

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    try:
        with line.turn(give_up):
            order.append("never")
    except RuntimeError:
        pass
    heard: list[int] = []
    third = threading.Thread(target=lambda: line.turn(heard.append).__enter__() or order.append("third"))
    third.start()
    time.sleep(0.2)
    release.set()
    holder.join()
    third.join(5)
    assert order == ["first", "third"] and heard[0] == 1  # only the holder was ahead of it


def test_the_chat_shows_the_passages_and_the_place_in_line_in_chinese(shared_small_index):
    page = render.draft_html("", [], 1)
    assert "检索资料中" in page
    hit = answerer_on(shared_small_index).retriever.retrieve(JIADING_BEDS, 3).hits[0]
    waiting = render.draft_html("", [hit], 2, waiting=2)
    assert "前面还有 2 个" in waiting and "资料（回答将依据这些段落）" in waiting and 'id="rq-src-2-1"' in waiting
    writing = render.draft_html("新增", [hit], 2)
    assert render.DRAFT_LABEL in writing and "前面还有" not in writing and "774" in writing


def test_the_chat_handler_streams_evidence_then_the_answer(shared_small_index):
    answerer = answerer_on(shared_small_index)
    pool = handlers.GeneratorPool(answerer.retriever.index.settings, lambda name, settings: GeneratorChoice(slow_local(0.0)))
    chat = handlers.make_chat(answerer, pool)
    pages = [page for page, *_ in chat(JIADING_BEDS, [], "local", handlers.ALL, handlers.ALL, handlers.ALL)]
    with_evidence = [page for page in pages if "资料（回答将依据这些段落）" in page]
    assert with_evidence and render.DRAFT_LABEL not in pages[-1] and "774" in pages[-1]
    assert pages.index(with_evidence[0]) < len(pages) - 1
    assert isinstance(Evidence(()), Evidence)
