"""Fault injection: concurrent writers, a writer killed at every step, damaged index files, moved working
folders, same-named files and edited sources. Each case checks the message a person sees and that no
document already indexed is lost."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import OTHER_REPORT, SMALL_REPORT, open_index
from fakes import BigramEmbedder

import app
import ingest
from reportqa.errors import IndexUnusable
from reportqa.indexing import store, writing
from reportqa.records import Hit
from reportqa.ui import cli
from reportqa.ui.passages import passage_text
from reportqa.ui.render import SOURCE_CHANGED, context_html

ROOT = Path(__file__).resolve().parent.parent
# ``python ingest.py`` in a child process, with the fake embedder (any working folder).
CHILD = (f"import sys; sys.path[:0] = [{str(ROOT / 'tests')!r}, {str(ROOT)!r}]; from fakes import BigramEmbedder; "
         "import ingest; sys.exit(ingest.main(sys.argv[1:], BigramEmbedder()))")
QINGPU = ("2021年青浦区人民政府工作报告\n\n一、2020年工作回顾\n\n进博会服务保障圆满完成。新增养老床位1049张、"
          "社区综合为老服务中心2家。\n\n二、2021年主要任务\n\n实现地区生产总值增长6.5%，区级一般公共预算收入220.6亿元。\n")

MINHANG = ("2021年闵行区人民政府工作报告\n\n一、2020年工作回顾\n\n大零号湾科技创新策源功能区建设加快。全年新增"
           "高新技术企业412家。\n\n二、2021年主要任务\n\n全社会研发投入占地区生产总值比重达到4.5%。\n")


def ingest_child(*args, cwd=None, crash_at=None, **popen):
    environ = {**os.environ, writing.CRASH_AT: crash_at} if crash_at else None
    return subprocess.run([sys.executable, "-c", CHILD, *map(str, args)], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=120, **popen)


def places(index):
    return sorted(document.issuing_place for document in open_index(index).documents.values())


def leftovers(index):
    return sorted(path.name for path in index.parent.iterdir() if path.name.startswith(f".{index.name}.")
                  and not path.name.endswith(".lock"))


def test_a_second_writer_is_told_another_ingest_is_running(small_index, write_file):
    extra = write_file("more/qingpu.txt", QINGPU)
    with writing.writer_lock(small_index):
        busy = ingest_child(extra, "--index", small_index)
    assert busy.returncode == 2 and "another ingest is updating the index" in busy.stderr
    assert "Traceback" not in busy.stderr and places(small_index) == ["嘉定区", "松江区"]


def test_a_writer_told_to_wait_runs_after_the_first(small_index, write_file):
    extra = write_file("more/qingpu.txt", QINGPU)
    lock = writing.writer_lock(small_index)
    lock.__enter__()
    threading.Timer(1.5, lock.__exit__, (None, None, None)).start()
    waited = ingest_child(extra, "--index", small_index, "--wait", "30")
    assert waited.returncode == 0, waited.stderr
    assert places(small_index) == ["嘉定区", "松江区", "青浦区"]


def test_two_ingests_at_once_lose_nothing(small_index, write_file):
    first, second = write_file("a/qingpu.txt", QINGPU), write_file("b/minhang.txt", MINHANG)
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(path), "--index", str(small_index), "--wait", "60"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for path in (first, second)]
    assert [child.wait(timeout=120) for child in children] == [0, 0]
    assert places(small_index) == ["嘉定区", "松江区", "闵行区", "青浦区"] and leftovers(small_index) == []


@pytest.mark.parametrize("step, swapped", [("writing", False), ("written", False), ("flushed", False), ("retired", True),
                                           ("swapped", True)])
def test_a_writer_killed_at_any_step_loses_nothing(small_index, write_file, step, swapped):
    extra = write_file("more/qingpu.txt", QINGPU)
    killed = ingest_child(extra, "--index", small_index, crash_at=step)
    assert killed.returncode == -9
    expected = ["嘉定区", "松江区", "青浦区"] if swapped else ["嘉定区", "松江区"]
    # A reader moves nothing: during a cut swap it reads the newest complete copy where it lies.
    assert places(small_index) == expected
    assert ingest_child("--index", small_index, small_index.parent / "reports").returncode == 0
    assert places(small_index) == expected and leftovers(small_index) == []


def test_recovery_never_restores_an_older_copy(small_index, write_file):
    """An old retired copy (a writer killed long ago, one document) lies beside the index when the next
    writer is killed between its renames: the new index wins."""
    old = small_index.with_name(".index.retired-0")
    os.makedirs(old)
    for path in small_index.iterdir():
        if path.is_file():
            (old / path.name).write_bytes(path.read_bytes())
    manifest = json.loads((old / store.MANIFEST).read_text(encoding="utf-8"))
    (old / store.MANIFEST).write_text(json.dumps({**manifest, "generation": 0}), encoding="utf-8")
    extra = write_file("more/qingpu.txt", QINGPU)
    assert ingest_child(extra, "--index", small_index, crash_at="retired").returncode == -9
    assert ingest_child("--index", small_index, "--check").returncode == 0
    assert ingest_child("--index", small_index, small_index.parent / "reports").returncode == 0
    assert places(small_index) == ["嘉定区", "松江区", "青浦区"] and leftovers(small_index) == []
    assert json.loads((small_index / store.MANIFEST).read_text(encoding="utf-8"))["generation"] == 3


INDEX_FILES = [store.CHUNKS, store.EMBEDDINGS, store.DENSE, store.SENTENCES, store.SENTENCE_OFFSETS,
               "bm25/vocab.index.json", "bm25/params.index.json", "bm25/data.csc.index.npy"]


@pytest.mark.parametrize("damage", ["truncated", "deleted"])
@pytest.mark.parametrize("name", INDEX_FILES)
def test_a_damaged_file_is_one_message_and_ingest_repairs_it(small_index, capsys, name, damage):
    path = small_index / name
    if damage == "deleted":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(IndexUnusable, match=r"is damaged \(.*\): `python ingest.py --index"):
        open_index(small_index)
    assert cli.main(["search", "新增养老床位", "--index", str(small_index)]) == 2
    assert app.main(["--index", str(small_index)]) == 2
    for line in capsys.readouterr().err.splitlines()[-2:]:
        assert line.startswith("error: the index at") and "damaged" in line
    assert ingest.main(["--index", str(small_index), str(small_index.parent / "reports")],
                       embedder=BigramEmbedder()) == 0
    assert places(small_index) == ["嘉定区", "松江区"]


@pytest.mark.parametrize("manifest", ["[]", "{", "", f'{{"format_version": {store.FORMAT_VERSION}}}'])
def test_a_broken_manifest_asks_for_a_rebuild(small_index, capsys, manifest):
    (small_index / store.MANIFEST).write_text(manifest, encoding="utf-8")
    assert cli.main(["search", "养老床位", "--index", str(small_index)]) == 2
    assert ingest.main(["--index", str(small_index)], embedder=BigramEmbedder()) == 2
    errors = capsys.readouterr().err
    assert errors.count("damaged") == 2 and "--rebuild" in errors and "Traceback" not in errors


def test_a_document_missing_from_the_manifest_is_damage(small_index):
    manifest = json.loads((small_index / store.MANIFEST).read_text(encoding="utf-8"))
    manifest["documents"] = manifest["documents"][1:]
    (small_index / store.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(IndexUnusable, match="no such document in the manifest"):
        open_index(small_index)


def test_files_named_alike_in_two_folders_keep_their_own_documents(tmp_path, write_file):
    first, second = write_file("a/report.txt", SMALL_REPORT), write_file("b/report.txt", QINGPU)
    assert ingest.main([str(first), str(second), "--index", str(tmp_path / "index")], embedder=BigramEmbedder()) == 0
    index = open_index(tmp_path / "index")
    assert len(index.documents) == 2
    for chunk in index.chunks:
        expected = "嘉定区" if chunk.source_file == str(first) else "青浦区"
        assert index.documents[chunk.doc_id].issuing_place == expected


def test_ingest_and_search_work_from_any_working_folder(tmp_path, write_file, monkeypatch):
    write_file("project/reports/jiading.txt", SMALL_REPORT)
    write_file("project/reports/songjiang.txt", OTHER_REPORT)
    extra = write_file("elsewhere/qingpu.txt", QINGPU)
    assert ingest_child("reports", "--index", "index", cwd=tmp_path / "project").returncode == 0
    added = ingest_child("../elsewhere/qingpu.txt", "--index", "../project/index", cwd=tmp_path / "elsewhere")
    assert added.returncode == 0, added.stderr
    index = tmp_path / "project" / "index"
    assert places(index) == ["嘉定区", "松江区", "青浦区"]
    manifest = json.loads((index / store.MANIFEST).read_text(encoding="utf-8"))
    assert {source["path"] for source in manifest["sources"]} == {"reports/jiading.txt", "reports/songjiang.txt",
                                                                  str(extra)}
    monkeypatch.chdir(tmp_path / "elsewhere")
    hits = open_index(index).search("新增养老床位", 3)
    assert hits and all("rq-stale" not in context_html(hit) for hit in hits)


def test_an_edited_source_is_shown_as_changed_not_as_wrong_context(small_index):
    source = small_index.parent / "reports" / "jiading.txt"
    hit = next(hit for hit in open_index(small_index).search("新增养老床位", 5) if hit.source_file == str(source))
    assert "774" in passage_text(hit) and "rq-stale" not in context_html(hit)
    source.write_text("前言补充了一段文字。\n\n" + SMALL_REPORT, encoding="utf-8")
    edited: Hit = next(h for h in open_index(small_index).search("新增养老床位", 5) if h.source_file == str(source))
    assert SOURCE_CHANGED in context_html(edited) and passage_text(edited) == edited.text
    check = ingest_child("--index", small_index, "--check")
    assert check.returncode == 1 and "jiading.txt: changed since it was indexed" in check.stderr
