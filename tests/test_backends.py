"""One suite for both search backends: FAISS files in the index folder, and Milvus (Milvus Lite here).

Every test in ``TestBackend`` runs once per backend: the same ingest, the same searches and filters, the
same adds, edits and removals, the same results contract. The rest checks what only Milvus has.
"""

import numpy as np
import pytest
from conftest import OTHER_REPORT, SMALL_REPORT, open_index
from fakes import BigramEmbedder

import ingest
from reportqa.errors import IndexUnusable, InputError
from reportqa.indexing.milvus import MilvusCollection, collection_of, opened_milvus
from reportqa.search.filters import SearchFilters, milvus_expression
from reportqa.settings import Settings
from test_faults import QINGPU

QUESTIONS = ["新增养老床位", "一般公共预算收入", "新增上市企业", "汽车产业集群", "地区生产总值增长"]


def run_ingest(*args) -> int:
    return ingest.main([str(arg) for arg in args], embedder=BigramEmbedder())


@pytest.fixture(params=["faiss", "milvus"])
def backend(request, monkeypatch, tmp_path):
    monkeypatch.setenv("REPORTQA_BACKEND", request.param)
    monkeypatch.setenv("REPORTQA_MILVUS_URI", str(tmp_path / "milvus.db"))
    return request.param


@pytest.fixture
def reports(tmp_path, write_file):
    write_file("reports/jiading.txt", SMALL_REPORT)
    write_file("reports/songjiang.txt", OTHER_REPORT)
    return tmp_path / "reports"


@pytest.fixture
def index(backend, reports, tmp_path):
    assert run_ingest(reports, "--index", tmp_path / "index") == 0
    return tmp_path / "index"


class TestBackend:
    def test_the_passage_that_states_the_figure_comes_first(self, index):
        hits = open_index(index).search("新增养老床位多少张", k=3, want_figure=True)
        assert "新增养老床位774张" in hits[0].text
        assert hits[0].dense_score is not None and hits[0].lexical_score is not None and hits[0].coverage > 0
        assert [hit.rank for hit in hits] == [1, 2, 3] and hits[0].document.issuing_place == "嘉定区"

    @pytest.mark.parametrize("filters, wanted", [
        (SearchFilters(place="嘉定"), {"嘉定区"}),
        (SearchFilters(place="松江区", year=2021), {"松江区"}),
        (SearchFilters(among=("松江区",)), {"松江区"}),
        (SearchFilters(doc_type="政府工作报告", year=2021), {"嘉定区", "松江区"}),
        (SearchFilters(report_years=(2021,)), {"嘉定区", "松江区"}),
    ])
    def test_filters_apply_inside_the_search(self, index, filters, wanted):
        hits = open_index(index).search("一般公共预算收入", k=20, filters=filters)
        assert hits and {hit.document.issuing_place for hit in hits} == wanted

    @pytest.mark.parametrize("filters", [SearchFilters(place="嘉定区", year=1999), SearchFilters(doc_type="新闻"),
                                         SearchFilters(report_years=(2019,)), SearchFilters(place="松江区", among=("嘉定区",))])
    def test_a_filter_no_passage_passes_finds_nothing(self, index, filters):
        assert open_index(index).search("一般公共预算收入", k=5, filters=filters) == []

    def test_an_unknown_place_is_refused(self, index):
        with pytest.raises(InputError, match="unknown place"):
            open_index(index).search("预算", filters=SearchFilters(place="海淀区"))

    def test_an_added_report_is_found(self, index, write_file):
        extra = write_file("more/qingpu.txt", QINGPU)
        assert run_ingest(extra, "--index", index) == 0
        searched = open_index(index)
        assert "青浦区" in searched.places()
        hits = searched.search("一般公共预算收入", k=5, filters=SearchFilters(place="青浦区"))
        assert hits and all(hit.document.issuing_place == "青浦区" for hit in hits)

    def test_an_edited_report_is_searched_as_edited(self, index, reports):
        (reports / "jiading.txt").write_text(SMALL_REPORT.replace("新增养老床位774张", "新增养老床位808张"), encoding="utf-8")
        assert run_ingest(reports, "--index", index) == 0
        hits = open_index(index).search("新增养老床位", k=3, filters=SearchFilters(place="嘉定区"))
        assert "新增养老床位808张" in hits[0].text and not any("774张" in hit.text for hit in hits)

    def test_an_open_index_keeps_searching_through_an_ingest_in_its_process(self, index, reports, write_file):
        searched = open_index(index)
        assert run_ingest(reports, write_file("more/qingpu.txt", QINGPU), "--index", index) == 0
        hits = searched.search("新增养老床位", k=3, filters=SearchFilters(place="嘉定区"))
        assert "新增养老床位774张" in hits[0].text  # the index it opened, until it is opened again
        assert "青浦区" in open_index(index).places()

    def test_a_removed_report_is_gone(self, index, reports):
        assert run_ingest(reports / "jiading.txt", "--index", index, "--remove", reports / "songjiang.txt") == 0
        searched = open_index(index)
        assert searched.places() == ["嘉定区"]
        assert all(hit.document.issuing_place == "嘉定区" for hit in searched.search("一般公共预算收入", k=20))


