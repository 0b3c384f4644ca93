"""The web app's pages: 问答 (chat), 搜索 (search) and 文库 (library), built with Gradio.

``build_app`` lays out the three tabs over one open index; the handlers they
call live in ``reportqa.ui.handlers``, the HTML they show in
``reportqa.ui.render`` and its CSS in ``reportqa.ui.style``. An answer shows
its passages at once; the local model answers one question at a time in its
own line (``reportqa.ui.answering``) while searches and extractive answers
run beside it; 停止 cancels the answer being written. The conversation is
kept in the browser's storage (``gr.BrowserState``), so it survives a reload
of the page while the app runs.
"""

from __future__ import annotations

import sys
from typing import Any

import gradio as gr

from reportqa.answer.generation import GENERATORS
from reportqa.errors import InputError
from reportqa.search.hybrid import SearchIndex
from reportqa.settings import Settings
from reportqa.ui import render
from reportqa.ui.handlers import GeneratorPool, make_chat, make_search, stopped
from reportqa.ui.library import Library
from reportqa.ui.library_page import library_tab
from reportqa.ui.style import EXPORT_JS, PAGE_JS, STYLE
from reportqa.ui.wording import ALL, EXAMPLE_QUESTIONS, GENERATOR_LABELS, LEVEL_NAMES

# Files uploaded through Gradio are looked for every 10 minutes and deleted an hour after they came, and
# all of them when the app stops (Gradio's delete_cache: frequency, age in seconds); otherwise they stay.
UPLOADS_KEPT = (600, 3600)
_LEVEL_ORDER = {level: order for order, level in enumerate(LEVEL_NAMES)}
# How the app is served: its CSS, a footer without Gradio's own API page and run history (our API is at
# /api/v1, see reportqa.ui.api) and the largest file Gradio's upload route (/gradio_api/upload, which the
# library page uses) accepts: the report file limit, 50 MiB (a bigger file gets 413; Gradio limits each file,
# the library page the number of files).
LAUNCH_OPTIONS = {"css": STYLE, "footer_links": ["gradio", "settings"], "max_file_size": "50mb"}
# Questions the chat takes at once; beyond this Gradio's own queue holds them.
CHAT_AT_ONCE = 8
# Where the browser keeps the conversation (encrypted with a key made at each start of the app).
CHAT_STORAGE_KEY = "reportqa-chat"
API_NOTE = "JSON 接口：`/api/v1`（说明见 [/api/v1/openapi.json](/api/v1/openapi.json)）"


def filter_choices(index: SearchIndex) -> tuple[list, list[str], list[str]]:
    """The dropdowns' choices: places (widest level first, labelled with their level), years, types."""
    documents = index.manifest["documents"]
    years = sorted({str(d["year"]) for d in documents if d["year"]}, reverse=True)
    types = sorted({d["doc_type"] for d in documents})
    levels = {d.issuing_place: d.place_level or "" for d in index.documents.values()}
    places = sorted(index.places(), key=lambda place: (_LEVEL_ORDER.get(levels.get(place, ""), len(_LEVEL_ORDER)), place))
    labelled = [(f"{place}（{LEVEL_NAMES[levels[place]]}）" if levels.get(place) in LEVEL_NAMES else place, place)
                for place in places]
    return [(ALL, ALL), *labelled], [ALL, *years], [ALL, *types]


def build_app(library: Library | SearchIndex, generators: GeneratorPool | None = None, read_only: bool = False,
              token: str | None = None) -> gr.Blocks:
    """The app on ``library`` (or on one open index), whose settings give the default generator and the
    answer's passage count.

    Args:
        library: the reports served, added and removed (an index is served as a library of its own).
        generators: where the chat gets its generators (default: made from the index's settings).
        read_only: the library page lists and reads reports but does not add or remove them.
        token: what adding and removing ask for (default: the settings' ``api_token``).
    """
    if isinstance(library, SearchIndex):
        library = Library(library.settings, index=library)
    settings = library.settings
    choices = filter_choices(library.current().index)
    chat = make_chat(lambda: library.current().answerer, generators or GeneratorPool(settings))
    with gr.Blocks(title="reportqa · 政府工作报告检索", delete_cache=UPLOADS_KEPT) as demo:
        gr.Markdown("## reportqa · 政府工作报告与规划纲要检索")
        with gr.Tab("问答"):
            chat_filters = _chat_tab(demo, chat, settings, choices)
        with gr.Tab("搜索"):
            search_filters = _search_tab(make_search(lambda: library.current().retriever), choices)
        with gr.Tab("文库"):
            filters = [*chat_filters, *search_filters]
            library_tab(library, settings.api_token if token is None else token, read_only,
                        lambda: _refreshed_filters(library, len(filters)), filters)
        gr.Markdown(API_NOTE, elem_id="rq-api-note")
        demo.load(lambda: _refreshed_filters(library, len(filters)), None, filters, api_visibility="undocumented",
                  api_name="filters")
    return demo


def _refreshed_filters(library: Library, count: int) -> list[Any]:
    """Updates for the pages' filter dropdowns from the library's current index (the chosen values kept)."""
    choices = filter_choices(library.current().index)
    return [gr.update(choices=choices[number % 3]) for number in range(count)]


