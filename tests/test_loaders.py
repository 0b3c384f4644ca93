import io

import pytest
from conftest import SMALL_REPORT

from reportqa.errors import LoadError
from reportqa.ingest.loaders import load_source


def test_utf8_with_and_without_bom_and_gbk_decode_to_the_same_text(write_file):
    plain = load_source(write_file("a.txt", SMALL_REPORT))
    bom = load_source(write_file("b.txt", "\ufeff" + SMALL_REPORT))
    gbk = load_source(write_file("c.txt", SMALL_REPORT, encoding="gbk"))
    assert plain.text == bom.text == gbk.text == SMALL_REPORT
    assert gbk.encoding == "gb18030"


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n%%EOF", "PDF"),
        ("notes.xlsx", b"PK\x03\x04", "unsupported file type"),
        ("broken.docx", b"not a zip file at all", ".docx"),
    ],
)
def test_bad_files_are_rejected_by_name_with_a_reason(write_file, name, content, reason):
    path = write_file(name, content)
    with pytest.raises(LoadError) as caught:
        load_source(path)
    assert caught.value.path == str(path)
    assert reason in caught.value.reason


def test_pdf_without_text_layer_asks_for_ocr(write_file):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(LoadError, match="OCR"):
        load_source(write_file("scan.pdf", buffer.getvalue()))


def test_html_keeps_main_text_and_drops_navigation_and_scripts(write_file):
    html = """<html><head><title>t</title><script>var x = "脚本";</script></head><body>
    <nav>首页 | 招商中心 | 联系我们</nav>
    <article><h1>2021年示例区政府工作报告</h1><p>一、2020年工作回顾</p><p>新增养老床位774张。</p></article>
    <footer>投稿 400-162-2002</footer></body></html>"""
    source = load_source(write_file("page.html", html, encoding="gbk"))
    assert "新增养老床位774张。" in source.text
    assert "一、2020年工作回顾" in source.text.splitlines()
    for noise in ("脚本", "招商中心", "400-162-2002"):
        assert noise not in source.text


def test_docx_paragraphs_become_lines(write_file, tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("一、2020年工作回顾")
    document.add_paragraph("新增养老床位774张。")
    path = tmp_path / "report.docx"
    document.save(path)
    source = load_source(path)
    assert source.text.split("\n\n") == ["一、2020年工作回顾", "新增养老床位774张。"]
