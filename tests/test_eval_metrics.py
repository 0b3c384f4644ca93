"""The retrieval evaluation's judging rules (eval/retrieval.py)."""

import pytest

from eval.retrieval import fewest_passages, found_rank, judge, metrics, ndcg

CORPUS = ["甲区新增养老床位100张。", "乙区新增养老床位550张。", "甲区和乙区都在推进养老服务。", "无关的段落。"]
ALL_TEXT = "\n".join(CORPUS)


def test_found_rank_is_where_the_last_evidence_line_appears():
    assert found_rank(["100张"], CORPUS) == 1
    assert found_rank(["100张", "550张"], [CORPUS[2], CORPUS[1], CORPUS[0]]) == 3
    assert found_rank(["没有的句子"], CORPUS) is None


def test_fewest_passages_counts_what_the_best_ranking_needs():
    assert fewest_passages(["100张", "550张"], CORPUS) == 2
    assert fewest_passages(["甲区", "乙区"], CORPUS) == 1  # one passage names both


def test_a_comparison_with_both_sides_first_counts_as_rank_one():
    item = {"evidence": ["100张", "550张"]}
    assert judge(item, [CORPUS[1], CORPUS[0]], CORPUS, ALL_TEXT)["rank"] == 1
    assert judge(item, [CORPUS[1], CORPUS[3], CORPUS[0]], CORPUS, ALL_TEXT)["rank"] == 2


def test_alternative_evidence_counts_when_found_first():
    item = {"evidence": ["100张"], "alt_evidence": [{"evidence": ["推进养老服务"]}]}
    verdict = judge(item, [CORPUS[2], CORPUS[0]], CORPUS, ALL_TEXT)
    assert verdict["rank"] == 1


def test_lines_in_no_passage_are_left_out_and_counted():
    verdict = judge({"evidence": ["100张", "跨越段落边界的句子"]}, [CORPUS[0]], CORPUS, ALL_TEXT)
    assert verdict["rank"] == 1 and verdict["unfindable"] == 1


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise():
    assert ndcg(["100张", "550张"], [CORPUS[0], CORPUS[1]], CORPUS) == pytest.approx(1.0)
    assert ndcg(["100张", "550张"], [CORPUS[3], CORPUS[0], CORPUS[1]], CORPUS) < 1.0
    assert ndcg(["100张"], [CORPUS[3]], CORPUS) == 0.0


def test_metrics_average_over_questions():
    rows = [{"rank": 1, "ndcg": 1.0}, {"rank": 4, "ndcg": 0.5}, {"rank": None, "ndcg": 0.0}]
    result = metrics(rows)
    assert result["R@1"] == 0.333 and result["R@5"] == 0.667 and result["MRR"] == pytest.approx(0.417, abs=1e-3)


def test_answer_judging_counts_key_facts_citations_and_unsupported_figures():
    from eval.answers import judge as judge_answer
    from eval.answers import summarise

    item = {"id": "X1", "qtype": "numeric", "question": "嘉定2020年新增多少养老床位？", "key_facts": ["774"],
            "evidence": ["新增养老床位774张"]}
    good = {"answer": "新增养老床位774张[1]。", "refused": False, "timings": {"total": 1.0},
            "citations": [{"title": "2021年嘉定区政府工作报告", "text": "新增养老床位774张。"}]}
    row = judge_answer(item, good)
    assert row["key_facts"] and row["citation_precision"] == 1.0 and row["unsupported"] == []
    bad = {"answer": "新增养老床位800张[1]。", "refused": False, "timings": {"total": 3.0},
           "citations": [{"title": "2021年嘉定区政府工作报告", "text": "新增养老床位550张。"}]}
    row_bad = judge_answer(item, bad)
    assert not row_bad["key_facts"] and row_bad["citation_precision"] == 0.0 and row_bad["unsupported"] == ["800"]
    refusal = judge_answer({"id": "X2", "qtype": "unanswerable", "question": "长宁区的GDP？"},
                           {"answer": "无法从文档中找到", "refused": True, "timings": {"total": 0.5}, "citations": []})
    summary = summarise([row, row_bad, refusal])
    assert summary["key_fact_accuracy"] == 0.5 and summary["refusal_rate"] == 1.0
    assert summary["unsupported_figures"] == 1 and summary["median_seconds"] == 1.0


def test_a_key_figure_must_be_a_whole_number_of_the_answer_and_a_cited_title_backs_its_year():
    from eval.answers import judge as judge_answer

    item = {"id": "X3", "qtype": "numeric", "question": "杨浦计划新增多少张养老床位？", "key_facts": ["200"],
            "evidence": ["新增养老床位200张"]}
    citation = {"title": "2012年杨浦区政府工作报告", "text": "新增养老床位2000张。"}
    row = judge_answer(item, {"answer": "《2012年杨浦区政府工作报告》：新增2000张[1]。", "refused": False,
                              "timings": {"total": 1.0}, "citations": [citation]})
    assert not row["key_facts"] and row["unsupported"] == []
