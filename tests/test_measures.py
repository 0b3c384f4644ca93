"""The verifier shows a figure only when it measures what was asked: passages where the right figure's
neighbour is another indicator, period, year or kind of quantity."""

import pytest
from fakes import make_hit
from fakes import shanghai_understand as understand

from reportqa.answer.measures import measured
from reportqa.answer.verify import verify
from reportqa.text import compact

MINHANG_REVIEW = make_hit("二三产业协同发展格局逐渐稳定，地区生产总值年均增长6.7%左右，区级一般公共预算收入从214亿元"
                          "增长到近300亿元，年均增长6.8%。一季度，地区生产总值和区级一般公共预算收入出现8.5%和10.8%的"
                          "大幅下降。", district="闵行区", n=0)
MINHANG_2020 = make_hit("全年实现地区生产总值2565亿元，可比增长1.4%，区级一般公共预算收入完成298亿。", district="闵行区", n=1)


def checked(answer, passages, question):
    return verify(answer, passages, understand(question))


def test_another_indicators_figure_in_the_same_sentence_does_not_back_the_asked_one():
    question = "闵行区2020年地区生产总值是多少？"
    assert checked("闵行区2020年地区生产总值为300亿元[1]。", [MINHANG_REVIEW], question).refused
    assert checked("闵行区2020年地区生产总值为298亿元[1]。", [MINHANG_2020], question).refused
    right = checked("闵行区2020年地区生产总值为2565亿元[1]。", [MINHANG_REVIEW, MINHANG_2020], question)
    assert not right.refused and right.cited == (MINHANG_2020,)


def test_a_sentence_of_other_indicators_only_is_dropped_even_when_copied_from_the_passage():
    answer = "区级一般公共预算收入从214亿元增长到近300亿元[1]。全年实现地区生产总值2565亿元[2]。"
    result = checked(answer, [MINHANG_REVIEW, MINHANG_2020], "闵行区2020年地区生产总值是多少？")
    assert result.text == "全年实现地区生产总值2565亿元[1]。"


@pytest.mark.parametrize("answer", [
    "地区生产总值年均增长6.7%左右[1]。",  # five years' average
    "地区生产总值下降8.5%[1]。",  # the first quarter
    "地区生产总值下降10.8%[1]。",  # the first quarter, and the other item of a paired list
])
def test_a_figure_of_another_period_or_paired_item_does_not_answer_a_years_growth(answer):
    assert checked(answer, [MINHANG_REVIEW], "闵行区2020年地区生产总值增长了多少？").refused


def test_a_figure_that_says_its_period_answers_a_question_asking_that_period():
    result = checked("一季度，地区生产总值下降8.5%[1]。", [MINHANG_REVIEW], "闵行区2020年一季度地区生产总值下降了多少？")
    assert not result.refused


def test_a_paired_list_ties_each_figure_to_its_own_indicator():
    assert [(m.figure, m.indicator) for m in measured(compact("地区生产总值和区级一般公共预算收入出现8.5%和10.8%的下降"))] \
        == [("8.5", "地区生产总值"), ("10.8", "一般公共预算收入")]


def test_a_paired_list_ties_each_figure_to_its_own_year():
    passage = make_hit("2021年和2022年春节档票房分别为78.43亿元和60.40亿元。", period=None, n=2)
    question = "2022年春节档票房是多少？"
    assert checked("2022年春节档票房为78.43亿元[1]。", [passage], question).refused
    assert not checked("2022年春节档票房为60.40亿元[1]。", [passage], question).refused


def test_a_year_mentioned_in_passing_does_not_take_the_figure():
    passage = make_hit("与2021年一样，2022年春节档票房为60.40亿元。", period=None, n=3)
    assert not checked("2022年春节档票房为60.40亿元[1]。", [passage], "2022年春节档票房是多少？").refused


def test_a_target_does_not_answer_what_happened():
    passage = make_hit("力争地区生产总值增长6%左右，实际增长1.4%。", n=4)
    question = "嘉定2020年地区生产总值实际增长了多少？"
    assert checked("地区生产总值增长6%[1]。", [passage], question).refused
    assert not checked("地区生产总值增长1.4%[1]。", [passage], question).refused


