import app
from conftest import SMALL_REPORT
from fakes import BigramEmbedder
from reportqa import render
from reportqa.retrieval import Retriever
from reportqa.search import SearchIndex
from reportqa.settings import Settings


def open_index(index):
    return SearchIndex.open(Settings.from_env(index_dir=str(index)), BigramEmbedder())


def test_highlight_marks_terms_and_escapes_everything_else():
    marked = render.highlight("<b>新增养老床位</b>774张", ["养老床位", "774"])
    assert marked == "&lt;b&gt;新增<mark>养老床位</mark>&lt;/b&gt;<mark>774</mark>张"
    assert render.highlight("养老床位", ["养老", "老床"]) == "<mark>养老床</mark>位"


def test_search_page_shows_cards_with_terms_marked_and_context(small_index):
    search = app.make_search(Retriever(open_index(small_index)))
    page = search("嘉定新增养老床位", app.ALL, app.ALL, app.ALL, 3)
    assert page.startswith('<p class="rq-understood">理解: ') and "区=嘉定区" in page
    assert page.count('<article class="rq-card"') == 3
    assert "养老床位</mark>" in page
    assert '<details class="rq-more"><summary>上下文' in page and '<mark class="passage">' in page


def test_context_reaches_past_the_passage_into_the_source(small_index):
    hit = open_index(small_index).search("新增上市企业4家", k=1)[0]
    context = render.context_html(hit, window=50, marked=["4家"])
    passage = context.split('<mark class="passage">')[1].split("</mark>", 1)
    assert "新增上市企业<mark>4家</mark>" in context
    assert context.index('<mark class="passage">') > len('<div class="rq-context">') and passage


def test_report_markup_is_shown_as_text(write_file, tmp_path):
    import ingest

    hostile = SMALL_REPORT.replace("新增养老床位774张。", "新增养老床位774张。<script>alert('x')</script><img src=x onerror=1>")
    write_file("reports/hostile.txt", hostile)
    index = tmp_path / "index"
    assert ingest.main([str(tmp_path / "reports"), "--index", str(index)], embedder=BigramEmbedder()) == 0
    page = app.make_search(Retriever(open_index(index)))("script alert 养老床位", app.ALL, app.ALL, app.ALL, 5)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page


def test_empty_query_asks_for_one(small_index):
    assert "请输入" in app.make_search(Retriever(open_index(small_index)))("  ", app.ALL, app.ALL, app.ALL, 5)


def test_filters_and_library_come_from_the_manifest(small_index):
    index = open_index(small_index)
    districts, years, types = app.filter_choices(index)
    assert districts == [app.ALL, "嘉定区", "松江区"] and years == [app.ALL, "2021"] and "政府工作报告" in types
    rows = app.library_rows(index)
    assert len(rows) == 2 and {row[1] for row in rows} == {"嘉定区", "松江区"}
    assert app.build_app(index) is not None


def test_results_below_the_relevance_threshold_carry_a_notice(small_index):
    hits = open_index(small_index).search("养老床位", k=2)
    assert "没有找到明显相关的段落" in render.results_html(hits, "养老床位", relevant=False)
    assert "没有找到明显相关的段落" not in render.results_html(hits, "养老床位")
