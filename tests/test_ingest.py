import json
from pathlib import Path

import pytest
from conftest import SMALL_REPORT
from fakes import BigramEmbedder
from test_faults import QINGPU

import ingest
from reportqa.indexing import passages, store
from reportqa.indexing.lexical import ReportAnalyser
from reportqa.text import sentences


def run(args, embedder=None):
    return ingest.main([str(a) for a in args], embedder=embedder or BigramEmbedder())


def read_index(index):
    """The manifest and chunk records as the index holds them, their source paths absolute."""
    return store.read_manifest(index), [chunk.to_json() for chunk in store.read_chunks(index)]


def test_gbk_copy_yields_the_same_chunks_as_utf8(write_file, tmp_path):
    utf8 = write_file("utf8/report.txt", SMALL_REPORT)
    gbk = write_file("gbk/report.txt", SMALL_REPORT, encoding="gbk")
    assert run([utf8, "--index", tmp_path / "a"]) == 0
    assert run([gbk, "--index", tmp_path / "b"]) == 0
    _, first = read_index(tmp_path / "a")
    _, second = read_index(tmp_path / "b")
    # Ids name the file they come from (two folders, two ids); everything else is the same.
    strip = lambda chunks: [{k: v for k, v in c.items() if k not in ("source_file", "doc_id", "chunk_id")}
                            for c in chunks]
    assert first and strip(first) == strip(second)


def test_bad_files_are_named_and_the_rest_is_ingested(write_file, tmp_path, capsys):
    good = write_file("in/report.txt", SMALL_REPORT)
    write_file("in/empty.txt", b"")
    write_file("in/binary.txt", bytes(range(256)) * 4)
    write_file("in/corrupt.pdf", b"%PDF-1.4 garbage")
    status = run([good.parent, "--index", tmp_path / "index"])
    assert status == 1
    errors = capsys.readouterr().err
    for name in ("empty.txt", "binary.txt", "corrupt.pdf"):
        assert name in errors
    manifest, chunks = read_index(tmp_path / "index")
    assert [d["source_file"] for d in manifest["documents"]] == [str(good)]
    assert chunks and {e["path"].split("/")[-1] for e in manifest["errors"]} == {"empty.txt", "binary.txt", "corrupt.pdf"}


