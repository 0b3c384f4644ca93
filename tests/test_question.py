import pytest
from fakes import BigramEmbedder
from fakes import shanghai_understand as understand

from reportqa.search.hybrid import SearchFilters, SearchIndex
from reportqa.search.question import COMPARISON, FACT, FIGURE, LIST
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings


@pytest.mark.parametrize("question, places, missing", [
    ("嘉定区2020年一般公共预算收入是多少？", ("嘉定区",), ()),
    ("青浦和松江的固定资产投资目标谁高？", ("青浦区", "松江区"), ()),
    ("浦东新区的GDP", (), ("浦东新区",)),
    ("浦东的GDP", (), ("浦东新区",)),
    ("全市一共有多少上市公司？", (), ()),
    ("上海市嘉定区的GDP", ("嘉定区",), ()),
])
def test_districts_are_read_in_full_or_short_form_in_order(question, places, missing):
    understood = understand(question)
    assert (understood.places, understood.missing) == (places, missing)


def test_years_plan_periods_and_relative_years():
    understood = understand("“十三五”期间和2025年，去年新增多少？", report_year=2021)
    assert understood.years == (2025, 2020)
    assert understood.plan_periods == ("十三五",)
    assert understand("去年新增多少？").years == ()


@pytest.mark.parametrize("question, kind", [
    ("嘉定2020年新增了多少张养老床位？", FIGURE),
    ("徐汇的“两汇”民生品牌是哪两个？", LIST),
    ("金山要培育壮大的四个特色产业是什么？", LIST),
    ("2020年普陀和虹口谁的GDP体量更大？", COMPARISON),
    ("虹口开发北外滩采用的是什么样的开发机制？", FACT),
])
def test_kind_of_question(question, kind):
    assert understand(question).kind == kind


def test_bridge_clause_names_a_district_by_description():
    understood = understand("举办鲁迅文化周的那个区，2021年旧改征收定了多少户的目标？")
    assert understood.places == ()
    assert understood.bridge_clue == "举办鲁迅文化周"
    assert understood.bridge_rest.startswith("2021年旧改征收")
    assert understand("嘉定区，2021年目标是多少？").bridge_clue is None


def test_abbreviations_are_expanded_to_the_reports_terms():
    understood = understand("普陀的GDP是多少？")
    assert "地区生产总值" in understood.expansions
    assert understood.search_text().startswith("普陀的GDP是多少？ ")
    assert understand("新增养老床位").expansions == ()


@pytest.fixture
def retriever(shared_small_index):
    return Retriever(SearchIndex.open(Settings.from_env(index_dir=str(shared_small_index)), BigramEmbedder()))


def test_a_named_district_restricts_the_results(retriever):
    result = retriever.retrieve("松江新增上市企业几家？", k=5)
    assert result.places == ("松江区",)
    assert result.hits and {hit.district for hit in result.hits} == {"松江区"}


def test_comparison_puts_both_sides_at_the_top(retriever):
    result = retriever.retrieve("嘉定和松江2020年新增上市企业各多少家？", k=4)
    assert {hit.district for hit in result.hits[:2]} == {"嘉定区", "松江区"}
    assert [hit.rank for hit in result.hits] == list(range(1, len(result.hits) + 1))


def test_bridge_question_is_searched_in_the_district_found_first(retriever):
    result = retriever.retrieve("G60科创走廊所在的区，新建公园绿地多少公顷？", k=3)
    assert result.places == ("松江区",)
    assert "新建公园绿地120公顷" in result.hits[0].text


def test_explicit_filter_wins_over_the_question(retriever):
    result = retriever.retrieve("松江新增上市企业几家？", k=5, filters=SearchFilters(place="嘉定区"))
    assert {hit.district for hit in result.hits} == {"嘉定区"}


def test_passages_about_the_asked_year_come_first(retriever):
    index = retriever.index
    for period in ("2020", "2021"):
        assert index.search("嘉定增加值", k=3, prefer_periods=(period,))[0].period == period
    assert retriever.retrieve("嘉定2021年增加值增长目标", k=3).hits[0].period == "2021"


@pytest.mark.parametrize("question, years, periods", [
    ("“十四五”开局之年，嘉定计划完成多少固定资产投资？", (2021,), ("2021",)),
    ("“十三五”末金山铁路一年运送多少乘客？", (2020,), ("2020", "十三五")),
    ("“十三五”期间闵行环保投入多少？", (), ("十三五", "2020")),
    ("新冠疫情暴发前的那一年，金山财政收入是多少？", (2019,), ("2019",)),
    ("疫情前一年金山新增了多少张养老床位？", (2019,), ("2019",)),
    ("松江2025年森林覆盖率目标是多少？", (2025,), ("2025", "十四五")),
])
def test_years_named_by_description_are_worked_out(question, years, periods):
    understood = understand(question)
    assert understood.years == years
    assert understood.periods() == periods


def test_counts_in_words_are_also_searched_in_digits():
    assert "3个" in understand("嘉定要培育的三个千亿级产业是什么？").expansions
    assert understand("新增养老床位774张").expansions == ()


def test_bridge_passage_is_returned_as_the_second_hit(retriever):
    result = retriever.retrieve("对口帮扶云南省五个县的那个区，2021年一般公共预算收入要增长多少？", k=3)
    assert result.places == ("松江区",)
    assert "一般公共预算收入增长4%" in result.hits[0].text and "云南省" not in result.hits[0].text
    assert "对口帮扶的云南省五个县" in result.hits[1].text


def test_relevance_follows_the_threshold_and_unindexed_districts(shared_small_index):
    def retrieve(question, threshold):
        settings = Settings.from_env(index_dir=str(shared_small_index), relevance_threshold=threshold)
        return Retriever(SearchIndex.open(settings, BigramEmbedder())).retrieve(question, k=3)

    assert retrieve("嘉定新增养老床位多少张？", 0.0).relevant
    assert not retrieve("嘉定新增养老床位多少张？", 1.01).relevant
    elsewhere = retrieve("长宁区新增养老床位多少张？", 0.0)
    assert elsewhere.missing_places == ("长宁区",) and elsewhere.hits and not elsewhere.relevant
    assert elsewhere.to_json()["relevant"] is False


def test_a_report_named_by_its_year_is_that_years_report():
    assert understand("2015年报告用什么比喻说明简政放权？").report_of_year == 2015
    assert understand("2019年的政府工作报告提出了哪八个字？").report_of_year == 2019
    assert understand("2015年GDP增长了多少？").report_of_year is None
    assert "报告年份=2015" in understand("2015年报告说了什么？").describe()


def test_a_named_report_year_filters_the_search_when_the_index_has_that_year(retriever, monkeypatch):
    searched = []
    search = retriever.index.search
    monkeypatch.setattr(retriever.index, "search", lambda text, k, filters, *rest: searched.append(filters.year)
                        or search(text, k, filters, *rest))
    assert retriever.retrieve("2021年报告里新增养老床位多少张？", k=5).hits and searched == [2021]
    searched.clear()
    assert retriever.retrieve("2019年报告里新增养老床位多少张？", k=5).hits and searched == [None]
