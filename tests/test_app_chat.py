"""The chat page: answers streamed as drafts then verified, their sources, follow-ups, filters,
copying, stopping, and what it says when an answer fails."""

import dataclasses
import html
import re
import threading

from conftest import SECTION_AS_WRITTEN
from fakes import BigramEmbedder
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from reportqa.answer import generation
from reportqa.answer.generation import ChatGenerator, ExtractiveGenerator, GeneratorChoice
from reportqa.answer.pipeline import Answerer, is_follow_up
from reportqa.errors import InputError
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings
from reportqa.ui import handlers, markdown, render, wording
from reportqa.ui.answering import answer_events

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

    updates = answer_events(ask)
    assert next(updates) == "新增"
    updates.close()  # the page went away
    went_on.set()
    assert stopped.wait(5)


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
    assert not is_follow_up("松江新增上市企业几家？")  # short, but asked first it stands alone


def test_the_chat_says_when_a_filter_overrides_the_question_or_leaves_nothing(shared_small_index):
    chat = chat_handler(shared_small_index)
    *_, (page, turns, _, _) = run_chat(chat, "松江新增上市企业几家？", place="嘉定区")
    notice = "已按筛选条件「地区：嘉定区」检索，问题问的是「松江区」；要按问题检索，请把地区改为「全部」。"
    assert f'<p class="rq-notice">{notice}</p>' in page and notice in turns[0][2]
    *_, (page, _, _, _) = run_chat(chat, "新增上市企业几家？", year="2021", doc_type="五年规划纲要")
    assert "筛选条件（报告年份：2021，文档类型：五年规划纲要）下没有段落" in page
    *_, (page, _, _, _) = run_chat(chat, "松江新增上市企业几家？", place="松江区")
    assert "rq-notice" not in page


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
