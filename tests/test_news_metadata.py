"""News and untitled documents: no year, type or issuer guessed from a word or a date in the body.

Ingested news showed the guesses misfiring: a year taken from any date near the start (1958), 图解 or
政府工作报告 assigned because the word occurs in the body, and the type 其他 put before every passage as
if it were a title. A document that does not say who issued it or which year it is gets none.
"""

import pytest

from reportqa.ingest.metadata import NEWS, OTHER, PLAN, REPORT, infer_document_facts
from reportqa.ingest.pipeline import ingest
from reportqa.settings import Settings
from reportqa.text import search_form

LISTING = """• 【上海招商】百年老厂房变身科创园区
嘉定讯 1958年9月1日建成投产的原上海某机床厂，经过两年改造，近日以科创园区的新面貌亮相。园区负责人介绍，改造方案参考了建厂时的图纸，保留了锯齿形屋顶和行车梁。
园区入口的展板以图解形式介绍了园区的产业定位和招商政策，目前已有32家企业签约入驻。
2024-05-10 09:30
• 【上海招商】新能源汽车产业链再添新项目
2025年1月14日在上海市嘉定区第七届人民代表大会第五次会议上，区长作政府工作报告时提出，要打造具有全球影响力的新能源汽车产业集群。
今年以来，区内新签约汽车产业项目18个，总投资超过120亿元。
2025-03-02 14:05
"""

UNTITLED = """1月14日，在广东省第十四届人民代表大会第三次会议上，省长作政府工作报告时指出，要加快建设现代化产业体系。

始建于1958年10月1日的广州某造船厂旧址，如今已是珠江边的文创街区，周末客流超过2万人次。

街区负责人表示，将继续引进设计、动漫等文创企业，打造湾区文化新地标。
"""

PLAIN = "街区负责人表示，将继续引进设计、动漫等文创企业。\n\n周末客流超过2万人次，夜间消费增长三成。\n"


def test_listed_news_takes_no_year_type_or_place_from_its_body(write_file):
    result = ingest([str(write_file("listing.txt", LISTING))], Settings())
    facts = [(doc.title, doc.doc_type, doc.year, doc.place, doc.district) for doc in result.documents]
    assert facts == [("百年老厂房变身科创园区", NEWS, None, None, None),
                     ("新能源汽车产业链再添新项目", NEWS, None, None, None)]
    assert all(chunk.index_text.startswith(("百年老厂房", "新能源汽车")) for chunk in result.chunks)


@pytest.mark.parametrize("text", [UNTITLED, PLAIN], ids=["mentions", "plain"])
def test_an_untitled_item_is_other_and_its_passages_have_no_title_before_them(text, write_file):
    result = ingest([str(write_file("000_5f1c2a.txt", text))], Settings())
    (document,) = result.documents
    assert (document.title, document.doc_type, document.year, document.place) == ("", OTHER, None, None)
    assert document.source_title is None and document.notes == ()
    assert result.chunks and all(chunk.index_text == search_form(text[chunk.char_start:chunk.char_end])
                                 for chunk in result.chunks)
    assert not any(chunk.index_text.startswith(OTHER) for chunk in result.chunks)


def test_a_news_titles_year_is_not_the_documents():
    facts = infer_document_facts("老厂房改造后焕发新生。", [], "【上海招商】1958年建成的老厂房焕新")
    assert (facts.doc_type, facts.year, facts.notes) == (NEWS, None, ())


def test_a_date_that_is_no_congress_line_gives_no_year():
    body = "发布时间：2023年6月8日\n\n区政府工作报告提出，今年要新建公园10座。各位市民可登录网站查看。"
    facts = infer_document_facts(body, [], None)
    assert (facts.doc_type, facts.year, facts.title, facts.place) == (OTHER, None, "", None)


def test_words_in_the_body_do_not_type_a_document():
    infographic = infer_document_facts("本文用图解的方式介绍新政。图解一：补贴标准。", [], "【上海招商】一文读懂新政")
    plan = infer_document_facts("近日，《某区国民经济和社会发展第十四个五年规划纲要》中期评估完成。", [], "【上海招商】规划评估")
    assert (infographic.doc_type, plan.doc_type) == (NEWS, NEWS)
    assert infer_document_facts("全市认真落实政府工作报告部署的各项任务。", [], None).doc_type == OTHER


def test_a_report_still_says_what_it_is():
    titled = infer_document_facts("各位代表：过去一年……", [], "【嘉定区招商】2021年嘉定区政府工作报告")
    opening = infer_document_facts("各位代表：\n现在，我代表国务院，向大会报告政府工作。\n一、2023年工作回顾", ["一、2023年工作回顾"], None)
    plan = infer_document_facts("前言\n\n《某省国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》是宏伟蓝图。", ["前言"], None)
    assert (titled.doc_type, titled.year, titled.place) == (REPORT, 2021, "嘉定区")
    assert (opening.doc_type, opening.year, opening.title) == (REPORT, 2024, "2024年国务院政府工作报告")
    assert (plan.doc_type, plan.year) == (PLAN, 2021)