def _filter_dropdowns(choices: tuple[list[str], list[str], list[str]], page: str) -> list[Any]:
    """The 地区 / 报告年份 / 文档类型 dropdowns, each starting at 全部, with ids ``rq-{page}-place`` … ."""
    return [gr.Dropdown(values, value=ALL, label=label, elem_id=f"rq-{page}-{name}")
            for values, label, name in zip(choices, ("地区", "报告年份", "文档类型"), ("place", "year", "type"))]


def generator_choices(settings: Settings) -> list[tuple[str, str]]:
    """The answer writers offered, labelled in Chinese: 在线模型 only when an endpoint and model are set."""
    configured = {"openai": bool(settings.llm_base_url and settings.llm_model)}
    return [(GENERATOR_LABELS[name], name) for name in GENERATORS if configured.get(name, True)]


def _chat_tab(demo: gr.Blocks, chat: Any, settings: Settings,
              choices: tuple[list[str], list[str], list[str]]) -> list[Any]:
    """The 问答 tab: the conversation, question box with 发送 and 停止, examples, answer writer, filters,
    导出对话 and 清空对话; the conversation kept in the browser is shown again when the page loads. Returns
    its filter dropdowns."""
    turns = gr.BrowserState([], storage_key=CHAT_STORAGE_KEY)
    pending = gr.State("")  # the question being answered, shown as stopped if 停止 is pressed
    conversation = gr.HTML(render.conversation_html([]), elem_id="rq-chat", js_on_load=PAGE_JS)
    with gr.Row():
        ask = gr.Textbox(label="问题", placeholder="例如：青浦2020年新增了多少张养老床位？追问可以只说「那松江呢？」",
                         elem_id="rq-ask", scale=5)
        send = gr.Button("发送", variant="primary", elem_id="rq-send", scale=1)
        stop = gr.Button("停止", variant="stop", elem_id="rq-stop", scale=0)
    gr.Examples([[question] for question in EXAMPLE_QUESTIONS], inputs=[ask], label="示例问题")
    with gr.Row():
        offered = generator_choices(settings)
        default = settings.generator if settings.generator in {name for _, name in offered} else offered[0][1]
        generator = gr.Dropdown(offered, value=default, label="回答方式", elem_id="rq-generator")
        filters = _filter_dropdowns(choices, "chat")
        with gr.Column(scale=0, min_width=120):
            export = gr.Button("导出对话", elem_id="rq-export", size="sm")
            clear = gr.Button("清空对话", elem_id="rq-clear", size="sm")
    # Questions are taken at once (up to CHAT_AT_ONCE): each shows its passages straight away; the local model
    # answers one at a time in its own line (GeneratorPool.line), where a waiting question sees its place, and
    # extractive answers never wait for it.
    answering = {"fn": chat, "inputs": [ask, turns, generator, *filters],
                 "outputs": [conversation, turns, ask, pending], "concurrency_limit": CHAT_AT_ONCE,
                 "concurrency_id": "answer", "show_progress": "minimal", "api_visibility": "undocumented"}
    running = [send.click(**answering, api_name="chat"), ask.submit(**answering, api_name="chat_enter")]
    stop.click(stopped, [turns, pending], [conversation, pending], cancels=running, queue=False,
               api_visibility="undocumented", api_name="chat_stop")
    clear.click(lambda: (render.conversation_html([]), [], ""), None, [conversation, turns, pending],
                cancels=running, queue=False, api_visibility="undocumented", api_name="chat_clear")
    export.click(None, js=EXPORT_JS)
    demo.load(lambda kept: render.conversation_html([html for _, _, html in kept]), turns, conversation,
              api_visibility="undocumented", api_name="chat_restore")
    return filters


def _search_tab(search: Any, choices: tuple[list[str], list[str], list[str]]) -> list[Any]:
    """The 搜索 tab: question box, filters, result count, the result cards. Returns its filter dropdowns."""
    with gr.Row():
        query = gr.Textbox(label="问题或关键词", placeholder="例如：嘉定区2020年一般公共预算收入是多少？",
                           elem_id="rq-query", scale=5)
        button = gr.Button("搜索", variant="primary", elem_id="rq-search", scale=1)
    with gr.Row():
        filters = _filter_dropdowns(choices, "search")
        k = gr.Slider(1, 20, value=8, step=1, label="结果数")
    results = gr.HTML(elem_id="rq-results")
    # Searches have their own queue, so they stay quick while an answer is being generated.
    searching = {"fn": search, "inputs": [query, *filters, k], "outputs": results, "concurrency_limit": 2,
                 "concurrency_id": "search", "api_visibility": "undocumented"}
    button.click(**searching, api_name="search_page")
    query.submit(**searching, api_name="search_page_enter")
    return filters


def warm_up(index: SearchIndex, generators: GeneratorPool) -> None:
    """Load the embedding model, then the default generator (an unconfigured one is reported when asked)."""
    index.warm_up()
    try:
        generators.get(index.settings.generator)
    except InputError as error:
        print(f"note: {error}", file=sys.stderr)