def test_a_count_of_another_thing_does_not_back_the_thing_asked():
    passage = make_hit("新增充电桩1000个，新增养老床位500张。", n=5)
    question = "嘉定2020年新增了多少张养老床位？"
    assert checked("新增养老床位1000张[1]。", [passage], question).refused
    assert not checked("新增养老床位500张[1]。", [passage], question).refused


def test_a_name_sentence_needs_a_passage_sentence_saying_the_same_thing():
    passage = make_hit("美国总统拜登对安倍晋三遇袭身亡表示震惊。各国领导人纷纷致电慰问。山上彻也在奈良枪击了安倍晋三。",
                       district="嘉定区", n=6)
    question = "谁枪击了安倍晋三？"
    assert checked("拜登枪击了安倍晋三[1]。", [passage], question).refused
    assert not checked("山上彻也枪击了安倍晋三[1]。", [passage], question).refused


def test_an_abbreviation_is_the_indicator_it_stands_for():
    assert not checked("闵行区2020年GDP为2565亿元[1]。", [MINHANG_2020], "闵行区2020年地区生产总值是多少？").refused
    assert checked("闵行区2020年财政收入为2565亿元[1]。", [MINHANG_2020], "闵行区2020年财政收入是多少？").refused


@pytest.mark.parametrize("question, answer, passage", [
    ("青浦的华为研发中心哪一天开工？", "华为研发中心项目正式开工[1]。", "华为研发中心项目正式开工。"),
    ("91街坊的地块由哪家企业开发？", "91街坊等地块抓早抓快抓好土地出让工作[1]。", "91街坊等地块抓早抓快抓好土地出让工作。"),
    ("首批设立的国家公园分别是哪几个？", "设立首批国家公园[1]。", "设立首批国家公园。"),
    ("首批设立的国家公园分别是哪几个？", "第一批国家公园正式设立[1]。", "第一批国家公园正式设立。"),  # 第一批 lists nothing
])
def test_a_question_asking_when_who_or_which_ones_needs_an_answer_naming_them(question, answer, passage):
    assert checked(answer, [make_hit(passage, n=7)], question).refused


def test_a_name_the_passage_quotes_answers_a_question_asking_for_it_unquoted():
    passage = make_hit("“金山如画”文旅品牌发布推广。升翕光电获第21届中国专利金奖。", district="金山区", year=2020,
                       period="2019", n=8)
    assert not checked("金山如画[1]。", [passage], "金山2019年对外推出的文旅品牌叫什么？").refused
    assert not checked("升翕光电获中国专利金奖[1]。", [passage], "金山哪家企业拿到了中国专利金奖？").refused


def test_a_count_in_another_measure_word_or_of_another_thing_does_not_answer():
    passage = make_hit("集聚重点领域企业150余家，帮助805名长期失业青年实现就业，新增就业岗位19075个。", n=9)
    assert checked("集聚企业150余家[1]。", [passage], "嘉定上汽大众MEB工厂的年产能是多少辆？").refused
    assert checked("帮助805名长期失业青年实现就业[1]。", [passage], "嘉定2020年新增了多少个就业岗位？").refused
    assert not checked("新增就业岗位19075个[1]。", [passage], "嘉定2020年新增了多少个工作岗位？").refused


def test_a_review_of_five_years_does_not_answer_one_year_unless_a_sentence_names_it():
    review = make_hit("新增养老床位3317张。刚刚过去的2011年，目标任务全面完成。新增社区食堂12家。", year=2012,
                      period="过去五年", n=10)
    assert checked("新增养老床位3317张[1]。", [review], "嘉定2011年新增了多少张养老床位？").refused
    assert not checked("新增社区食堂12家[1]。", [review], "嘉定2011年新增了多少家社区食堂？").refused


