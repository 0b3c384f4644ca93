import dataclasses
import html
import re
import threading
from pathlib import Path

import gradio as gr
import pytest
from conftest import SMALL_REPORT, build_index
from fakes import BigramEmbedder
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from reportqa.answer import generation
from reportqa.answer.generation import ChatGenerator, ExtractiveGenerator, GeneratorChoice
from reportqa.answer.pipeline import Answerer
from reportqa.errors import InputError
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings
from reportqa.ui import handlers, markdown, passages, render, web, wording


def open_index(index):
    return SearchIndex.open(Settings.from_env(index_dir=str(index)), BigramEmbedder())


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    """The small report with markup in a passage: a script and an image tag inside its 养老床位 sentence."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "reports").mkdir()
    hostile = SMALL_REPORT.replace("新增养老床位774张。", "新增养老床位774张<script>alert('x')</script><img src=x onerror=1>。")
    (folder / "reports" / "hostile.txt").write_text(hostile, encoding="utf-8")
    return build_index(folder / "reports", folder / "index")


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
    rows = web.library_rows(index)
    assert len(rows) == 2 and {row[1] for row in rows} == {"嘉定区", "松江区"}


def test_answer_writers_are_labelled_in_chinese_and_the_online_one_offered_only_when_configured():
    assert web.generator_choices(Settings()) == [("本地模型", "local"), ("原文摘录", "extractive")]
    online = Settings(llm_base_url="http://127.0.0.1:8000/v1", llm_model="qwen")
    assert web.generator_choices(online) == [("本地模型", "local"), ("在线模型", "openai"), ("原文摘录", "extractive")]


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
    assert named["rq-library"].value["data"] == web.library_rows(index)

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
    assert (send.concurrency_id, send.concurrency_limit) == ("answer", 1)  # one answer at a time
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


# The chat page ---------------------------------------------------------------------------------

JIADING_BEDS = "嘉定2020年新增了多少张养老床位？"


def open_answerable(index):
    """The index with relevance threshold 0: the fake embedder's cosines are below the real one."""
    settings = Settings.from_env(index_dir=str(index), relevance_threshold=0.0, generator="extractive")
    return SearchIndex.open(settings, BigramEmbedder())


def answerer(index):
    return Answerer(Retriever(open_answerable(index)), answer_passages=3)


def fake_chat(*responses):
    return ChatGenerator("fake", FakeListChatModel(responses=list(responses)))


def chat_handler(index, make=None):
    search_index = open_answerable(index)
    pool = handlers.GeneratorPool(search_index.settings, make or generation.make_generator)
    return handlers.make_chat(Answerer(Retriever(search_index), answer_passages=3), pool)


def run_chat(chat, question, turns=(), generator="extractive", place=handlers.ALL, year=handlers.ALL,
             doc_type=handlers.ALL):
    """Every update the chat handler yields for one question: [(html, turns, question box, pending question)]."""
    return list(chat(question, list(turns), generator, place, year, doc_type))


def test_an_answer_links_each_citation_to_its_source_with_the_figure_marked(shared_small_index):
    answer = answerer(shared_small_index).ask(JIADING_BEDS, fake_chat("嘉定2020年新增养老床位774张[1]。"))
    page = render.answer_html(answer, turn=3)
    assert '<a class="rq-cite" href="#rq-src-3-1" data-source="rq-src-3-1">[1]</a>' in page
    assert page.count('<li class="rq-source" id="rq-src-3-') == len(answer.citations) == 1
    source = page.split('id="rq-src-3-1"')[1]
    assert "2021年上海市示例区人民政府工作报告" in source and "嘉定区 · 2021" in source
    assert "jiading.txt 第" in source and '<details class="rq-more"><summary>上下文' in source
    context = source.split('<div class="rq-context">')[1]
    assert "新增养老床位<mark>774张</mark>" in context  # the cited figure, with its unit, not the question's 2020
    assert "<mark>2020" not in context and "无法从文档中找到" not in page and "理解为" not in page


def test_cited_figures_fall_back_to_the_bare_number_when_the_unit_differs(shared_small_index):
    answer = answerer(shared_small_index).ask(JIADING_BEDS, fake_chat("嘉定新增养老床位774个[1]。"))
    assert render.cited_figures(answer) == {1: ["774"]}


def test_a_refusal_lists_the_related_passages(shared_small_index):
    answer = answerer(shared_small_index).ask(JIADING_BEDS, fake_chat("新增养老床位900张[1]。"))
    page = render.answer_html(answer, turn=1)
    assert '<p class="rq-answer rq-refused">无法从文档中找到</p>' in page
    assert "<h4>可能相关</h4>" in page and 'class="rq-cite"' not in page
    assert page.count('<li class="rq-source" id="rq-src-1-') == len(answer.related) > 0


