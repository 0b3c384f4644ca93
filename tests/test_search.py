import json
from pathlib import Path

import numpy as np
import pytest
from fakes import BigramEmbedder

import ingest
from reportqa.errors import IndexUnusable
from reportqa.indexing import store
from reportqa.indexing.dense import EXACT_UP_TO, LARGE_TYPE, DenseIndex, resolve_type
from reportqa.indexing.lexical import LexicalIndex, ReportAnalyser
from reportqa.search import hybrid as search
from reportqa.search.fusion import reciprocal_rank_fusion
from reportqa.search.hybrid import SearchFilters, SearchIndex
from reportqa.settings import Settings
from reportqa.ui import cli


def open_index(index, embedder=None):
    return SearchIndex.open(Settings.from_env(index_dir=str(index)), embedder or BigramEmbedder())


def test_analyser_keeps_domain_words_whole_and_drops_stopwords():
    tokens = ReportAnalyser()("“十四五”期间嘉定区推进一网通办，多少个？")
    assert {"十四五", "嘉定区", "嘉定", "一网通办"} <= set(tokens)
    assert not {"多少", "，", "？", "“"} & set(tokens)


def test_analyser_normalises_full_width_forms_like_the_index():
    analyse = ReportAnalyser()
    assert analyse("ＰＭ２．５浓度") == analyse("PM2.5浓度")


def test_bm25_scores_rank_the_passage_with_the_rare_term_first():
    analyse = ReportAnalyser()
    passages = ["新增养老床位774张", "新增绿地120公顷", "新增上市企业4家"]
    lexical = LexicalIndex.build([analyse(p) for p in passages])
    scores = lexical.scores(analyse("养老床位新增了多少"))
    assert int(np.argmax(scores)) == 0
    assert lexical.scores(analyse("完全无关的词语")).tolist() == [0.0, 0.0, 0.0]


def test_bm25_round_trips_through_disk_without_pickle(tmp_path):
    analyse = ReportAnalyser()
    lexical = LexicalIndex.build([analyse("旧区改造"), analyse("生态环境")])
    lexical.save(tmp_path / "bm25")
    assert not [p for p in (tmp_path / "bm25").iterdir() if p.suffix in (".pkl", ".pickle")]
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert loaded.scores(analyse("旧区改造")).tolist() == lexical.scores(analyse("旧区改造")).tolist()


@pytest.mark.parametrize("index_type", ["Flat", "HNSW32"])
def test_dense_search_respects_allowed_rows(index_type):
    vectors = np.eye(4, dtype=np.float32)
    dense = DenseIndex.build(vectors, index_type)
    rows, _ = dense.search(vectors[2], 2)
    assert rows[0] == 2
    rows, _ = dense.search(vectors[2], 2, allowed=np.array([0, 3]))
    assert sorted(rows.tolist()) == [0, 3]


def _clustered(n=3000, d=16, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(30, d))
    vectors = centres[rng.integers(30, size=n)] + rng.normal(0, 0.3, (n, d))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("index_type", ["HNSW32", "IVF", "auto"])
def test_approximate_and_sized_types_find_what_exact_search_finds(tmp_path, index_type):
    vectors = _clustered()
    exact = DenseIndex.build(vectors, "Flat")
    dense = DenseIndex.build(vectors, index_type)
    dense.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss", vectors)
    queries = _clustered(20, seed=1)
    recall = np.mean([len(set(loaded.search(q, 20)[0].tolist()) & set(exact.search(q, 20)[0].tolist())) / 20
                      for q in queries])
    assert recall >= 0.9
    # A filter leaving few rows is scored exactly, whatever the index type.
    allowed = np.arange(0, 3000, 7)
    for query in queries[:5]:
        assert loaded.search(query, 10, allowed)[0].tolist() == exact.search(query, 10, allowed)[0].tolist()


def test_sized_types_follow_the_collection():
    assert resolve_type("auto", 754) == "Flat"
    assert resolve_type("auto", 10 * EXACT_UP_TO) == resolve_type(LARGE_TYPE, 10 * EXACT_UP_TO) == "IVF2048,Flat"
    assert resolve_type("IVF", 1_000_000) == "IVF4096,Flat"
    assert resolve_type("IVF", 100) == "IVF2,Flat"  # at least 39 training vectors a list
    assert resolve_type("HNSW32", 10) == "HNSW32"