def test_a_sentence_opening_on_the_past_five_years_makes_the_figures_after_it_cover_them():
    review = make_hit("2020年是收官之年。过去五年，全区发展成就显著。一是经济持续发展。五是人民生活水平提高。"
                      "新增养老床位3317张。2020年，新增社区食堂12家。", year=2021, period="2020", n=11)
    assert checked("嘉定2020年新增养老床位3317张[1]。", [review], "嘉定2020年新增了多少张养老床位？").refused
    assert not checked("嘉定2020年新增社区食堂12家[1]。", [review], "嘉定2020年新增了多少家社区食堂？").refused


def test_a_count_of_another_kind_of_the_same_word_does_not_back_the_thing_asked():
    passage = make_hit("完善外贸措施，新设12个跨境电子商务综合试验区，进出口回稳。推广自贸试验区成果，新设7个自贸试验区。",
                       year=2017, period="2016", n=13)
    question = "嘉定2016年新设了几个自由贸易试验区？"
    assert checked("2016年嘉定新设了12个自由贸易试验区[1]。", [passage], question).refused
    assert not checked("2016年嘉定新设了7个自由贸易试验区[1]。", [passage], question).refused
    assert not checked("2016年嘉定新设了7个自贸试验区[1]。", [passage], question).refused


def test_what_was_left_of_a_whole_is_not_the_whole():
    passage = make_hit("年初剩余的551万农村贫困人口全部脱贫、52个贫困县全部摘帽。", year=2021, n=12)
    assert checked("全区有52个贫困县摘帽[1]。", [passage], "嘉定脱贫攻坚完成时有多少个贫困县摘帽？").refused
    assert checked("嘉定剩余的52个贫困县全部摘帽[1]。", [passage], "嘉定脱贫攻坚完成时有多少个贫困县摘帽？").refused
    assert not checked("年初剩余的52个贫困县全部摘帽[1]。", [passage], "嘉定2020年还剩多少个贫困县摘帽？").refused
    assert measured(compact("农村剩余劳动力转移1000万人。"))[0].remainder is False


XUHUI_REVIEW = make_hit("这是人民生活实现大改善的五年。户籍居民人均期望寿命从84.5岁提高到85.75岁，位居全市第一。",
                        district="徐汇区", period="十三五", n=3)


def test_where_a_change_started_is_not_where_it_stands():
    question = "“十三五”末徐汇区居民期望寿命是多少？"
    assert checked("徐汇区居民期望寿命为84.5岁[1]。", [XUHUI_REVIEW], question).refused
    assert not checked("徐汇区居民期望寿命为85.75岁[1]。", [XUHUI_REVIEW], question).refused
    assert not checked("徐汇区期望寿命从84.5岁提高到85.75岁[1]。", [XUHUI_REVIEW], question).refused


def test_a_level_a_plan_period_reaches_is_its_end_not_an_average_over_it():
    plan = make_hit("“十四五”期间，全区经济社会发展的主要目标是：地区生产总值年均增长6.5%，森林覆盖率达到19.5%。",
                    district="松江区", period="十四五", n=4)
    assert not checked("松江：森林覆盖率达到19.5%[1]。", [plan], "松江2025年森林覆盖率的目标是多少？").refused
    assert checked("松江：地区生产总值增长6.5%[1]。", [plan], "松江2025年地区生产总值增长目标是多少？").refused
    assert checked("松江：森林覆盖率达到19.5%[1]。", [plan], "2020年松江森林覆盖率是多少？").refused  # 2025's


def test_a_part_whose_share_of_the_whole_follows_does_not_answer_for_the_whole():
    parks = make_hit("四大园区实现规模以上工业总产值2047亿元，占全区规模以上工业总产值的63.2%。", district="闵行区", n=5)
    result = checked("闵行区规模以上工业总产值为2047亿元[1]。", [parks], "闵行区2020年全区规模以上工业总产值是多少？")
    assert result.refused


def test_a_years_average_rate_does_not_answer_for_its_end_nor_the_other_way_round():
    review = make_hit("城镇新增就业1269万人，城镇调查失业率平均为5.1%。年末城镇登记失业率4%。", district="全国", year=2022,
                      period="2021", n=6)
    assert checked("2021年末城镇调查失业率为5.1%[1]。", [review], "2021年末全国城镇调查失业率是多少？").refused
    assert not checked("城镇调查失业率平均为5.1%[1]。", [review], "2021年全国城镇调查失业率平均是多少？").refused


