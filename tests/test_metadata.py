from conftest import SMALL_REPORT

from reportqa.ingest.metadata import (
    BUDGET,
    INFOGRAPHIC,
    NEWS,
    PLAN,
    REPORT,
    STATISTICS,
    infer_document_facts,
    plan_period,
    paragraph_period,
    reviewed_plan,
    section_period,
)


def test_year_comes_from_content_not_a_wrong_title():
    body = "各位代表:现在,我代表杨浦区人民政府报告工作。 一、过去五年工作回顾五年来成绩显著。 三、2012年主要任务2012年是重要的一年。"
    facts = infer_document_facts(body, ["一、过去五年工作回顾", "三、2012年主要任务2012年"], "【杨浦区招商】2021年杨浦区政府工作报告")
    assert (facts.district, facts.year, facts.doc_type) == ("杨浦区", 2012, REPORT)
    assert facts.title == "2012年杨浦区政府工作报告"
    assert facts.source_title == "2021年杨浦区政府工作报告"
    assert facts.notes == ("标题写的是2021年，正文是2012年",)


def test_report_with_a_title_line():
    facts = infer_document_facts(SMALL_REPORT, ["一、2020年工作回顾", "二、2021年主要任务"], None)
    assert (facts.title, facts.district, facts.year, facts.doc_type) == (
        "2021年上海市示例区人民政府工作报告", "嘉定区", 2021, REPORT)


def test_untitled_infographic_gets_district_and_year_from_its_content():
    body = "区六届人大八次会议\n\n2020年工作回顾\n\n金山区地区生产总值从2015年的**766.2亿元**增加到**1100亿元**，增长**7.7%**，金山铁路加快建设。"
    facts = infer_document_facts(body, ["2020年工作回顾"], None)
    assert (facts.district, facts.year, facts.doc_type) == ("金山区", 2021, INFOGRAPHIC)
    assert facts.title == "2021年金山区政府工作报告（图解）"


def test_plan_title_and_year_from_its_name():
    body = " 前 言\n\n《上海市金山区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》是宏伟蓝图。"
    facts = infer_document_facts(body, ["前言"], None)
    assert facts.doc_type == PLAN and facts.year == 2021 and facts.district == "金山区"
    assert facts.title == "上海市金山区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"


def test_listing_entry_without_report_signals_is_news():
    facts = infer_document_facts("某集团将科技创新作为核心动力。", [], "【上海招商】某集团深化科技强港战略")
    assert facts.doc_type == NEWS and facts.district is None and facts.year is None


def test_a_passage_continuing_a_paragraph_opened_on_the_past_five_years_reviews_them():
    text = "一、2015年工作回顾\n2015年是收官之年。过去五年，成就举世瞩目。一是经济发展。五是农村贫困人口减少1亿多。\n今年…"
    assert paragraph_period(text, text.index("五是")) == "过去五年"
    assert paragraph_period(text, text.index("2015年是")) is None  # the paragraph's own start: read in the passage
    assert paragraph_period(text, text.index("今年")) is None
    later = "一、2015年工作回顾\n第一句。第二句。第三句说过去五年。又一句。"
    assert paragraph_period(later, later.index("又一句")) is None  # not in its first two sentences


def test_a_plan_section_opening_on_an_earlier_plan_or_five_years_looks_back_on_it():
    assert reviewed_plan("“十三五”时期是金山发展质量最好的五年。五年来,成绩显著。", "十四五") == "十三五"
    assert reviewed_plan("五年来,面对错综复杂的外部形势,全区较好完成目标任务。", "十四五") == "十三五"
    assert reviewed_plan("“十四五”时期是开启新征程的第一个五年。", "十四五") is None  # its own plan: ahead
    assert reviewed_plan("到2025年,地区生产总值年均增长6%左右。", "十四五") is None
    assert reviewed_plan("第一句。第二句。第三句说五年来。", "十四五") is None
    assert reviewed_plan("五年来,成绩显著。", None) is None


def test_section_period_reads_the_innermost_heading_that_names_one():
    assert section_period(("一、2020年工作回顾", "(二)抓牢发展第一要务")) == ("2020", "actual")
    assert section_period(("三、2021年主要任务",)) == ("2021", "target")
    assert section_period(("二、关于《纲要》", "(三)“十四五”奋斗目标")) == ("十四五", "plan")
    assert section_period(("前言",)) == (None, None)
    assert section_period(("三、全力以赴做好“十四五”开局工作",), 2021) == ("2021", "target")
    assert section_period(("一、过去一年工作",), 2021) == ("2020", "actual")
    assert section_period(("二、关于《嘉定区第十四个五年规划纲要》的说明",), 2021) == ("十四五", "plan")
    assert plan_period("金山区国民经济和社会发展第十四个五年规划纲要") == "十四五"


def test_a_province_is_the_place_of_its_own_report_whatever_its_body_mentions():
    body = ("——2025年1月20日在安徽省第十四届人民代表大会第四次会议上\n各位代表：\n"
            "坚持绿水青山就是金山银山，金山银山……\n一、2024年工作回顾\n全省生产总值增长5.8%。")
    facts = infer_document_facts(body, ["一、2024年工作回顾"], None)
    assert (facts.place, facts.place_level, facts.district, facts.year) == ("安徽省", "province", None, 2025)


def test_the_state_councils_report_is_national():
    body = "各位代表：\n现在，我代表国务院，向大会报告政府工作。\n一、2023年工作回顾\n国内生产总值增长5.2%。"
    facts = infer_document_facts(body, ["一、2023年工作回顾"], "2024年国务院政府工作报告")
    assert (facts.place, facts.place_level, facts.year, facts.doc_type) == ("全国", "national", 2024, REPORT)


def test_a_statistical_bulletin_is_typed_and_placed_by_its_title():
    facts = infer_document_facts("2024年，全省地区生产总值增长5.2%。", [], "【统计】广东省2024年国民经济和社会发展统计公报")
    assert (facts.doc_type, facts.place, facts.place_level) == (STATISTICS, "广东省", "province")


def test_a_district_named_often_in_a_news_item_is_not_its_issuer():
    facts = infer_document_facts("嘉定区举办展会。嘉定区企业参展，嘉定的客商……", [], "【上海招商】嘉定新能源汽车展开幕")
    assert facts.doc_type == NEWS and facts.place is None and facts.district is None


def test_a_budget_report_is_typed_and_placed_by_its_title():
    title = "关于苏州市2024年预算执行情况和2025年预算草案的报告"
    facts = infer_document_facts("各位代表：受市人民政府委托，现将……", [], title)
    assert (facts.doc_type, facts.place, facts.place_level) == (BUDGET, "苏州市", "city")


def test_a_file_named_like_a_title_titles_a_report_whose_own_title_gives_no_year():
    body = "政府工作报告\n\n各位代表：\n现在，我代表国务院，向大会报告政府工作。\n一、过去五年工作回顾\n五年来……"
    facts = infer_document_facts(body, ["一、过去五年工作回顾"], None, file_title="2018年国务院政府工作报告")
    assert (facts.title, facts.year, facts.place, facts.place_level) == ("2018年国务院政府工作报告", 2018, "全国", "national")
    hashed = infer_document_facts(body, ["一、过去五年工作回顾"], None, file_title="000_3a508674bb74eac6")
    assert hashed.title == "政府工作报告" and hashed.year is None