def test_interrupted_run_leaves_the_previous_index_intact(small_index, write_file, tmp_path, monkeypatch):
    report = write_file("more/report.txt", SMALL_REPORT.replace("新增上市企业4家", "新增上市企业5家"))
    before = {p: p.read_bytes() for p in sorted(small_index.rglob("*")) if p.is_file()}

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(passages, "write_chunks", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run([report, "--index", small_index])
    assert {p: p.read_bytes() for p in sorted(small_index.rglob("*")) if p.is_file()} == before
    # Only the writer lock's file stays: no staging folder.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".index")] == [".index.lock"]


def test_missing_path_is_a_usage_error(tmp_path, capsys):
    assert run([tmp_path / "nope.txt", "--index", tmp_path / "index"]) == 2
    assert "nope.txt" in capsys.readouterr().err


def chunk_ids(index):
    return [c["chunk_id"] for c in read_index(index)[1]]


def test_rerun_with_nothing_changed_embeds_nothing(small_index, tmp_path, capsys):
    before = read_index(small_index)
    embedder = BigramEmbedder()
    assert run([tmp_path / "reports", "--index", small_index], embedder) == 0
    assert embedder.embedded_passages == []
    assert "(0 embedded," in capsys.readouterr().out
    assert read_index(small_index)[1] == before[1]


def test_adding_a_report_embeds_only_its_chunks(small_index, write_file, tmp_path):
    extra = write_file("more/extra.txt", "2021年青浦区人民政府工作报告\n\n一、2020年工作回顾\n\n"
                       "进博会服务保障圆满完成。新增养老床位1049张、社区综合为老服务中心2家。\n\n"
                       "二、2021年主要任务\n\n实现地区生产总值增长6.5%，区级一般公共预算收入220.6亿元。\n")
    embedder = BigramEmbedder()
    assert run([extra, "--index", small_index], embedder) == 0
    manifest, chunks = read_index(small_index)
    new = [c for c in chunks if c["source_file"] == str(extra)]
    new_sentences = {sentence for c in new for sentence in sentences(c["text"])}
    assert new and sorted(embedder.embedded_passages) == sorted([c["index_text"] for c in new] + [*new_sentences])
    assert {s["path"].split("/")[-1] for s in manifest["sources"]} == {"jiading.txt", "songjiang.txt", "extra.txt"}


def test_changed_file_re_embeds_only_changed_passages(small_index, write_file, tmp_path):
    changed = SMALL_REPORT.replace("新增上市企业4家", "新增上市企业5家")
    write_file("reports/jiading.txt", changed)
    embedder = BigramEmbedder()
    assert run([tmp_path / "reports", "--index", small_index], embedder) == 0
    passages = [c for c in read_index(small_index)[1] if "jiading" in c["source_file"]]
    embedded_passages = [text for text in embedder.embedded_passages if text in {c["index_text"] for c in passages}]
    assert embedded_passages and all("示例区" in text for text in embedded_passages)
    assert any("新增上市企业5家" in text for text in embedded_passages)
    assert len(embedded_passages) < len(passages)
    # Of the sentences, only the changed one is new.
    assert set(embedder.embedded_passages) - set(embedded_passages) == {"新增上市企业5家。"}


def test_deleted_file_leaves_the_index_and_search(small_index, tmp_path, capsys):
    (tmp_path / "reports" / "songjiang.txt").unlink()
    assert run([tmp_path / "reports", "--index", small_index]) == 0
    assert "songjiang.txt (file no longer exists)" in capsys.readouterr().out
    assert chunk_ids(small_index) and not [c for c in chunk_ids(small_index) if c.startswith("songjiang")]
    from reportqa.search.hybrid import SearchIndex
    from reportqa.settings import Settings

    index = SearchIndex.open(Settings.from_env(index_dir=str(small_index)), BigramEmbedder())
    assert all(hit.district == "嘉定区" for hit in index.search("松江G60科创走廊", k=20))


def test_remove_drops_a_file_that_still_exists(small_index, tmp_path):
    songjiang = tmp_path / "reports" / "songjiang.txt"
    assert run(["--remove", songjiang, tmp_path / "reports" / "jiading.txt", "--index", small_index]) == 0
    assert {c["source_file"] for c in read_index(small_index)[1]} == {str(tmp_path / "reports" / "jiading.txt")}


def test_index_of_an_older_format_is_refused_with_the_rebuild_command(small_index, tmp_path, capsys):
    manifest_path = small_index / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["format_version"] = 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert run([tmp_path / "reports", "--index", small_index]) == 2
    assert "--rebuild" in capsys.readouterr().err
    assert run([tmp_path / "reports", "--index", small_index, "--rebuild"]) == 0


def test_index_holds_no_pickle(shared_small_index):
    import numpy as np

    for path in shared_small_index.rglob("*.npy"):
        np.load(path, allow_pickle=False)
    names = {p.relative_to(shared_small_index).as_posix() for p in shared_small_index.rglob("*") if p.is_file()}
    assert {"manifest.json", "chunks.jsonl", "embeddings.npy", "dense.faiss", "bm25/vocab.index.json"} <= names
    assert not [n for n in names if n.endswith((".pkl", ".pickle", ".joblib"))]


def test_an_index_of_the_previous_format_is_updated_without_embedding_again(small_index, capsys):
    manifest = json.loads((small_index / "manifest.json").read_text(encoding="utf-8"))
    for key in ("generation", "files", "counts"):
        del manifest[key]
    reports = small_index.parent / "reports"
    manifest.update(format_version=3, sources=[{**s, "path": str(reports / Path(s["path"]).name)}
                                               for s in manifest["sources"]])
    (small_index / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    embedder = BigramEmbedder()
    assert run([reports, "--index", small_index], embedder) == 0 and embedder.embedded_passages == []
    assert store.read_manifest(small_index)["format_version"] == store.FORMAT_VERSION
    assert len(store.read_manifest(small_index)["documents"]) == 2


def test_an_update_reuses_the_sentences_analysed_before(small_index, write_file, monkeypatch):
    before = passages.stored_terms(small_index)
    analysed = []
    original = ReportAnalyser.__call__

    def counting(self, text):
        analysed.append(text)
        return original(self, text)

    monkeypatch.setattr(ReportAnalyser, "__call__", counting)
    extra = write_file("more/qingpu.txt", QINGPU)
    assert run([extra, "--index", small_index]) == 0
    after = passages.stored_terms(small_index)
    assert before and all(after[text] == terms for text, terms in before.items())
    assert not set(analysed) & set(before) - set(sentences(QINGPU))  # none of the old sentences analysed again
    assert any("进博会服务保障圆满完成" in text for text in set(after) - set(before))
