"""What the pages say in Chinese: labels, the 理解 line, filter notices, example questions, library notes."""

import re

from conftest import open_index
from fakes import BigramEmbedder

from reportqa.answer.generation import ExtractiveGenerator
from reportqa.answer.pipeline import Answerer, is_follow_up
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings
from reportqa.ui import handlers, web, wording
from reportqa.ui.catalogue import document_entries
from reportqa.ui.library_page import library_rows


def test_answer_writers_are_labelled_in_chinese_and_the_online_one_offered_only_when_configured():
    assert web.generator_choices(Settings()) == [("本地模型", "local"), ("原文摘录", "extractive")]
    online = Settings(llm_base_url="http://127.0.0.1:8000/v1", llm_model="qwen")
    assert web.generator_choices(online) == [("本地模型", "local"), ("在线模型", "openai"), ("原文摘录", "extractive")]


def test_the_example_questions_are_answered_from_the_bundled_reports(corpus_index):
    settings = Settings.from_env(index_dir=str(corpus_index), relevance_threshold=0.0)
    retriever = Retriever(SearchIndex.open(settings, BigramEmbedder()))
    for question in wording.EXAMPLE_QUESTIONS:
        answer = Answerer(retriever).ask(question, ExtractiveGenerator())
        assert not answer.refused and not is_follow_up(question), question
        assert {hit.place for hit in answer.citations} == set(retriever.understand(question).places), question


def test_a_report_year_filter_that_overrides_the_question_says_so(shared_small_index):
    understanding = Retriever(open_index(shared_small_index)).understand("2015年报告里的养老床位")
    notices = wording.filter_notices(understanding, (), handlers.search_filters(handlers.ALL, "2021", handlers.ALL), True)
    assert notices == ["已按筛选条件「报告年份：2021」检索，问题问的是「2015年的报告」；要按问题检索，请把报告年份改为「全部」。"]


def test_what_was_understood_is_said_in_chinese(shared_small_index):
    retriever = Retriever(open_index(shared_small_index))
    described = wording.understood_text(retriever.understand("嘉定和松江2021年的GDP增速目标分别是多少？"))
    assert described == "类型：比较；地区：嘉定区、松江区；年份：2021；问：目标；同义扩展：地区生产总值、生产总值、增加值"


def test_library_notes_are_in_chinese(corpus_index):
    notes = [row[-1] for row in library_rows(document_entries(open_index(corpus_index))) if row[-1]]
    assert "标题写的是2021年，正文是2012年" in notes  # as ingest writes it: the title's year is wrong
    assert not [note for note in notes if re.search("[A-Za-z]", note)]
