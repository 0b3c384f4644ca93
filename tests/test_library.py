"""The library service (reportqa.ui.library) and ``python -m reportqa documents``: one implementation for the
文库 page, the API and the command line."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from conftest import COUNTY_REPORT, SMALL_REPORT, write_docx, writer_held
from fakes import BigramEmbedder

from reportqa.errors import IndexBusy
from reportqa.settings import Settings
from reportqa.ui import cli
from reportqa.ui.catalogue import safe_name
from reportqa.ui.library import Library, LibraryError, Upload

QUESTION = "婺源县2023年接待游客多少人次？"


def open_library(index: Path, **overrides) -> Library:
    settings = Settings.from_env(index_dir=str(index), relevance_threshold=0.0, generator="extractive", **overrides)
    return Library(settings, BigramEmbedder())


@pytest.fixture
def county_docx(tmp_path) -> Path:
    """The county report as a docx, in a folder of its own (as an upload arrives)."""
    return write_docx(tmp_path / "incoming" / "婺源县2024年政府工作报告.docx", COUNTY_REPORT)


def test_an_upload_is_copied_indexed_and_searchable_at_once(small_index, county_docx):
    library = open_library(small_index)
    before = library.current()
    stages = []
    change = library.add([Upload(str(county_docx), county_docx.name)], progress=lambda *step: stages.append(step))

    [outcome] = change.files
    assert outcome.error is None and outcome.name == county_docx.name
    [document] = outcome.documents
    assert document["place"] == "婺源县" and document["year"] == 2024 and document["passages"] > 0
    kept = Path(outcome.path)
    assert kept.parent == Path(library.settings.upload_folder()).resolve() and kept.name == county_docx.name
    assert {stage for stage, _, _ in stages} == {"read", "embed", "write"}
    assert ("read", 3, 3) in stages  # the two reports already there and the new one
    assert change.documents == 3

    served = library.current()
    assert served is not before and "婺源县" in served.index.places()
    hits = served.retriever.retrieve(QUESTION, 3).hits
    assert "2680万人次" in hits[0].text
    assert before.index.places() == ["嘉定区", "松江区"]  # a request that began before still has the old index
    entry = next(entry for entry in library.documents() if entry["place"] == "婺源县")
    assert entry["file_name"] == county_docx.name and entry["added"]


def test_removing_a_report_takes_it_out_and_deletes_the_uploaded_copy(small_index, county_docx):
    library = open_library(small_index)
    outcome = library.add([Upload(str(county_docx), county_docx.name)]).files[0]
    doc_id = outcome.documents[0]["doc_id"]

    change = library.remove([doc_id])
    assert [entry["doc_id"] for entry in change.removed] == [doc_id]
    assert not Path(outcome.path).exists()
    assert "婺源县" not in library.current().index.places()
    assert change.documents == 2


def test_removing_by_file_name_keeps_a_bundled_file_on_disk(small_index):
    library = open_library(small_index)
    change = library.remove(["songjiang.txt"])
    assert [entry["place"] for entry in change.removed] == ["松江区"]
    assert (small_index.parent / "reports" / "songjiang.txt").exists()  # not an upload: only unindexed
    with pytest.raises(LibraryError, match="empty"):
        library.remove(["jiading.txt"])
    with pytest.raises(LibraryError, match="no indexed report"):
        library.remove(["nothing.txt"])


def test_a_refused_file_gets_its_reason_and_leaves_no_copy(small_index, tmp_path, county_docx):
    library = open_library(small_index, max_file_mb=1)
    blank = tmp_path / "blank.txt"
    blank.write_text("   \n", encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_bytes(SMALL_REPORT.encode() * 2000)
    sheet = tmp_path / "table.xlsx"
    sheet.write_bytes(b"PK")
    change = library.add([Upload(str(path)) for path in (blank, big, sheet, county_docx)])

    reasons = {outcome.name: outcome.error for outcome in change.files}
    assert "over the 1 MB limit" in reasons["big.txt"]
    assert "not a report file type" in reasons["table.xlsx"]
    assert reasons["blank.txt"] and reasons[county_docx.name] is None
    codes = {outcome.name: outcome.code for outcome in change.files}
    assert codes == {"blank.txt": "unreadable", "big.txt": "size", "table.xlsx": "type", county_docx.name: None}
    kept = sorted(path.name for path in Path(library.settings.upload_folder()).iterdir())
    assert kept == [county_docx.name]  # the blank file was copied, read, refused and deleted again


def test_too_many_files_are_refused_before_anything_is_read(small_index, tmp_path):
    library = open_library(small_index, max_upload_files=2)
    with pytest.raises(LibraryError, match="at most 2"):
        library.add([Upload(str(tmp_path / f"{n}.txt")) for n in range(3)])


def test_a_second_change_is_told_the_index_is_busy_and_the_index_is_unchanged(small_index, county_docx):
    library = open_library(small_index)
    with writer_held(library.settings.index_dir), pytest.raises(IndexBusy):
        library.add([Upload(str(county_docx))])
    assert len(library.documents()) == 2
    assert not list(Path(library.settings.upload_folder()).glob("*.docx"))


def test_a_failed_write_leaves_the_index_and_no_copy(small_index, county_docx, monkeypatch):
    library = open_library(small_index)
    before = library.documents()

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("reportqa.ui.library.update_index", broken)
    with pytest.raises(OSError):
        library.add([Upload(str(county_docx), county_docx.name)])
    assert library.documents() == before
    assert open_library(small_index).documents() == before
    assert not list(Path(library.settings.upload_folder()).glob("*.docx"))


def test_the_same_name_twice_keeps_both_files(small_index, tmp_path, county_docx):
    library = open_library(small_index)
    library.add([Upload(str(county_docx), "report.docx")])
    other = write_docx(tmp_path / "other" / "report.docx", COUNTY_REPORT.replace("2680万", "2790万"))
    outcome = library.add([Upload(str(other), "report.docx")]).files[0]
    assert Path(outcome.path).name == "report (2).docx"
    assert safe_name("../../etc/passwd.TXT") == "passwd.txt" and safe_name(".hidden.txt") == "hidden.txt"


def test_a_change_by_another_process_is_served_on_the_next_request(small_index, county_docx, monkeypatch):
    import reportqa.ui.library as library_module

    library = open_library(small_index)
    other = open_library(small_index)
    other.add([Upload(str(county_docx), county_docx.name)])
    monkeypatch.setattr(library_module, "_RECHECK_SECONDS", 0.0)
    assert "婺源县" in library.current().index.places()


def test_the_command_line_lists_adds_and_removes(small_index, county_docx, monkeypatch):
    monkeypatch.setattr("reportqa.ui.library.make_embedder", lambda _settings: BigramEmbedder())
    index = ["--index", str(small_index)]

    def run(*args: str) -> tuple[int, str]:
        out = StringIO()
        return cli.main(["documents", *args, *index], stdout=out), out.getvalue()

    status, listed = run("list")
    assert status == 0 and "jiading.txt" in listed and "2 reports" in listed
    status, added = run("add", str(county_docx), "--json")
    record = json.loads(added)
    assert status == 0 and record["files"][0]["documents"][0]["place"] == "婺源县"
    assert record["files"][0]["documents"][0]["source_file"] == str(county_docx)  # indexed where it lies
    status, listed = run("list", "--json")
    assert [entry["place"] for entry in json.loads(listed)["documents"]].count("婺源县") == 1
    status, removed = run("remove", county_docx.name)
    assert status == 0 and "removed" in removed and county_docx.exists()
    status, _ = run("remove", "nothing.txt")
    assert status == 2


def test_a_copy_of_an_indexed_report_is_folded_into_it(small_index, tmp_path):
    library = open_library(small_index)
    before = {entry["doc_id"]: entry for entry in library.documents()}
    copy = tmp_path / "copy" / "嘉定区政府工作报告（另存）.txt"
    copy.parent.mkdir()
    copy.write_text(SMALL_REPORT, encoding="utf-8")
    [outcome] = library.add([Upload(str(copy), copy.name)]).files
    assert outcome.error is None and not outcome.documents
    assert outcome.folded_into == ("2021年上海市示例区人民政府工作报告",)
    after = {entry["doc_id"]: entry for entry in library.documents()}
    assert after.keys() == before.keys()  # the indexed report stays the report, with its id
    jiading = next(entry for entry in after.values() if entry["file_name"] == "jiading.txt")
    assert jiading["also_in"] == [copy.name]