def test_the_chat_streams_a_draft_then_shows_the_verified_answer(shared_small_index):
    chat = chat_handler(shared_small_index, lambda name, settings: GeneratorChoice(fake_chat("新增养老床位774张[3]。"),
                                                                            note="本地模型不可用，改用摘录"))
    updates = run_chat(chat, JIADING_BEDS, generator="local")
    pages = [page for page, _, _, _ in updates]
    assert "检索资料" in pages[0] and all(box == "" for _, _, box, _ in updates)
    assert [pending for *_, pending in updates] == [JIADING_BEDS] * (len(updates) - 1) + [""]
    drafts = [page for page in pages if render.DRAFT_LABEL in page]
    assert drafts and "新增养老床位774张[3]。" in drafts[-1]  # the generator's own text, citation unchecked
    final, turns, _, _ = updates[-1]
    assert render.DRAFT_LABEL not in final and 'href="#rq-src-1-1"' in final  # the citation, corrected to [1]
    assert '<p class="rq-note">本地模型没有安装，已改用' in final and "make model" in final
    assert len(turns) == 1 and turns[0][:2] == (JIADING_BEDS, JIADING_BEDS)


def test_a_follow_up_is_answered_from_the_earlier_question(shared_small_index):
    chat = chat_handler(shared_small_index)
    *_, (_, turns, _, _) = run_chat(chat, "嘉定2020年新增上市企业几家？")
    *_, (page, turns, _, _) = run_chat(chat, "那松江呢？", turns)
    assert page.count('<section class="rq-turn"') == 2
    assert '<p class="rq-understood">理解为：松江区2020年新增上市企业几家？</p>' in page
    assert 'id="rq-src-2-1"' in page and "新增上市企业<mark>6家</mark>" in page
    assert [asked for _, asked, _ in turns] == ["嘉定2020年新增上市企业几家？", "松江区2020年新增上市企业几家？"]


def test_generators_are_made_once_per_name_and_a_failure_is_shown(shared_small_index):
    made = []

    def make(name, settings):
        made.append(name)
        if name == "openai":
            raise InputError("the openai generator needs REPORTQA_LLM_BASE_URL")
        return GeneratorChoice(ExtractiveGenerator())

    chat = chat_handler(shared_small_index, make)
    assert made == []  # nothing is loaded before the first question
    *_, (_, turns, _, _) = run_chat(chat, JIADING_BEDS)
    *_, (_, turns, _, _) = run_chat(chat, "松江新建公园绿地多少公顷？", turns)
    assert made == ["extractive"] and len(turns) == 2
    *_, (page, after, _, _) = run_chat(chat, JIADING_BEDS, turns, generator="openai")
    assert '<p>出错：在线模型没有配置：设置 REPORTQA_LLM_BASE_URL 和 REPORTQA_LLM_MODEL' in page
    assert "<summary>详情</summary>the openai generator needs REPORTQA_LLM_BASE_URL" in page
    assert after == turns and made == ["extractive", "openai"]


def test_chat_text_is_escaped(hostile_index):
    *_, (page, _, _, _) = run_chat(chat_handler(hostile_index), "<b>嘉定</b>2020年新增了多少张养老床位？")
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;嘉定&lt;/b&gt;" in page
    assert "<script>" not in render.draft_html("<script>x</script>[1]")


def test_closing_the_stream_stops_the_generator_at_its_next_piece():
    went_on, stopped = threading.Event(), threading.Event()

    def ask(on_token):
        on_token("新增")
        went_on.wait(5)
        try:
            on_token("养老床位")
        except Exception:
            stopped.set()
            raise

    updates = handlers.stream_answer(ask)
    assert next(updates) == "新增"
    updates.close()  # the page went away
    went_on.set()
    assert stopped.wait(5)


# Chinese throughout, the source's own characters, Markdown -----------------------------------

SECTION_AS_WRITTEN = "（一）坚持人民至上，始终绷紧疫情防控之弦"


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


def test_an_answer_copies_as_markdown_with_its_numbered_sources(shared_small_index):
    answer = answerer(shared_small_index).ask(JIADING_BEDS, fake_chat("嘉定2020年新增养老床位774张[1]。"))
    copied = markdown.answer_markdown(answer)
    assert copied.startswith("嘉定2020年新增养老床位774张[1]。\n\n来源：\n\n[1] 2021年上海市示例区人民政府工作报告 · "
                             f"一、2020年工作回顾 › {SECTION_AS_WRITTEN}：{SECTION_AS_WRITTEN} 实践形成“政府主导")
    assert copied.endswith("新增养老床位774张。") and copied.count("\n[") == 1
    page = render.answered_turn_html(JIADING_BEDS, answer, 1)
    assert f'data-copy="{html.escape(copied)}">复制</button>' in page
    assert f'<section class="rq-turn" data-markdown="{html.escape(f"## 问：{JIADING_BEDS}")}\n\n' in page