def test_unknown_faiss_type_is_a_clear_error():
    with pytest.raises(ValueError, match="REPORTQA_FAISS_INDEX"):
        DenseIndex.build(np.eye(4, dtype=np.float32), "NoSuchIndex")


def test_rrf_rewards_agreement_and_weights_lists():
    fused = reciprocal_rank_fusion([[1, 2, 3], [2, 3, 9]], [1.0, 1.0], k=60)
    assert [row for row, _ in fused][:2] == [2, 3]
    lexical_only = reciprocal_rank_fusion([[1, 2], [2, 1]], [0.0, 1.0])
    assert lexical_only[0][0] == 2


def test_known_question_returns_its_passage_first(shared_small_index):
    hits = open_index(shared_small_index).search("嘉定2020年新增了多少张养老床位？", k=3)
    assert "新增养老床位774张" in hits[0].text
    first = hits[0]
    assert (first.district, first.year, first.doc_type) == ("嘉定区", 2021, "政府工作报告")
    assert [hit.rank for hit in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_filters_restrict_hits_to_one_district_and_accept_short_names(shared_small_index):
    index = open_index(shared_small_index)
    for name in ("松江区", "松江"):
        hits = index.search("新增上市企业", k=10, filters=SearchFilters(place=name))
        assert hits and {hit.district for hit in hits} == {"松江区"}
    assert index.search("新增上市企业", k=5, filters=SearchFilters(year=1999)) == []
    with pytest.raises(ValueError, match="unknown place '浦东'"):
        index.search("新增上市企业", filters=SearchFilters(place="浦东"))


def test_hit_carries_provenance_that_points_into_the_source(shared_small_index):
    hit = open_index(shared_small_index).search("G60科创走廊", k=1)[0]
    source = Path(hit.source_file).read_text(encoding="utf-8")
    assert "G60" in source[hit.char_start:hit.char_end]
    assert set(hit.to_json()) >= {"rank", "score", "chunk_id", "doc_id", "title", "district", "year", "doc_type",
                                  "section", "text", "source_file", "char_start", "char_end"}


def test_index_of_another_model_is_refused_with_the_rebuild_command(shared_small_index, monkeypatch):
    monkeypatch.setenv("REPORTQA_EMBED_MODEL", "BAAI/bge-base-zh-v1.5")
    with pytest.raises(IndexUnusable, match="--rebuild"):
        SearchIndex.open(Settings.from_env(index_dir=str(shared_small_index)), BigramEmbedder())


def test_damaged_index_is_refused(small_index):
    lines = (small_index / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    (small_index / "chunks.jsonl").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(IndexUnusable, match="damaged"):
        open_index(small_index)


@pytest.mark.parametrize("damage", ["missing", "short"])
def test_index_whose_sentence_vectors_do_not_fit_its_passages_is_refused(small_index, damage):
    path = small_index / "sentences.npy"
    if damage == "missing":
        path.unlink()
    else:
        np.save(path, np.load(path)[:-1])
    with pytest.raises(IndexUnusable, match="rebuild"):
        open_index(small_index)


def test_hits_carry_the_rescoring_features(shared_small_index):
    hits = open_index(shared_small_index).search("新增养老床位多少张", k=3, want_figure=True)
    assert 0 < hits[0].coverage <= 1 and hits[0].sentence_score is not None
    assert "新增养老床位774张" in hits[0].text


@pytest.fixture
def fake_model(monkeypatch):
    embedder = BigramEmbedder()
    monkeypatch.setattr(search, "make_embedder", lambda _settings: embedder)
    return embedder


def test_cli_prints_readable_hits(shared_small_index, fake_model, capsys):
    assert cli.main(["search", "松江地区生产总值", "-k", "2", "--index", str(shared_small_index)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("理解: ") and "区=松江区" in out.splitlines()[0]
    assert "\n 1. [" in out and "2021年松江区人民政府工作报告 › " in out and "1688亿元" in out


def test_cli_literal_search_skips_question_understanding(shared_small_index, fake_model, capsys):
    assert cli.main(["search", "松江地区生产总值", "--literal", "--json", "--index", str(shared_small_index)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["understood"] is None
    assert "嘉定区" in {hit["district"] for hit in result["hits"]}


def test_cli_json_has_the_documented_fields(shared_small_index, fake_model, capsys):
    assert cli.main(["search", "上市企业", "--json", "--district", "嘉定", "--index", str(shared_small_index)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["question"] == "上市企业"
    assert result["hits"] and {hit["district"] for hit in result["hits"]} == {"嘉定区"}


def test_cli_batch_answers_every_line_in_order(shared_small_index, fake_model, tmp_path, capsys):
    batch = tmp_path / "questions.jsonl"
    questions = ["松江新增上市企业几家", "嘉定养老床位", "对口帮扶的县"]
    batch.write_text("".join(json.dumps({"question": q}, ensure_ascii=False) + "\n" for q in questions),
                     encoding="utf-8")
    assert cli.main(["search", "--batch", str(batch), "-k", "3", "--index", str(shared_small_index)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["question"] for line in lines] == questions
    assert all(len(line["hits"]) == 3 for line in lines)
    assert fake_model.loads <= 1


def test_cli_batch_names_the_bad_line(shared_small_index, fake_model, tmp_path, capsys):
    batch = tmp_path / "questions.jsonl"
    batch.write_text('{"question": "嘉定"}\n{"q": "no question"}\n', encoding="utf-8")
    assert cli.main(["search", "--batch", str(batch), "--index", str(shared_small_index)]) == 2
    assert f"{batch}:2" in capsys.readouterr().err


def test_cli_without_index_says_how_to_build_it(tmp_path, fake_model, capsys):
    assert cli.main(["search", "嘉定", "--index", str(tmp_path / "none")]) == 2
    assert "python ingest.py" in capsys.readouterr().err


def test_cli_reports_input_errors_but_lets_a_bug_through(shared_small_index, fake_model, monkeypatch, capsys):
    assert cli.main(["search", "嘉定", "--district", "浦东", "--index", str(shared_small_index)]) == 2
    assert "unknown place" in capsys.readouterr().err

    def broken(*_args, **_kwargs):
        raise ValueError("a bug, not a usage error")

    monkeypatch.setattr(cli, "run_search", broken)
    with pytest.raises(ValueError, match="a bug"):
        cli.main(["search", "嘉定", "--index", str(shared_small_index)])


def test_ingest_refuses_an_index_of_another_model_unless_rebuilt(small_index, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REPORTQA_EMBED_MODEL", "BAAI/bge-base-zh-v1.5")
    assert ingest.main([str(tmp_path / "reports"), "--index", str(small_index)], embedder=BigramEmbedder()) == 2
    assert "--rebuild" in capsys.readouterr().err
    assert ingest.main([str(tmp_path / "reports"), "--index", str(small_index), "--rebuild"],
                       embedder=BigramEmbedder()) == 0
    manifest = json.loads((small_index / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedding"]["model"] == "BAAI/bge-base-zh-v1.5"


def test_langchain_retriever_returns_documents_with_provenance(shared_small_index):
    from reportqa.search.langchain_adapter import ReportRetriever
    from reportqa.search.retrieval import Retriever

    retriever = ReportRetriever(retriever=Retriever(open_index(shared_small_index)), k=2)
    documents = retriever.invoke("松江新增上市企业几家？")
    assert len(documents) == 2
    assert all(doc.metadata["district"] == "松江区" for doc in documents)
    assert documents[0].id == documents[0].metadata["chunk_id"]
    assert {"title", "section", "source_file", "char_start", "char_end", "score"} <= set(documents[0].metadata)
    filtered = ReportRetriever(retriever=Retriever(open_index(shared_small_index)), k=3, place="嘉定")
    assert {doc.metadata["district"] for doc in filtered.invoke("新增上市企业")} == {"嘉定区"}


def test_stored_rows_read_slices_and_rows_as_the_array_holds_them(tmp_path):
    array = np.arange(40, dtype=np.float32).reshape(10, 4)
    np.save(tmp_path / "rows.npy", array)
    rows = store.stored_rows(tmp_path, "rows.npy")
    assert len(rows) == 10 and rows.shape == (10, 4)
    assert np.array_equal(rows[2:5], array[2:5]) and rows[7:7].shape == (0, 4)
    assert np.array_equal(rows[np.array([9, 0, 3])], array[[9, 0, 3]])
    with pytest.raises(IndexError):
        rows[np.array([10])]
    assert store.stored_rows(tmp_path, "missing.npy") is None
    (tmp_path / "short.npy").write_bytes((tmp_path / "rows.npy").read_bytes()[:-8])
    with pytest.raises(IndexUnusable, match="short.npy"):
        store.stored_rows(tmp_path, "short.npy")
