from reportqa.question import understand
from reportqa.search import Hit
from reportqa.verify import REFUSAL, figures, verify


def hit(text, district="嘉定区", year=2021, period="2020", n=0):
    return Hit(n + 1, 0.0, f"c{n}", "d", f"{year}年{district}政府工作报告", district, year, "政府工作报告", ("一、",),
               text, "f.txt", 0, len(text), period)


JIADING = hit("一般公共预算收入完成220.4亿元，同比下降18.6%。新增养老床位774张。", n=0)
SONGJIANG = hit("一般公共预算收入完成220.9亿元。新增养老床位550张。", district="松江区", n=1)
JIADING_TARGETS = hit("2021年主要预期目标是：一般公共预算收入增长5%以上。", period="2021", n=2)


def test_figures_are_whole_numbers_in_canonical_form():
    assert figures("完成２２０.４０亿元，增长18.6%，共1,234户，1774张") == ["220.4", "18.6", "1234", "1774"]
    assert "774" not in figures("新增1774张")


def test_a_backed_answer_keeps_its_citation():
    checked = verify("嘉定2020年新增养老床位774张[1]。", [JIADING, SONGJIANG], understand("嘉定2020年新增多少养老床位？"))
    assert not checked.refused
    assert checked.text == "嘉定2020年新增养老床位774张[1]。"
    assert checked.cited == (JIADING,)


def test_a_wrong_citation_is_moved_to_the_passage_that_holds_the_figure():
    question = understand("2020年一般公共预算收入是多少？")
    checked = verify("一般公共预算收入完成220.4亿元[1]。", [SONGJIANG, JIADING], question)
    assert checked.text == "一般公共预算收入完成220.4亿元[1]。"
    assert checked.cited == (JIADING,) and checked.reattributed == 1


def test_an_invented_figure_drops_its_sentence_and_alone_becomes_a_refusal():
    question = understand("嘉定2020年新增了多少张养老床位？")
    checked = verify("新增养老床位774张[1]。另新建社区食堂35家[1]。", [JIADING], question)
    assert checked.text == "新增养老床位774张[1]。"
    assert checked.dropped and "35" in checked.dropped[0][1]
    refused = verify("新增养老床位800张[1]。", [JIADING], question)
    assert refused.refused and refused.text == REFUSAL and refused.cited == ()


def test_a_figure_from_another_district_does_not_count():
    question = understand("嘉定2020年新增了多少张养老床位？")
    checked = verify("嘉定新增养老床位550张[1]。", [SONGJIANG, JIADING], question)
    assert checked.refused


def test_a_passage_about_another_year_cannot_back_a_figure():
    question = understand("嘉定2020年一般公共预算收入增长了多少？")
    assert verify("增长5%[1]。", [JIADING_TARGETS], question).refused
    assert not verify("下降18.6%[1]。", [JIADING], question).refused


def test_figures_from_the_question_need_no_support():
    checked = verify("2020年嘉定新增养老床位774张[1]。", [JIADING], understand("2020年嘉定新增多少养老床位？"))
    assert checked.text.startswith("2020年") and not checked.refused


def test_sentences_without_figures_get_the_closest_passage_or_are_dropped():
    question = understand("嘉定的养老服务怎么样？")
    checked = verify("嘉定新增了养老床位。天气很好。", [SONGJIANG, JIADING], question)
    assert checked.text == "嘉定新增了养老床位[1]。" and checked.cited == (JIADING,)


def test_citations_are_renumbered_in_order_of_first_use():
    question = understand("2020年一般公共预算收入和养老床位")
    checked = verify("收入220.4亿元[2]。床位774张[2]。", [SONGJIANG, JIADING], question)
    assert checked.text == "收入220.4亿元[1]。床位774张[1]。"
    both = verify("嘉定220.4亿元[1]。松江220.9亿元[2]。", [JIADING, SONGJIANG], understand("嘉定和松江的收入"))
    assert both.text == "嘉定220.4亿元[1]。松江220.9亿元[2]。" and both.cited == (JIADING, SONGJIANG)


def test_placeholder_marks_are_removed():
    checked = verify("220.4亿元[n][1]。", [JIADING], understand("嘉定2020年一般公共预算收入是多少？"))
    assert checked.text == "220.4亿元[1]。"


def test_a_citation_after_the_full_stop_belongs_to_the_sentence_before():
    checked = verify("嘉定新增养老床位774张。[1]", [SONGJIANG, JIADING], understand("嘉定新增多少养老床位？"))
    assert checked.text == "嘉定新增养老床位774张[1]。" and checked.cited == (JIADING,)


def test_a_sentence_about_another_year_than_asked_is_dropped():
    plan = hit("力争2025年达到300亿元。", period="十四五", n=3)
    checked = verify("新增养老床位774张[1]。力争2025年达到300亿元[2]。", [JIADING, plan],
                     understand("嘉定2020年新增多少养老床位？"))
    assert checked.text == "新增养老床位774张[1]。" and "2025" in checked.dropped[0][1]


def test_a_percentage_does_not_back_the_same_number_in_another_unit():
    pm = hit("PM2.5平均浓度同比下降13.5%。", n=4)
    question = understand("嘉定区2020年PM2.5年均浓度是多少微克每立方米？")
    assert verify("浓度是13.5微克每立方米[1]。", [pm], question).refused
    assert not verify("浓度下降13.5%[1]。", [pm], question).refused


def test_a_comparison_sentence_cites_each_side_and_each_side_its_own_district():
    question = understand("嘉定和松江2020年各新增多少养老床位？")
    checked = verify("嘉定新增774张，松江新增550张[1]。", [JIADING, SONGJIANG], question)
    assert checked.text == "嘉定新增774张，松江新增550张[1][2]。"
    # A figure said of 松江 but found only in 嘉定's passage does not count.
    assert verify("松江新增774张[1]。", [JIADING, SONGJIANG], question).refused