def test_a_follow_up_asked_first_gets_a_hint(shared_small_index):
    made = []
    chat = chat_handler(shared_small_index, lambda name, settings: made.append(name))
    (page, turns, box, pending), = run_chat(chat, "那松江呢？")
    assert "「那松江呢？」是一个追问" in page and f"请先问一个完整的问题，例如「{wording.EXAMPLE_QUESTIONS[0]}」" in page
    assert (turns, box, pending, made) == ([], "", "", [])  # nothing asked, nothing kept
    assert not wording.looks_like_follow_up("松江新增上市企业几家？")


def test_the_example_questions_are_answered_from_the_bundled_reports(corpus_index):
    settings = Settings.from_env(index_dir=str(corpus_index), relevance_threshold=0.0)
    retriever = Retriever(SearchIndex.open(settings, BigramEmbedder()))
    for question in wording.EXAMPLE_QUESTIONS:
        answer = Answerer(retriever).ask(question, ExtractiveGenerator())
        assert not answer.refused and not wording.looks_like_follow_up(question), question
        assert {hit.place for hit in answer.citations} == set(retriever.understand(question).places), question


def test_the_chat_says_when_a_filter_overrides_the_question_or_leaves_nothing(shared_small_index):
    chat = chat_handler(shared_small_index)
    *_, (page, turns, _, _) = run_chat(chat, "松江新增上市企业几家？", place="嘉定区")
    notice = "已按筛选条件「地区：嘉定区」检索，问题问的是「松江区」；要按问题检索，请把地区改为「全部」。"
    assert f'<p class="rq-notice">{notice}</p>' in page and notice in turns[0][2]
    *_, (page, _, _, _) = run_chat(chat, "新增上市企业几家？", year="2021", doc_type="五年规划纲要")
    assert "筛选条件（报告年份：2021，文档类型：五年规划纲要）下没有段落" in page
    *_, (page, _, _, _) = run_chat(chat, "松江新增上市企业几家？", place="松江区")
    assert "rq-notice" not in page


def test_a_report_year_filter_that_overrides_the_question_says_so(shared_small_index):
    understanding = Retriever(open_index(shared_small_index)).understand("2015年报告里的养老床位")
    notices = wording.filter_notices(understanding, (), handlers.search_filters(handlers.ALL, "2021", handlers.ALL), True)
    assert notices == ["已按筛选条件「报告年份：2021」检索，问题问的是「2015年的报告」；要按问题检索，请把报告年份改为「全部」。"]


def test_what_was_understood_is_said_in_chinese(shared_small_index):
    retriever = Retriever(open_index(shared_small_index))
    described = wording.understood_text(retriever.understand("嘉定和松江2021年的GDP增速目标分别是多少？"))
    assert described == "类型：比较；地区：嘉定区、松江区；年份：2021；问：目标；同义扩展：地区生产总值、生产总值、增加值"


def test_a_failing_online_model_is_explained_in_chinese_with_the_fix(shared_small_index):
    from browser import free_port

    search_index = open_answerable(shared_small_index)
    offline = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    settings = dataclasses.replace(search_index.settings, llm_base_url=offline, llm_model="qwen")
    chat = handlers.make_chat(Answerer(Retriever(search_index)), handlers.GeneratorPool(settings))
    *_, (page, turns, _, pending) = run_chat(chat, JIADING_BEDS, generator="openai")
    shown = re.search(r'<div class="rq-error"><p>(.*?)</p><details><summary>详情</summary>', page).group(1)
    assert shown == (f"出错：连不上在线模型（{offline}）：检查服务是否在运行、REPORTQA_LLM_BASE_URL 是否正确，"
                     "或在「回答方式」中改选「本地模型」「原文摘录」。")
    assert (turns, pending) == ([], "")


def test_stopping_marks_the_question_being_answered_as_stopped(shared_small_index):
    *_, (_, turns, _, _) = run_chat(chat_handler(shared_small_index), JIADING_BEDS)
    page, pending = handlers.stopped(turns, "松江新增上市企业几家？")
    assert page.count('<section class="rq-turn"') == 2 and pending == ""
    assert '<div class="rq-user">松江新增上市企业几家？</div><div class="rq-reply"><p class="rq-notice">已停止回答。</p>' in page
    assert handlers.stopped(turns, "") == (render.conversation_html([turns[0][2]]), "")


def test_library_notes_are_in_chinese():
    assert wording.library_note("title says 2021, content says 2012") == "标题写的是2021年，正文是2012年"
