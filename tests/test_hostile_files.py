"""Hostile and oversized report files: each is refused by name, quickly and in bounded memory, and spares the rest."""

import io
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SMALL_REPORT
from fakes import BigramEmbedder

import ingest
from reportqa.errors import LoadError
from reportqa.indexing import store
from reportqa.ingest.loaders import FileLimits, load_source

DEEP = 100_000
PARAGRAPH = "<w:p><w:r><w:t>新增养老床位774张。</w:t></w:r></w:p>".encode()


def write_docx(path: Path, body_chunks, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A .docx (python-docx's blank one) whose body is ``body_chunks`` of WordprocessingML, written as they come,
    so a part of 100 MB never is in memory whole."""
    import docx

    blank = io.BytesIO()
    docx.Document().save(blank)
    with zipfile.ZipFile(blank) as source, zipfile.ZipFile(path, "w", compression) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info.filename, source.read(info.filename))
        head = source.read("word/document.xml").split(b"<w:body>")[0] + b"<w:body>"
        with target.open("word/document.xml", "w") as part:
            part.write(head)
            for chunk in body_chunks:
                part.write(chunk)
            part.write(b"</w:body></w:document>")
    return path


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:
    """A .docx of about 330 KB whose document.xml unzips to 101 MB: one paragraph repeated 1.8 million times."""
    block = PARAGRAPH * (1024 * 1024 // len(PARAGRAPH))
    return write_docx(tmp_path_factory.mktemp("bomb") / "bomb.docx", (block for _ in range(101)))


def test_html_nested_100k_levels_is_read_in_linear_time(write_file):
    path = write_file("deep.html", "<div>" * DEEP + "新增养老床位774张。" + "</div>" * DEEP)
    started = time.perf_counter()
    source = load_source(path)
    assert time.perf_counter() - started < 10  # BeautifulSoup took 52 s at 20,000 levels, quadratic in the depth
    assert source.text == "新增养老床位774张。"
    assert source.encoding == "html/utf-8"


def test_zip_bomb_docx_is_refused_by_its_unzipped_size_quickly(zip_bomb):
    assert zip_bomb.stat().st_size < 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(LoadError) as caught:
        load_source(zip_bomb)
    assert time.perf_counter() - started < 5
    assert caught.value.path == str(zip_bomb)
    assert "over the 100 MB limit (REPORTQA_MAX_DOCX_MB)" in caught.value.reason


def test_zip_bomb_under_the_size_limit_is_refused_by_its_compression_ratio(zip_bomb):
    with pytest.raises(LoadError, match="zip bomb") as caught:
        load_source(zip_bomb, FileLimits(max_docx_bytes=1024**3))
    assert "word/document.xml" in caught.value.reason


# The peak resident memory of this process in KB. Linux's VmHWM is the process's own; its ru_maxrss also
# counts the parent's peak when subprocess started the child with vfork (the test process holds indexes).
PEAK_KB = """
import resource
from pathlib import Path

status = Path("/proc/self/status")
lines = status.read_text().splitlines() if status.exists() else []
print(next((line.split()[1] for line in lines if line.startswith("VmHWM:")),
           resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""


def test_refusing_a_zip_bomb_takes_little_memory(zip_bomb):
    # In a child process, so that its peak memory is the load's own (python-docx on it: 1.3 GB).
    code = ("import sys\n"
            "from reportqa.errors import LoadError\n"
            "from reportqa.ingest.loaders import load_source\n"
            "try:\n    load_source(sys.argv[1])\nexcept LoadError:\n    print('refused')\n" + PEAK_KB)
    done = subprocess.run([sys.executable, "-c", code, str(zip_bomb)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=True)
    refused, peak_kb = done.stdout.split()
    assert refused == "refused"
    assert int(peak_kb) < 500 * 1024


def test_docx_with_a_huge_text_node_gives_a_load_error_not_an_xml_error(tmp_path):
    good = write_docx(tmp_path / "good.docx", [PARAGRAPH])
    assert load_source(good).text == "新增养老床位774张。"
    # Over lxml's 10 MB limit on one text node; stored, not deflated, so no size or ratio limit refuses it first.
    huge = write_docx(tmp_path / "huge.docx", [b"<w:p><w:r><w:t>", b"a" * 11_000_000, b"</w:t></w:r></w:p>"],
                      zipfile.ZIP_STORED)
    with pytest.raises(LoadError) as caught:
        load_source(huge)
    assert caught.value.path == str(huge)
    assert "XMLSyntaxError" in caught.value.reason and "save it as .txt" in caught.value.reason


def test_oversized_file_is_refused_before_it_is_opened(write_file, monkeypatch):
    path = write_file("report.txt", SMALL_REPORT * 3)
    size = path.stat().st_size

    def never(*_args, **_kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", never)
    monkeypatch.setattr(Path, "read_bytes", never)
    with pytest.raises(LoadError) as caught:
        load_source(path, FileLimits(max_file_bytes=1024))
    assert caught.value.path == str(path)
    assert caught.value.reason == (f"the file is {size / 1024:.1f} KB, over the 1 KB limit "
                                   "(REPORTQA_MAX_FILE_MB): split it or raise the limit")


def test_pdf_over_the_page_limit_is_refused(write_file):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(LoadError, match="3 pages, over the 2-page limit \\(REPORTQA_MAX_PDF_PAGES\\)"):
        load_source(write_file("long.pdf", buffer.getvalue()), FileLimits(max_pdf_pages=2))


def test_limits_come_from_the_settings():
    from reportqa.settings import Settings

    assert FileLimits.from_settings(Settings()) == FileLimits()
    limits = FileLimits.from_settings(Settings.from_env({"REPORTQA_MAX_FILE_MB": "2", "REPORTQA_MAX_PDF_PAGES": "9"}))
    assert (limits.max_file_bytes, limits.max_docx_bytes, limits.max_pdf_pages) == (2 * 1024**2, 100 * 1024**2, 9)


@pytest.mark.parametrize(
    "name, content",
    [
        ("fullwidth.txt", "\u3000\u3000\n\u3000\r\n"),
        ("bom.txt", "\ufeff\u3000\n"),
        ("invisible.md", "\u00a0\u200b\u200d\u2060\n\u3000"),
        ("gbk.txt", "\u3000\u3000\n".encode("gbk")),
        ("page.html", "<html><body><nav>首页</nav><script>var a = 1;</script><p>&nbsp;\u3000</p></body></html>"),
    ],
)
def test_whitespace_only_file_is_refused_by_name(write_file, name, content):
    path = write_file(name, content)
    with pytest.raises(LoadError) as caught:
        load_source(path)
    assert caught.value.path == str(path)
    assert "holds no text" in caught.value.reason


def test_ingest_of_a_folder_with_hostile_files_indexes_the_good_one(write_file, zip_bomb, tmp_path, capsys,
                                                                   monkeypatch):
    good = write_file("in/report.txt", SMALL_REPORT)
    shutil.copy(zip_bomb, tmp_path / "in" / "bomb.docx")
    write_docx(tmp_path / "in" / "huge.docx", [b"<w:p><w:r><w:t>", b"a" * 11_000_000, b"</w:t></w:r></w:p>"],
               zipfile.ZIP_STORED)
    write_file("in/deep.html", "<div>" * DEEP + "<nav>首页</nav>" + "</div>" * DEEP)
    write_file("in/blank.txt", "\u3000" * 10)
    write_file("in/big.txt", SMALL_REPORT * 2000)  # 2.4 MB, over the 1 MB set below
    monkeypatch.setenv("REPORTQA_MAX_FILE_MB", "1")
    hostile = {"bomb.docx", "huge.docx", "deep.html", "blank.txt", "big.txt"}
    assert ingest.main([str(good.parent), "--index", str(tmp_path / "index")], embedder=BigramEmbedder()) == 1
    errors = capsys.readouterr().err
    assert all(name in errors for name in hostile)
    assert "REPORTQA_MAX_FILE_MB" in errors
    manifest = store.read_manifest(tmp_path / "index")
    assert [document["source_file"] for document in manifest["documents"]] == [str(good)]
    assert {Path(error["path"]).name for error in manifest["errors"]} == hostile
