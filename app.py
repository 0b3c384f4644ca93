"""The reportqa web app: ``python app.py [--index DIR] [--generator NAME] [--host 127.0.0.1] [--port 7860]``.

A chat page (questions answered with checked citations, the draft streamed
while the generator writes, each citation opening its passage in context,
follow-ups understood from the earlier questions), a search page (question
box, district / year / type filters filled from the index, result cards with
the query terms marked and the passage in its context) and a library page
listing every indexed document. The embedding model and the default
generator load once, in the background, while the page is already served;
answers are generated one at a time while searches run beside them.
"""

from __future__ import annotations

import argparse
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import gradio as gr

from reportqa.ui import render
from reportqa.records import Answer
from reportqa.answer.pipeline import Answerer
from reportqa.answer.generation import GENERATORS, GeneratorChoice, make_generator
from reportqa.indexing.offline_model import ModelUnavailable
from reportqa.ui.render import STYLE, results_html
from reportqa.search.retrieval import Retriever
from reportqa.search.hybrid import SearchFilters, SearchIndex
from reportqa.settings import Settings
from reportqa.indexing.store import IndexUnusable

ALL = "全部"
LIBRARY_COLUMNS = ["标题", "区", "年份", "类型", "段落数", "来源文件", "其他副本", "说明"]
EXAMPLE_QUESTIONS = ["嘉定区2020年一般公共预算收入是多少？", "青浦和闵行2021年的GDP增速目标分别是多少？", "那松江呢？"]
# One finished exchange kept in the session: the question as asked, the standalone question it
# was answered as (what a later follow-up leans on), and its rendered HTML.
Turn = tuple[str, str, str]
ChatUpdate = tuple[str, list[Turn], str]


def library_rows(index: SearchIndex) -> list[list]:
    return [[d["title"], d["district"] or "", d["year"] or "", d["doc_type"], d["n_chunks"], d["source_file"],
             "、".join(d["also_in"]), "；".join(d["notes"])] for d in index.manifest["documents"]]


def filter_choices(index: SearchIndex) -> tuple[list[str], list[str], list[str]]:
    documents = index.manifest["documents"]
    years = sorted({str(d["year"]) for d in documents if d["year"]}, reverse=True)
    types = sorted({d["doc_type"] for d in documents})
    return [ALL, *index.districts()], [ALL, *years], [ALL, *types]


def search_filters(district: str, year: str, doc_type: str) -> SearchFilters:
    """The filters chosen in the dropdowns (全部 is no filter)."""
    return SearchFilters(None if district == ALL else district, None if year == ALL else int(year),
                         None if doc_type == ALL else doc_type)


def make_search(retriever: Retriever):
    def search(query: str, district: str, year: str, doc_type: str, k: float) -> str:
        if not query.strip():
            return '<p class="rq-empty">请输入问题或关键词。</p>'
        retrieval = retriever.retrieve(query, int(k), search_filters(district, year, doc_type))
        return results_html(retrieval.hits, query, retrieval.understanding.describe(), retrieval.relevant)

    return search


