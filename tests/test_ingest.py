import json

import pytest

import ingest
from conftest import SMALL_REPORT
from reportqa import store


def run(args):
    return ingest.main([str(a) for a in args])


def read_index(index):
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    chunks = [json.loads(line) for line in (index / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    return manifest, chunks


def test_gbk_copy_yields_the_same_chunks_as_utf8(write_file, tmp_path):
    utf8 = write_file("utf8/report.txt", SMALL_REPORT)
    gbk = write_file("gbk/report.txt", SMALL_REPORT, encoding="gbk")
    assert run([utf8, "--index", tmp_path / "a"]) == 0
    assert run([gbk, "--index", tmp_path / "b"]) == 0
    _, first = read_index(tmp_path / "a")
    _, second = read_index(tmp_path / "b")
    strip = lambda chunks: [{k: v for k, v in c.items() if k != "source_file"} for c in chunks]
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


def test_interrupted_run_leaves_the_previous_index_intact(write_file, tmp_path, monkeypatch):
    report = write_file("report.txt", SMALL_REPORT)
    index = tmp_path / "index"
    assert run([report, "--index", index]) == 0
    before = {p.name: p.read_bytes() for p in index.iterdir()}

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "write_chunks", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run([report, "--index", index])
    assert {p.name: p.read_bytes() for p in index.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".index")] == []


def test_swap_interrupted_between_renames_is_recovered(tmp_path):
    index = tmp_path / "index"
    retired = tmp_path / ".index.retired-123"
    retired.mkdir()
    (retired / "manifest.json").write_text("{}")
    store.recover_interrupted_swap(index)
    assert (index / "manifest.json").exists() and not retired.exists()


def test_missing_path_is_a_usage_error(tmp_path, capsys):
    assert run([tmp_path / "nope.txt", "--index", tmp_path / "index"]) == 2
    assert "nope.txt" in capsys.readouterr().err