def test_both_backends_rank_alike(reports, tmp_path, monkeypatch):
    """The same index searched through FAISS and through Milvus: the same top passages (BM25 scores differ
    in scale between bm25s and Milvus, not in order)."""
    monkeypatch.setenv("REPORTQA_MILVUS_URI", str(tmp_path / "milvus.db"))
    monkeypatch.setenv("REPORTQA_BACKEND", "milvus")
    assert run_ingest(reports, "--index", tmp_path / "index") == 0
    milvus = open_index(tmp_path / "index")
    monkeypatch.setenv("REPORTQA_BACKEND", "faiss")
    faiss = open_index(tmp_path / "index")
    for question in QUESTIONS:
        assert [hit.chunk_id for hit in milvus.search(question, 5)] == [hit.chunk_id for hit in faiss.search(question, 5)]


def test_the_collection_mirrors_the_index_and_a_stale_one_is_refused(reports, tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTQA_MILVUS_URI", str(tmp_path / "milvus.db"))
    assert run_ingest(reports, "--index", tmp_path / "index") == 0  # built with FAISS: Milvus holds nothing
    settings = Settings.from_env(index_dir=str(tmp_path / "index"), backend="milvus")
    passages = len(open_index(tmp_path / "index").chunks)
    with pytest.raises(IndexUnusable, match=r"holds 0 passages .* REPORTQA_BACKEND=milvus to fill it"):
        opened_milvus(settings, passages)
    monkeypatch.setenv("REPORTQA_BACKEND", "milvus")
    assert run_ingest(reports, "--index", tmp_path / "index") == 0
    collection = opened_milvus(settings, passages)
    assert collection is not None and collection.count() == passages
    assert collection.name == collection_of(settings) == "reportqa_index"
    keys, scores = collection.lexical("养老床位", 3, "")
    assert len(keys) and np.all(np.diff(scores) <= 0)


def test_a_sync_upserts_only_what_changed(tmp_path):
    collection = MilvusCollection(Settings.from_env(index_dir=str(tmp_path / "index"), backend="milvus"))
    vectors = np.eye(3, 8, dtype=np.float32)
    fields = [{"doc_id": "d", "place": "嘉定区", "level": "county", "year": 2021, "doc_type": "政府工作报告"}] * 3
    assert collection.sync([1, 2, 3], ["养老床位", "预算收入", "上市企业"], vectors, fields) == (3, 0)
    assert collection.sync([1, 2, 3], ["养老床位", "预算收入", "上市企业"], vectors, fields) == (0, 0)
    assert collection.sync([1, 3, 4], ["养老床位", "上市企业 新增", "汽车产业"], vectors, fields) == (2, 1)
    assert collection.count() == 3 and collection.dense(vectors[2], 1, "year == 2021")[0].tolist() == [4]


def test_filters_become_milvus_expressions():
    assert milvus_expression(SearchFilters(), None) == ""
    assert milvus_expression(SearchFilters(year=2020), {"嘉定区", "上海市"}) == 'place in ["上海市", "嘉定区"] and year == 2020'
    assert milvus_expression(SearchFilters(doc_type='a"b', report_years=(2019, 2020)), None) == (
        'doc_type == "a\\"b" and (doc_type != "政府工作报告" or year in [2019, 2020])')
    assert milvus_expression(SearchFilters(place="x"), set()) is None


@pytest.mark.parametrize("setting, value", [("backend", "elastic"), ("milvus_analyser", "ik")])
def test_an_unknown_backend_or_analyser_is_named(tmp_path, setting, value):
    with pytest.raises(InputError, match=f"REPORTQA_{setting.upper()}={value!r}"):
        opened_milvus(Settings.from_env(index_dir=str(tmp_path), **{setting: value}), 0)
