"""A province's series of yearly 政府工作报告: a year's targets are searched in that year's report, what
happened in a year in the next year's review (``tests/fixtures/series``: 浙江省 2022–2024, 江苏省 2023)."""

from pathlib import Path

import pytest
from conftest import build_index
from fakes import BigramEmbedder

from reportqa.answer.pipeline import rewrite_follow_up
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings

SERIES = Path(__file__).resolve().parent / "fixtures" / "series"


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    index = build_index(SERIES, tmp_path_factory.mktemp("series") / "index")
    settings = Settings.from_env(index_dir=str(index), relevance_threshold=0.0)
    return Retriever(SearchIndex.open(settings, BigramEmbedder()))


def test_the_fixtures_make_a_series_of_three_reports(retriever):
    assert retriever.index.work_report_years("浙江省") == {2022, 2023, 2024}
    assert retriever.index.work_report_years("江苏省") == {2023}


def test_a_years_target_is_found_in_that_years_report(retriever):
    result = retriever.retrieve("2023年浙江生产总值增长目标是多少？", k=5)
    assert result.places == ("浙江省",) and result.relevant
    assert {hit.document.title for hit in result.hits} == {"2023年浙江省政府工作报告"}
    assert result.hits[0].period == "2023" and "生产总值增长5%左右" in result.hits[0].text


def test_a_years_outcome_is_found_in_the_next_years_review(retriever):
    result = retriever.retrieve("2023年浙江生产总值实际增长了多少？", k=5)
    assert {hit.document.title for hit in result.hits} == {"2024年浙江省政府工作报告"}
    assert result.hits[0].period == "2023" and "全省生产总值增长6%" in result.hits[0].text


def test_a_year_without_a_stance_searches_its_report_and_the_next(retriever):
    result = retriever.retrieve("2023年浙江生产总值增长多少？", k=5)
    assert {hit.document.year for hit in result.hits[:2]} == {2023, 2024}


def test_several_years_are_searched_one_by_one(retriever):
    result = retriever.retrieve("2022年和2023年浙江的生产总值增长目标分别是多少？", k=6)
    assert {hit.document.title for hit in result.hits[:2]} == {"2022年浙江省政府工作报告", "2023年浙江省政府工作报告"}
    texts = [hit.text for hit in result.hits[:4]]
    assert any("生产总值增长6%左右" in text for text in texts) and any("生产总值增长5%左右" in text for text in texts)


@pytest.mark.parametrize("question", ["2021年浙江生产总值增长目标是多少？", "2024年浙江生产总值实际增长了多少？"],
                         ids=["target-2021", "actual-2024"])
def test_a_year_whose_report_is_not_indexed_finds_nothing(retriever, question):
    result = retriever.retrieve(question, k=5)
    assert result.places == ("浙江省",)
    assert result.hits == [] and not result.relevant


def test_another_places_single_report_is_no_series(retriever):
    result = retriever.retrieve("2023年江苏生产总值增长目标是多少？", k=5)
    assert {hit.document.title for hit in result.hits} == {"2023年江苏省政府工作报告"}
    assert "生产总值增长5%以上" in result.hits[0].text


def test_a_question_naming_no_place_over_two_provinces_searches_everything(retriever):
    # Two provinces side by side: no place holds the other, so there is no widest place, no place filter
    # and no series rule (the 2022 report, neither 2023's nor 2024's, is searched too).
    assert retriever.index.place_names.widest() is None
    result = retriever.retrieve("2023年生产总值增长目标是多少？", k=5)
    assert result.places == ()
    assert {hit.document.place for hit in result.hits} == {"浙江省", "江苏省"}
    assert 2022 in {hit.document.year for hit in result.hits}


def test_a_follow_up_naming_the_other_province_is_its_question(retriever):
    names = retriever.index.place_names
    assert rewrite_follow_up("那江苏呢？", ["2023年浙江生产总值增长目标是多少？"], names) == \
        "2023年江苏省生产总值增长目标是多少？"
    assert rewrite_follow_up("2022年呢？", ["2023年浙江生产总值增长目标是多少？"], names) == \
        "2022年浙江生产总值增长目标是多少？"