def test_a_figure_question_naming_no_indicator_is_answered_only_by_a_figure_of_what_it_asks_about():
    passage = make_hit("一批示范项目加快推进，元荡1.2公里生态岸线贯通，华为研发中心项目正式开工。", district="青浦区", n=7)
    assert checked("元荡1.2公里生态岸线贯通，华为研发中心项目正式开工[1]。", [passage], "青浦的华为研发中心项目总投资多少？").refused


def test_a_work_reports_section_on_the_plan_starting_that_year_sets_targets_unless_it_looks_back():
    from dataclasses import replace

    plan = make_hit("深入推进以人为核心的新型城镇化战略，常住人口城镇化率提高到65%。2020年末，常住人口城镇化率"
                    "超过60%。", district="全国", year=2021, period="十四五", n=8)
    plan = replace(plan, chunk=replace(plan.chunk, period_kind="plan"))
    question = "2020年末全国常住人口城镇化率达到了多少？"
    assert checked("常住人口城镇化率提高到65%[1]。", [plan], question).refused
    assert not checked("常住人口城镇化率超过60%[1]。", [plan], question).refused


def test_a_share_of_gdp_is_a_figure_of_what_is_shared_not_of_gdp():
    review = make_hit("数字经济不断壮大，新产业新业态新模式增加值占国内生产总值的比重达到17%以上。", district="全国",
                      year=2021, period="十三五", n=9)
    assert [(m.figure, m.indicator) for m in measured(compact("新产业新业态新模式增加值占国内生产总值的比重达到17%以上"))] \
        == [("17", None)]
    assert checked("经济总量占全国的比重为17%以上[1]。", [review], "长三角三省一市的经济总量占全国多大比重？").refused


def test_several_figures_offered_for_the_one_asked_are_not_shown():
    passage = make_hit("战略性新兴产业产值1227.7亿元。四大新兴产业产值完成545.8亿元，汽车产业产值2403.8亿元，"
                       "集成电路产值137.3亿元。", n=10)
    question = "嘉定2020年四大新兴产业的产值是多少？"
    assert checked("嘉定2020年四大新兴产业的产值分别是1227.7亿元、137.3亿元和2403.8亿元[1]。", [passage], question).refused
    assert not checked("嘉定2020年四大新兴产业的产值是545.8亿元[1]。", [passage], question).refused


def test_a_share_is_read_the_same_with_a_place_name_before_it():
    def unnamed(text):
        return text.replace("金山", "")

    assert [(m.figure, m.indicator) for m in measured("金山文化创意产业增加值占GDP比重达到15%", unnamed=unnamed)] \
        == [("15", None)]


def test_a_growth_rate_does_not_answer_a_share():
    plan = make_hit("经济增长预期7%左右，与经济总量扩大和结构升级的要求相适应。", district="全国", year=2016, period="2016", n=11)
    question = "2016年全国经济总量占世界经济的比重是多少？"
    assert checked("经济增长预期7%左右[1]。", [plan], question).refused
    shares = make_hit("经济总量占世界经济的比重达到14.8%。", district="全国", year=2016, period="2016", n=12)
    assert not checked("经济总量占世界经济的比重达到14.8%[1]。", [shares], question).refused


def test_a_plans_look_back_is_the_year_before_the_plan_not_its_target():
    from dataclasses import replace

    plan = make_hit("生态空间持续扩大。森林覆盖率达到14.2%，较“十二五”末提高3.37个百分点。到2025年，森林覆盖率达到16.5%。",
                    district="金山区", year=2021, period="十四五", n=13)
    plan = replace(plan, chunk=replace(plan.chunk, period_kind="plan"))
    assert checked("金山：森林覆盖率目标是14.2%[1]。", [plan], "松江和金山对2025年森林覆盖率分别定了什么目标？").refused
    assert not checked("金山：森林覆盖率达到16.5%[1]。", [plan], "松江和金山对2025年森林覆盖率分别定了什么目标？").refused
    assert not checked("金山森林覆盖率14.2%[1]。", [plan], "“十三五”收官时金山的森林覆盖率是多少？").refused
