"""A comparison answers every side: a side the answer leaves out is filled from that side's own passages
with the stretch that gives the asked measure, or left out when none does."""

from fakes import make_hit
from fakes import shanghai_understand as understand

from reportqa.answer.compare import conclusion, fill_sides
from reportqa.answer.generation import ExtractiveGenerator
from reportqa.answer.verify import verify

SONGJIANG = make_hit("科技创新成效明显，高新技术企业数量达到1755家，总量位居全市第三。", "松江区", n=0)
MINHANG = make_hit("全社会研发经费投入强度保持在10%左右，高新技术企业从570家增加到1764家。", "闵行区", n=1)
MINHANG_OTHER = make_hit("全社会研发经费投入强度保持在10%左右，每万人口发明专利拥有量87件。", "闵行区", n=2)
QUESTION = "到“十三五”末，松江和闵行的高新技术企业哪个区更多？"


def test_a_side_the_answer_leaves_out_is_filled_from_its_own_passage():
    question = understand(QUESTION)
    text, added = fill_sides("松江：高新技术企业数量达到1755家[1]。", [SONGJIANG], [SONGJIANG, MINHANG], question)
    assert text == "闵行：高新技术企业从570家增加到1764家[2]。" and added == [MINHANG]
    checked = verify(f"松江：高新技术企业数量达到1755家[1]。\n{text}", [SONGJIANG, MINHANG], question)
    assert not checked.refused and "1764" in checked.text
    assert conclusion(checked.text, question) == "闵行更多。"  # 570 is where the change started


def test_a_side_whose_passages_give_only_other_measures_is_not_filled():
    question = understand(QUESTION)
    assert fill_sides("松江：高新技术企业数量达到1755家[1]。", [SONGJIANG], [SONGJIANG, MINHANG_OTHER],
                      question) == ("", [])


def test_an_answered_side_is_not_filled_again():
    question = understand(QUESTION)
    answer = "松江：高新技术企业数量达到1755家[1]。\n闵行：高新技术企业达到1764家[2]。"
    assert fill_sides(answer, [SONGJIANG, MINHANG], [SONGJIANG, MINHANG], question) == ("", [])


def test_extractive_answers_each_side_with_the_stretch_of_the_asked_measure():
    text = "".join(ExtractiveGenerator().stream(understand(QUESTION), [SONGJIANG, MINHANG_OTHER, MINHANG]))
    assert text == "松江：高新技术企业数量达到1755家[1]。\n闵行：高新技术企业从570家增加到1764家[3]。"


def test_a_years_target_and_what_happened_are_filled_from_the_plan_and_the_later_review():
    plan = make_hit("建议今年全区经济社会发展的主要目标是：社会消费品零售总额增长8.8%左右，高新技术企业总数不少于770家。",
                    "金山区", 2020, "2020", n=0)
    review = make_hit("科创动能持续增强，高新技术企业达到942家，比上年增加230家。", "金山区", 2021, "2020", n=1)
    question = understand("金山原定的2020年高新技术企业总数目标是多少？实际完成了多少？")
    text, _ = fill_sides("", [], [plan, review], question)
    assert text == "2020年目标为：高新技术企业总数不少于770家[1]。\n2020年实际：高新技术企业达到942家[2]。"


def test_a_stretch_takes_in_the_next_clause_when_the_question_asks_its_indicator_too():
    from reportqa.answer.stretches import best_stretch

    passage = make_hit("今年赤字率拟按3%安排，财政赤字2.38万亿元，比去年增加2000亿元。", "全国", 2017, "2017", n=3)
    both = understand("2017年财政赤字率按多少安排？赤字规模是多少？")
    assert best_stretch([passage], both) == ("今年赤字率拟按3%安排,财政赤字2.38万亿元", 1)  # in match form
    assert best_stretch([passage], understand("2017年财政赤字率按多少安排？")) == ("今年赤字率拟按3%安排", 1)


def test_a_share_asked_of_gdp_is_asked_of_its_numerator():
    from reportqa.answer.asked import Asked

    assert Asked.read("到2025年，金山希望文化创意产业增加值占GDP多大比重？", False).indicators == ()
    assert Asked.read("研发经费占地区生产总值的比重是多少？", False).indicators == ("研发经费",)
