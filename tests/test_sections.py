from conftest import SMALL_REPORT

from reportqa.ingest.cleaning import classify_lines
from reportqa.ingest.sections import find_outline


def outline_of(text):
    return find_outline(text, classify_lines(text, 0, len(text)))


def labels(text):
    return [(h.level, h.label) for h in outline_of(text).headings]


def test_line_headings_and_fake_headings_inside_sentences():
    found = labels(SMALL_REPORT)
    assert found == [
        (1, "一、2020年工作回顾"),
        (2, "(一)坚持人民至上,始终绷紧疫情防控之弦"),
        (2, "(二)抓牢发展第一要务"),
        (1, "二、2021年主要任务"),
        (2, "(一)着力推动新旧动能转换"),
    ]


def test_inline_headings_in_a_one_line_report_with_glued_text():
    text = ("各位代表:现在,我代表区人民政府报告工作。 一、2020年工作回顾过去一年,我们奋力前行。 "
            "(一)新冠肺炎疫情防控取得阶段性成果打好疫情防控阻击战。实现“政府主导、办企合 一、市场化运作”。"
            "上海国际时尚中心 一、二期竣工。 (二)经济保持良好势头稳增长力度加大。精简、统 一、效能。"
            " 二、2021年主要任务今年是开局之年。 (一)主动服务新发展格局。强化两大国家战略。")
    found = labels(text)
    assert found == [
        (1, "一、2020年工作回顾"),
        (2, "(一)新冠肺炎疫情防控取得阶段性成果打好疫情防控阻击战"),
        (2, "(二)经济保持良好势头稳增长力度加大"),
        (1, "二、2021年主要任务"),
        (2, "(一)主动服务新发展格局"),
    ]


def test_numerals_must_run_in_sequence():
    text = "一、总体要求\n\n正文。\n\n三、不连续的编号\n\n推进区属 二、三级企业改革。\n\n二、第二部分\n\n正文。"
    assert [label for _, label in labels(text)] == ["一、总体要求", "二、第二部分"]


def test_letter_spaced_and_keyword_headings_sit_at_the_top_level():
    text = " 前 言\n\n岁月静好。\n\n 一、坚持一张蓝图\n\n正文。\n\n 结 语\n\n展望未来。\n\n附录：有关名词解释\n\n1.五个中心：国际经济、金融中心。\n\n2.两网融合：指两个网络有效衔接。"
    outline = outline_of(text)
    assert [(h.level, h.label) for h in outline.headings] == [
        (1, "前言"), (1, "一、坚持一张蓝图"), (1, "结语"), (1, "附录:有关名词解释"), (3, "1.五个中心"), (3, "2.两网融合"),
    ]
    assert outline.breadcrumb_at(text.index("岁月")) == ("前言",)
    assert outline.breadcrumb_at(text.index("指两个网络")) == ("附录:有关名词解释", "2.两网融合")


def test_heading_wrapped_over_two_pdf_lines_is_joined():
    body = "深入实施创新驱动发展战略，坚持引进和培育双向发力，强"
    lines = [body] * 6 + [" 二、强化高端引领，着力建设打响“上海制造”品牌重要承", "载区"] + [body] * 6
    lines[5] = "发展。"
    text = "\n\n".join([" 一、总体要求"] + lines)
    assert labels(text)[1] == (1, "二、强化高端引领,着力建设打响“上海制造”品牌重要承载区")


def test_box_nests_under_its_section_and_ends_at_body_width():
    body = "深入实施创新驱动发展战略，坚持引进和培育双向发力，强"
    box = "“一中心”：上海湾区科创中心与清华大学合作成立学生创新创业基地和"
    lines = ["（一）巩固新成效"] + [body] * 8 + ["发展。", "专栏 1 “一中心、一基地、八平台”", box, box, "平台。", body, body, "发展。"]
    text = "\n\n".join(lines)
    outline = outline_of(text)
    (scope,) = outline.boxes
    inside = text.index("“一中心”：")
    after = text.index(body, inside + len(box) * 2)
    assert outline.breadcrumb_at(inside) == ("(一)巩固新成效", "专栏1“一中心、一基地、八平台”")
    assert scope.end == after
    assert outline.breadcrumb_at(after) == ("(一)巩固新成效",)