class GeneratorPool:
    """One generator per name, made on first use, so the local model loads once per process.

    Args:
        settings: passed to ``make``.
        make: builds a generator by name (``reportqa.generation.make_generator``; tests pass a fake).
    """

    def __init__(self, settings: Settings,
                 make: Callable[[str, Settings], GeneratorChoice] = make_generator) -> None:
        self._settings = settings
        self._make = make
        self._made: dict[str, GeneratorChoice] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> GeneratorChoice:
        """The generator called ``name``; raises ValueError for an unknown or unconfigured one."""
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

    def chat(question: str, turns: list[Turn], generator: str, district: str, year: str,
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
        filters = search_filters(district, year, doc_type)

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


def build_app(index: SearchIndex, generators: GeneratorPool | None = None) -> gr.Blocks:
    """The app on ``index``, whose settings give the default generator and the answer's passage count.

    Args:
        index: the open index.
        generators: where the chat gets its generators (default: made from the index's settings).
    """
    settings = index.settings
    districts, years, types = filter_choices(index)
    retriever = Retriever(index)
    search = make_search(retriever)
    chat = make_chat(Answerer(retriever, settings.answer_passages), generators or GeneratorPool(settings))
    with gr.Blocks(title="reportqa · 政府工作报告检索") as demo:
        gr.Markdown("## reportqa · 政府工作报告与规划纲要检索")
        with gr.Tab("问答"):
            turns = gr.State([])
            conversation = gr.HTML(render.conversation_html([]), elem_id="rq-chat", js_on_load=render.CITATION_JS)
            with gr.Row():
                ask = gr.Textbox(label="问题", placeholder="例如：嘉定区2020年一般公共预算收入是多少？追问可以只说「那松江呢？」",
                                 elem_id="rq-ask", scale=5)
                send = gr.Button("发送", variant="primary", elem_id="rq-send", scale=1)
            gr.Examples([[question] for question in EXAMPLE_QUESTIONS], inputs=[ask], label="示例问题")
            with gr.Row():
                generator = gr.Dropdown(list(GENERATORS), value=settings.generator, label="生成器",
                                        elem_id="rq-generator")
                chat_district = gr.Dropdown(districts, value=ALL, label="区")
                chat_year = gr.Dropdown(years, value=ALL, label="报告年份")
                chat_doc_type = gr.Dropdown(types, value=ALL, label="文档类型")
                clear = gr.Button("清空对话", elem_id="rq-clear", scale=0)
            # One model call at a time on two cores: both triggers share one queue of size 1.
            answering = {"fn": chat, "inputs": [ask, turns, generator, chat_district, chat_year, chat_doc_type],
                         "outputs": [conversation, turns, ask], "concurrency_limit": 1,
                         "concurrency_id": "answer", "show_progress": "minimal"}
            send.click(**answering)
            ask.submit(**answering)
            clear.click(lambda: (render.conversation_html([]), []), None, [conversation, turns], queue=False)
        with gr.Tab("搜索"):
            with gr.Row():
                query = gr.Textbox(label="问题或关键词", placeholder="例如：嘉定区2020年一般公共预算收入是多少？",
                                   elem_id="rq-query", scale=5)
                button = gr.Button("搜索", variant="primary", elem_id="rq-search", scale=1)
            with gr.Row():
                district = gr.Dropdown(districts, value=ALL, label="区")
                year = gr.Dropdown(years, value=ALL, label="报告年份")
                doc_type = gr.Dropdown(types, value=ALL, label="文档类型")
                k = gr.Slider(1, 20, value=8, step=1, label="结果数")
            results = gr.HTML(elem_id="rq-results")
            inputs = [query, district, year, doc_type, k]
            # Searches have their own queue, so they stay quick while an answer is being generated.
            searching = {"fn": search, "inputs": inputs, "outputs": results, "concurrency_limit": 2,
                         "concurrency_id": "search"}
            button.click(**searching)
            query.submit(**searching)
        with gr.Tab("文库"):
            gr.Markdown(f"{len(index.manifest['documents'])} 篇文档，{len(index.chunks)} 个段落。")
            gr.Dataframe(value=library_rows(index), headers=LIBRARY_COLUMNS, interactive=False,
                         elem_id="rq-library")
    return demo


def warm_up(index: SearchIndex, generators: GeneratorPool) -> None:
    """Load the embedding model, then the default generator (an unconfigured one is reported when asked)."""
    index.warm_up()
    try:
        generators.get(index.settings.generator)
    except ValueError as error:
        print(f"note: {error}", file=sys.stderr)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--generator", choices=GENERATORS,
                        help="the chat's default generator (default: REPORTQA_GENERATOR, local)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        index = SearchIndex.open(Settings.from_env(index_dir=args.index, generator=args.generator))
    except (IndexUnusable, ModelUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    generators = GeneratorPool(index.settings)
    threading.Thread(target=warm_up, args=(index, generators), name="warm-up", daemon=True).start()
    build_app(index, generators).queue().launch(server_name=args.host, server_port=args.port, css=STYLE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
