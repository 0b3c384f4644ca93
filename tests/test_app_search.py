"""The search page, the library and the app's layout: cards with the question's terms marked in the
source's own characters, the context around a passage, what the filters did, the tabs and their wiring."""

import re
from pathlib import Path

import gradio as gr
from conftest import SECTION_AS_WRITTEN, open_index

from reportqa.search.retrieval import Retriever
from reportqa.ui import handlers, passages, render, web
from reportqa.ui.catalogue import document_entries
from reportqa.ui.library_page import library_rows


def test_highlight_marks_terms_and_escapes_everything_else():
    marked = render.highlight("<b>新增养老床位</b>774张", ["养老床位", "774"])
    assert marked == "&lt;b&gt;新增<mark>养老床位</mark>&lt;/b&gt;<mark>774</mark>张"
    assert render.highlight("养老床位", ["养老", "老床"]) == "<mark>养老床</mark>位"


def test_a_filter_that_overrides_the_question_or_empties_the_results_says_so(shared_small_index):
    search = handlers.make_search(Retriever(open_index(shared_small_index)))
    overridden = search("松江新增上市企业几家？", "嘉定区", handlers.ALL, handlers.ALL, 3)
    assert '<p class="rq-notice">' in overridden and "地区：嘉定区" in overridden and "松江区" in overridden
    assert f"请把地区改为「{handlers.ALL}」" in overridden
    assert "rq-notice" not in search("松江新增上市企业几家？", "松江区", handlers.ALL, handlers.ALL, 3)
    assert "rq-notice" not in search("新增上市企业几家？", "嘉定区", handlers.ALL, handlers.ALL, 3)
    emptied = search("新增上市企业", handlers.ALL, "2021", "五年规划纲要", 3)
    assert "没有找到相关段落" in emptied and "报告年份：2021" in emptied and "文档类型：五年规划纲要" in emptied


def test_search_page_shows_cards_with_terms_marked_and_context(shared_small_index):
    search = handlers.make_search(Retriever(open_index(shared_small_index)))
    page = search("嘉定新增养老床位", handlers.ALL, handlers.ALL, handlers.ALL, 3)
    assert page.startswith('<p class="rq-understood">理解：类型：事实；地区：嘉定区</p>')
    assert not re.search(r"\d\.\d{3}", page) and "rq-score" not in page  # no bare scores
    assert page.count('<article class="rq-card"') == 3
    assert "养老床位</mark>" in page
    assert '<details class="rq-more"><summary>上下文' in page and '<mark class="passage">' in page


def test_context_reaches_past_the_passage_into_the_source(shared_small_index):
    hit = open_index(shared_small_index).search("新增上市企业4家", k=1)[0]
    source = Path(hit.source_file).read_text(encoding="utf-8")
    context = render.context_html(hit, window=50, marked=["4家"])
    assert "新增上市企业<mark>4家</mark>" in context
    before, rest = context.removeprefix('<div class="rq-context">').split('<mark class="passage">')
    after = rest.removesuffix("</div>").rsplit("</mark>", 1)[1]
    # Whole lines of the source from at least 50 characters before the passage to at least 50 after it.
    assert len(before) >= 50 and source[:hit.char_start].endswith(before)
    assert source[:hit.char_start - len(before)].endswith("\n")
    assert len(after) >= 50 and source[hit.char_end:].startswith(after)
    assert source[hit.char_end + len(after):].startswith("\n")


def test_report_markup_is_shown_as_text(hostile_index):
    page = handlers.make_search(Retriever(open_index(hostile_index)))("script alert 养老床位", handlers.ALL, handlers.ALL, handlers.ALL, 5)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page


def test_empty_query_asks_for_one(shared_small_index):
    assert "请输入" in handlers.make_search(Retriever(open_index(shared_small_index)))("  ", handlers.ALL, handlers.ALL, handlers.ALL, 5)


def test_filters_and_library_come_from_the_manifest(shared_small_index):
    index = open_index(shared_small_index)
    places, years, types = web.filter_choices(index)
    assert places == [(handlers.ALL, handlers.ALL), ("嘉定区（区县级）", "嘉定区"), ("松江区（区县级）", "松江区")]
    assert years == [handlers.ALL, "2021"] and "政府工作报告" in types
    rows = library_rows(document_entries(index))
    assert len(rows) == 2 and {row[2] for row in rows} == {"嘉定区", "松江区"}
    assert {row[1] for row in rows} == {"jiading.txt", "songjiang.txt"} and all(row[7] for row in rows)


