"""The trap sets (eval/adversarial.jsonl, eval/unanswerable.jsonl) pass their checker, and the checker can fail."""

import copy

import pytest

from eval.check_traps import load_lines, load_sets, older_questions, validate


@pytest.fixture(scope="module")
def sets():
    return load_sets()


@pytest.fixture(scope="module")
def lines():
    return load_lines()


def test_both_trap_sets_have_no_problems(sets, lines):
    assert validate(sets, lines, older_questions()) == []


def with_item(sets, kind, qid, **changes):
    """The sets with item ``qid`` of ``kind`` replaced by a copy carrying ``changes``."""
    changed = {name: [it for it in items if it["id"] != qid] for name, items in sets.items()}
    item = copy.deepcopy(next(it for it in sets[kind] if it["id"] == qid))
    changed[kind].append({**item, **changes})
    return changed


def problems_of(qid, sets, lines):
    return [p for p in validate(sets, lines) if p.startswith(f"{qid}:")]


def test_a_fragment_not_in_the_report_is_reported(sets, lines):
    wrong = with_item(sets, "adversarial", "A001", evidence=["其中区级一般公共预算收入220.6亿元"])  # the 2021 target
    assert any("not inside one line" in p for p in problems_of("A001", wrong, lines))


def test_evidence_from_another_districts_report_is_reported(sets, lines):
    wrong = with_item(sets, "adversarial", "A009", district="虹口区")  # the fragment is in 普陀's report
    assert any("not 虹口区 2021" in p for p in problems_of("A009", wrong, lines))


def test_a_key_fact_inside_the_neighbour_is_reported(sets, lines):
    wrong = with_item(sets, "adversarial", "A007", key_facts=["24.8%"])  # the tempting figure as gold
    assert any("inside the neighbour" in p for p in problems_of("A007", wrong, lines))


def test_a_neighbour_not_in_the_corpus_or_inside_a_longer_number_is_reported(sets, lines):
    absent = with_item(sets, "adversarial", "A013", neighbour="99.9%")
    assert any("not in one line" in p for p in problems_of("A013", absent, lines))
    longer = with_item(sets, "adversarial", "A036", neighbour="0%")  # only inside 「60%」 and longer numbers
    assert any("not in one line" in p for p in problems_of("A036", longer, lines))


def test_a_place_trap_whose_neighbour_is_the_asked_places_own_is_reported(sets, lines):
    wrong = with_item(sets, "adversarial", "A018", neighbour="805名")  # 徐汇's own figure
    assert any("another place's report" in p for p in problems_of("A018", wrong, lines))


def test_an_actual_taken_from_the_plan_part_is_reported(sets, lines):
    wrong = with_item(sets, "adversarial", "A029", evidence=["再减少农村贫困人口1000万以上"],
                      evidence_files=["2018年国务院政府工作报告.txt"], source_file="2018年国务院政府工作报告.txt", year=2018)
    assert any("review part" in p for p in problems_of("A029", wrong, lines))


def test_an_unanswerable_item_with_a_key_fact_or_a_missing_nearest_passage_is_reported(sets, lines):
    keyed = with_item(sets, "unanswerable", "U001", key_facts=["100"])
    assert any("fixed answer" in p for p in problems_of("U001", keyed, lines))
    lost = with_item(sets, "unanswerable", "U001", nearest="青浦社会消费品零售总额")
    assert any("nearest" in p for p in problems_of("U001", lost, lines))


def test_a_thin_or_lopsided_set_is_reported(sets, lines):
    answerable_only = {**sets, "adversarial": [it for it in sets["adversarial"] if it["qtype"] != "unanswerable"]}
    problems = validate(answerable_only, lines)
    assert any(p.startswith("adversarial: only") for p in problems)
    assert any("answerable share 1.00" in p for p in problems)
    figures_only = {**sets, "unanswerable": [it for it in sets["unanswerable"] if it["asks"] == "figure"]}
    assert any("asks fact" in p for p in validate(figures_only, lines))


def test_a_question_repeating_an_older_set_is_reported(sets, lines):
    repeated = with_item(sets, "unanswerable", "U002", question="徐汇2020年新增了多少张养老床位？")  # Q098
    assert "U002: question repeats one of an older set" in validate(repeated, lines, older_questions())
