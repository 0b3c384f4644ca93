import pytest
from fakes import make_hit
from fakes import shanghai_understand as understand

from reportqa.answer.compare import conclusion
from reportqa.answer.prompts import REFUSAL
from reportqa.answer.verify import verify
from reportqa.text import figures


def hit(text, district="嘉定区", year=2021, period="2020", n=0):
    return make_hit(text, district, year, period, n)


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


@pytest.mark.parametrize("text, question, other_unit, percentage", [
    ("PM2.5平均浓度同比下降13.5%。", "嘉定区2020年PM2.5年均浓度下降了多少？",
     "浓度是13.5微克每立方米[1]。", "浓度下降13.5%[1]。"),
    ("预计地区生产总值增长3.8%。一般公共预算收入实现583.1亿元。", "嘉定2020年地区生产总值增长了多少？",
     "嘉定2020年地区生产总值是3.8亿元[1]。", "地区生产总值增长3.8%[1]。"),
])
def test_a_percentage_does_not_back_the_same_number_in_another_unit(text, question, other_unit, percentage):
    passage = hit(text, n=4)
    assert verify(other_unit, [passage], understand(question)).refused
    assert not verify(percentage, [passage], understand(question)).refused


@pytest.mark.parametrize("question", ["嘉定区2020年PM2.5年均浓度是多少微克每立方米？", "嘉定2020年地区生产总值是多少？"])
def test_a_rate_does_not_answer_a_question_asking_an_amount(question):
    passage = hit("PM2.5平均浓度同比下降13.5%。预计地区生产总值增长3.8%。", n=4)
    for answer in ("PM2.5浓度下降13.5%[1]。", "地区生产总值增长3.8%[1]。"):
        assert verify(answer, [passage], understand(question)).refused


def test_a_comparison_sentence_cites_each_side_and_each_side_its_own_district():
    question = understand("嘉定和松江2020年各新增多少养老床位？")
    checked = verify("嘉定新增774张，松江新增550张[1]。", [JIADING, SONGJIANG], question)
    assert checked.text == "嘉定新增774张，松江新增550张[1][2]。"
    # A figure said of 松江 but found only in 嘉定's passage does not count.
    assert verify("松江新增774张[1]。", [JIADING, SONGJIANG], question).refused


def test_a_figure_its_passage_ties_to_another_year_does_not_back_the_asked_year():
    plan = hit("到2025年,养老机构床位总数达到8267张。2021年新增养老床位300张。", period="十四五", n=6)
    question = understand("嘉定2021年计划新增多少张养老床位？")
    assert verify("嘉定2021年计划新增8267张养老床位[1]。", [plan], question).refused
    assert verify("新增养老床位300张[1]。", [plan], question).text == "新增养老床位300张[1]。"
    # A baseline year (比2015年) is not the year a figure is about.
    review = hit("2020年高新技术企业达到942家,比2015年增加500家。", period="2020", n=7)
    assert not verify("共942家[1]。", [review], understand("嘉定2020年有多少家高新技术企业？")).refused


def test_a_review_of_the_past_five_years_does_not_back_the_coming_year():
    past = hit("新增养老床位3317张。", year=2012, period="过去五年", n=8)
    coming = hit("新增养老床位200张。", year=2012, period="2012", n=9)
    question = understand("嘉定2012年计划新增多少张养老床位？")
    assert verify("新增3317张[1]。", [past, coming], question).refused
    assert verify("新增200张[1]。", [past, coming], question).cited == (coming,)


def test_a_quoted_name_must_be_in_a_cited_passage_and_moves_the_citation_there():
    app = hit("区级移动端政务服务旗舰店“靠普办”在全市率先实现三端输出。", n=10)
    other = hit("扩大网上办理受众面，提供更多特色服务。", n=11)
    question = understand("嘉定区级的移动端政务服务旗舰店叫什么？")
    checked = verify("旗舰店叫“靠普办”[1]。", [other, app], question)
    assert checked.text == "旗舰店叫“靠普办”[1]。" and checked.cited == (app,)
    assert verify("旗舰店叫“嘉好办”[1]。", [other, app], question).refused


def test_a_sentence_without_figures_cites_the_passage_with_the_closest_sentence():
    long_passage = hit("嘉定的服务很多。" * 5 + "养老服务扎实推进。", n=12)
    close = hit("区级旗舰店“我嘉”上线运行,企业群众办事更便捷。", n=13)
    checked = verify("嘉定的旗舰店上线运行，办事更便捷[1]。", [long_passage, close], understand("嘉定的旗舰店怎么样？"))
    assert checked.cited == (close,) and checked.reattributed == 1


def test_citation_wordings_are_reduced_to_the_marker():
    checked = verify("新增养老床位774张，资料编号为[1]。", [JIADING], understand("嘉定2020年新增多少养老床位？"))
    assert checked.text == "新增养老床位774张[1]。"
    assert verify("新增774张（资料[1]）。", [JIADING], understand("嘉定新增多少养老床位？")).text == "新增774张[1]。"


def test_an_unsupported_year_put_before_a_supported_figure_is_left_out():
    review = hit("扎实开展两轮环境综合整治,累计投入301.7亿元。", period="十四五", n=14)
    checked = verify("2019年两轮环境综合整治共投入301.7亿元[1]。", [review], understand("“十三五”期间嘉定两轮环境整治投了多少钱？"))
    assert checked.text == "两轮环境综合整治共投入301.7亿元[1]。"