def test_the_app_has_chat_search_and_library_tabs_on_the_index(shared_small_index, monkeypatch):
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    index = open_index(shared_small_index)
    demo = web.build_app(index)
    blocks = list(demo.blocks.values())
    assert [block.label for block in blocks if isinstance(block, gr.Tab)] == ["问答", "搜索", "文库"]
    named = {block.elem_id: block for block in blocks if getattr(block, "elem_id", None)}
    assert named["rq-generator"].value == index.settings.generator
    assert [label for label, _ in named["rq-generator"].choices] == ["本地模型", "原文摘录"]  # no endpoint set
    district_filters = [block for block in blocks if isinstance(block, gr.Dropdown) and block.label == "地区"]
    assert [[value for _, value in block.choices] for block in district_filters] == [[handlers.ALL, "嘉定区", "松江区"]] * 2
    assert named["rq-library"].value["data"] == library_rows(document_entries(index))

    def handlers_of(elem_id, event):
        return [fn for fn in demo.fns.values() if (named[elem_id]._id, event) in fn.targets]

    def handler(elem_id, event):
        (function,) = [fn for fn in handlers_of(elem_id, event) if not fn.cancels]
        return function

    search = handler("rq-search", "click")
    assert search.outputs == [named["rq-results"]] and search.concurrency_id == "search"
    assert handler("rq-query", "submit").fn is search.fn
    assert search.fn("嘉定新增养老床位", handlers.ALL, handlers.ALL, handlers.ALL, 3).count('<article class="rq-card"') == 3
    send = handler("rq-send", "click")
    assert send.inputs[0] is named["rq-ask"] and send.outputs[0] is named["rq-chat"]
    # Questions are taken side by side; the local model keeps to one answer at a time in its own line.
    assert (send.concurrency_id, send.concurrency_limit) == ("answer", web.CHAT_AT_ONCE)
    submit = handler("rq-ask", "submit")
    assert submit.fn is send.fn
    turns = send.inputs[1]
    assert isinstance(turns, gr.BrowserState) and turns.storage_key == web.CHAT_STORAGE_KEY  # kept across reloads
    assert send.outputs[1] is turns and turns in handler("rq-clear", "click").outputs
    answering = {index for index, fn in demo.fns.items() if fn in (send, submit)}
    for button in ("rq-stop", "rq-clear"):  # both cancel the answer being written
        assert [set(fn.cancels) for fn in handlers_of(button, "click") if fn.cancels] == [answering]
    assert handler("rq-stop", "click").fn is handlers.stopped  # … and 停止 says so
    assert handler("rq-export", "click").js == web.EXPORT_JS


def test_results_below_the_relevance_threshold_carry_a_notice(shared_small_index):
    hits = open_index(shared_small_index).search("养老床位", k=2)
    assert "没有找到明显相关的段落" in render.results_html(hits, "养老床位", relevant=False)
    assert "没有找到明显相关的段落" not in render.results_html(hits, "养老床位")


def test_highlight_matches_terms_in_match_form_and_marks_the_source_characters():
    assert passages.highlight("新增养老床位７７４张，增长（3%）", ["774张", "(3%)"]) == \
        "新增养老床位<mark>７７４张</mark>，增长<mark>（3%）</mark>"
    assert passages.highlight("养老\n床位", ["养老床位"]) == "<mark>养老\n床位</mark>"


def test_source_text_is_shown_with_paragraph_breaks_and_without_line_wraps():
    assert passages.readable("  第一段，完。\n\n第二段\n接着写，\u200b完。\n") == "第一段，完。\n第二段接着写，完。"
    assert passages.readable("GDP\ngrowth 增长") == "GDP growth增长"


def test_cards_show_the_sources_own_characters(shared_small_index):
    page = handlers.make_search(Retriever(open_index(shared_small_index)))(
        "嘉定新增养老床位", handlers.ALL, handlers.ALL, handlers.ALL, 3)
    card = page.split('<article class="rq-card"')[1]
    assert SECTION_AS_WRITTEN in card and "(一)坚持人民至上," not in card  # the index keeps 「(一)…,」
    assert "“政府主导、办企合一、市场化运作”的开发机制。" in card and "<mark>新增养老床位</mark>774张。" in card
