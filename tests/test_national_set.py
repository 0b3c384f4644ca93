"""The question set on the State Council reports (eval/national.jsonl) passes its checker, and the checker can fail."""

import copy

import pytest

from eval.check_national import load_items, load_lines, validate


@pytest.fixture(scope="module")
def items():
    return load_items()


@pytest.fixture(scope="module")
def lines():
    return load_lines()


def test_the_bundled_reports_are_all_there(lines):
    assert len(lines) == 10 and not any(name.startswith("2020") for name in lines)


def test_the_national_set_has_no_problems(items, lines):
    assert validate(items, lines) == []


def by_id(items, qid):
    return copy.deepcopy(next(it for it in items if it["id"] == qid))


def test_a_fragment_not_in_the_report_is_reported(items, lines):
    wrong = by_id(items, "N001")
    wrong["evidence"] = ["国内生产总值增长6.5%－7%"]  # the 2016 target, not in the 2019 report
    problems = validate([*items[1:], wrong], lines)
    assert any("N001" in p and "not inside one line" in p for p in problems)


def test_a_fragment_across_a_line_break_is_reported(items, lines):
    wrong = by_id(items, "N005")
    wrong["evidence"] = ["国内生产总值达到74.4万亿元，增长6.7%"]  # "74.4" and "万亿元" are on two lines
    wrong["evidence_files"] = wrong["evidence_files"][:1]
    problems = validate([it for it in items if it["id"] != "N005"] + [wrong], lines)
    assert any("N005" in p and "not inside one line" in p for p in problems)


def test_an_actual_taken_from_its_own_years_report_is_reported(items, lines):
    wrong = by_id(items, "N002")  # 2018's actual growth, from the 2018 report's target instead of the 2019 review
    wrong.update(evidence=["国内生产总值增长6.5%左右"], evidence_files=["2018年国务院政府工作报告.txt"],
                 source_file="2018年国务院政府工作报告.txt", year=2018)
    problems = validate([it for it in items if it["id"] != "N002"] + [wrong], lines)
    assert any("N002" in p and "report of 2019" in p for p in problems)
    assert any("N002" in p and "review part" in p for p in problems)


def test_a_thin_set_is_reported(items, lines):
    problems = validate([it for it in items if it["qtype"] != "unanswerable"], lines)
    assert "qtype unanswerable: 0 < 8" in problems