def test_the_year_of_the_cited_report_backs_a_mention_of_that_report():
    checked = verify("2021年嘉定区政府工作报告中提到，新增养老床位774张[1]。", [JIADING], understand("嘉定新增多少养老床位？"))
    assert not checked.refused


def test_a_which_is_more_comparison_gets_its_conclusion_from_the_verified_figures():
    question = understand("2020年嘉定和松江谁新增的养老床位多？")
    assert conclusion("嘉定新增774张[1]。松江新增550张[2]。", question) == "嘉定更多。"
    assert conclusion("嘉定PM2.5浓度34微克[1]。松江32微克[2]。", understand("嘉定和松江哪个PM2.5浓度更低？")) == "松江更低。"
    assert conclusion("嘉定新增774张[1]。", question) == ""
    assert conclusion("嘉定增长5%[1]。松江550张[2]。", question) == ""


def test_a_year_alone_is_no_answer_to_a_figure_question():
    review = hit("地区生产总值2017年首破千亿元大关。", period="十四五", n=15)
    question = understand("嘉定2020年地区生产总值总量是多少亿元？")
    assert verify("嘉定2020年地区生产总值总量是2017年首破千亿元大关[1]。", [review], question).refused
    assert verify("地区生产总值2017年首破千亿元大关[1]。", [review], understand("嘉定地区生产总值总量是多少亿元？")).refused


def test_a_wrong_leading_year_on_a_held_figure_is_left_out():
    review = hit("嘉定铁路年乘客数达到1110万人次,较“十二五”末提高34.9%。", period="十四五", n=16)
    checked = verify("2015年嘉定铁路年乘客数为1110万人次[1]。", [review], understand("“十三五”末嘉定铁路一年能运送多少乘客？"))
    assert checked.text == "嘉定铁路年乘客数为1110万人次[1]。"


def test_a_preamble_and_a_repeated_sentence_are_left_out():
    checked = verify("根据资料[1]，新增养老床位774张。新增养老床位774张[1]。", [JIADING], understand("嘉定新增多少养老床位？"))
    assert checked.text == "新增养老床位774张[1]。"


def test_a_sentence_naming_two_districts_needs_a_passage_from_each():
    question = understand("嘉定和松江2020年各新增多少养老床位？")
    assert verify("嘉定和松江各新增550张[1]。", [JIADING, SONGJIANG], question).refused
    both = verify("嘉定和松江都新增养老床位[1]，各为550张。", [JIADING, hit("新增养老床位550张。", n=17)], question)
    assert both.refused
    same = hit("新增养老床位550张。", district="嘉定区", n=18)
    assert verify("嘉定和松江都是550张[1]。", [same, SONGJIANG], question).cited == (same, SONGJIANG)


def test_a_looping_sentence_is_cut_where_it_starts_repeating():
    looped = "体系由保障性租赁住房、公共租赁住房、廉租房、经济适用房“四位一体”住房保障体系由保障性租赁住房、公共租赁住房[1]。"
    checked = verify("“四位一体”住房保障" + looped, [hit("“四位一体”住房保障体系由保障性租赁住房、公共租赁住房、廉租房、经济适用房组成。", n=19)],
                     understand("嘉定“四位一体”住房保障体系由哪些房子构成？"))
    assert checked.text == "“四位一体”住房保障体系由保障性租赁住房、公共租赁住房、廉租房、经济适用房[1]。"


def test_a_count_must_be_of_the_thing_the_passage_counts():
    passage = hit("新增6家跨国公司地区总部，实到外资增长10.22%。新增养老床位774张。", district="普陀区", n=0)
    question = understand("普陀2020年新增了多少家高新技术企业？")
    assert verify("普陀2020年新增了6家高新技术企业[1]。", [passage], question).refused
    backed = verify("普陀2020年新增了6家跨国公司总部[1]。", [passage], understand("普陀2020年新增了多少家总部？"))
    assert not backed.refused and "6家" in backed.text
    # Only the sentence holding the figure counts: 「养老床位」 elsewhere in the passage does not back 6张.
    assert verify("新增6张养老床位[1]。", [passage], understand("普陀2020年新增了多少张床位？")).refused


def test_across_several_years_a_sentence_is_backed_only_by_a_passage_about_its_year():
    review_2020 = hit("新增养老床位774张。", period="2020", n=0)
    question = understand("嘉定2019年和2020年各新增多少养老床位？")
    assert not verify("2020年新增养老床位774张[1]。", [review_2020], question).refused
    assert verify("2019年新增养老床位774张[1]。", [review_2020], question).refused


def test_an_answer_that_is_a_passage_label_is_no_answer():
    question = understand("嘉定哪家企业拿到了中国专利金奖？")
    checked = verify("嘉定拿到中国专利金奖的是[1]《2021年嘉定区政府工作报告》一、", [JIADING], question)
    assert checked.refused
    # Naming the report beside a real statement is kept.
    kept = verify("据《2021年嘉定区政府工作报告》，嘉定2020年新增养老床位774张[1]。", [JIADING],
                  understand("嘉定2020年新增多少养老床位？"))
    assert not kept.refused and "774" in kept.text
