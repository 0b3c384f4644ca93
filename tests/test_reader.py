"""The reader of the library page: one report whole, with its outline, as its source writes it."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from conftest import SECTION_AS_WRITTEN, SMALL_REPORT, build_index, open_index

from reportqa.text import match_form
from reportqa.ui.reader import UNKNOWN_DOCUMENT, document_html
from reportqa.ui.render import SOURCE_CHANGED

NATIONAL_REPORTS = Path(__file__).resolve().parents[1] / "data" / "national"
NATIONAL = "2018年国务院政府工作报告.txt"
_LINK = re.compile(r'<a href="#(rq-read-\d+)">([^<]*)</a>')


def reader_of(index, file_name: str) -> str:
    """The reader's HTML of the one document from ``file_name``."""
    doc_id = next(doc_id for doc_id, document in index.documents.items() if document.source_file.endswith(file_name))
    return document_html(index, doc_id)


def outline_and_text(page: str) -> tuple[str, str]:
    outline = page.split('<nav class="rq-outline"', 1)[1].split("</nav>", 1)[0]
    return outline, page.split('<div class="rq-text">', 1)[1]


def words(markup: str) -> str:
    """The text of some HTML in match form: tags dropped, entities read."""
    return match_form(html.unescape(re.sub(r"<[^>]+>", "", markup)))


def test_the_outline_lists_the_headings_in_order_nested_and_linked_to_the_text(shared_small_index):
    page = reader_of(open_index(shared_small_index), "jiading.txt")
    outline, text = outline_and_text(page)
    links = _LINK.findall(outline)
    assert [label for _, label in links] == ["一、2020年工作回顾", SECTION_AS_WRITTEN, "（二）抓牢发展第一要务",
                                             "二、2021年主要任务", "（一）着力推动新旧动能转换"]
    # Each link leads to the heading it names, an h3 for a chapter and an h4 for a section inside it.
    for anchor, label in links:
        assert re.search(rf'<h[34] id="{anchor}">{re.escape(label)}</h[34]>', text), label
    assert f'<h3 id="{links[0][0]}">' in text and f'<h4 id="{links[1][0]}">' in text
    assert f'{links[0][1]}</a><ul><li><a href="#{links[1][0]}">' in outline
    assert f'{links[2][1]}</a></li></ul></li><li><a href="#{links[3][0]}">' in outline


def test_the_text_is_the_whole_report_as_its_source_writes_it(shared_small_index):
    page = reader_of(open_index(shared_small_index), "jiading.txt")
    _, text = outline_and_text(page)
    assert "<p>过去一年，全区经济稳步恢复。一般公共预算收入完成220.4亿元，同比下降18.6%。</p>" in text
    assert "<p>各位代表：</p>" in text
    assert words(text) == match_form(SMALL_REPORT)
    header = page.split("</header>", 1)[0]
    assert "2021年上海市示例区人民政府工作报告" in header
    assert all(fact in header for fact in ("嘉定区（区县级）", "2021", "政府工作报告", "jiading.txt", "段落：6"))
    assert page.startswith('<article class="rq-reader"') and page.endswith("</article>")


def test_markup_in_a_report_is_shown_as_text(hostile_index):
    page = reader_of(open_index(hostile_index), "hostile.txt")
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;alert(" in page


def test_a_heading_whose_passage_starts_after_a_dropped_line_is_found_before_it(tmp_path, write_file):
    # The ingest drops the link line as noise, so the first passage of （二） starts after it.
    write_file("reports/gap.txt", SMALL_REPORT.replace(
        "（二）抓牢发展第一要务\n\n", "（二）抓牢发展第一要务：示例\n\nhttps://example.com/item/2800318\n"))
    index = open_index(build_index(tmp_path / "reports", tmp_path / "index"))
    section = next(chunk for chunk in index.chunks if chunk.section[-1:] == ("(二)抓牢发展第一要务",))
    assert section.text.startswith("全区增加值")
    outline, text = outline_and_text(reader_of(index, "gap.txt"))
    anchor = dict((label, anchor) for anchor, label in _LINK.findall(outline))["（二）抓牢发展第一要务："]
    assert f'<h4 id="{anchor}">（二）抓牢发展第一要务：</h4><p>示例</p>' in text


def test_a_national_report_shows_its_level_once_and_finds_every_heading(tmp_path):
    index = open_index(indexed_national_report(tmp_path))
    page = reader_of(index, NATIONAL)
    outline, text = outline_and_text(page)
    assert "地区：全国 ·" in page and "全国（全国）" not in page
    links = _LINK.findall(outline)
    assert len(links) > 10 and 'class="rq-anchor"' not in text
    assert all(re.search(rf'<h[345] id="{anchor}">', text) for anchor, _ in links)
    # A heading the ingest cut at a comma (its label) runs on to the end of its sentence.
    assert "（一）坚持稳中求进工作总基调，着力创新和完善宏观调控，经济运行保持在合理区间、实现稳中向好。" in outline


def indexed_national_report(tmp_path):
    """One national report copied under ``tmp_path / "reports"`` and indexed at ``tmp_path / "index"``."""
    (tmp_path / "reports").mkdir()
    shutil.copy(NATIONAL_REPORTS / NATIONAL, tmp_path / "reports" / NATIONAL)
    return build_index(tmp_path / "reports", tmp_path / "index")


@pytest.mark.parametrize("change", ["edited", "removed"])
def test_a_changed_source_shows_the_passages_once_each_under_their_headings(tmp_path, change):
    index = open_index(indexed_national_report(tmp_path))
    source = tmp_path / "reports" / NATIONAL
    original = source.read_text(encoding="utf-8")
    chunks = sorted(index.chunks, key=lambda chunk: chunk.char_start)
    assert any(before.char_end > after.char_start for before, after in zip(chunks, chunks[1:])), "no overlap"
    if change == "edited":
        source.write_text("前言补充了一段文字。\n\n" + original, encoding="utf-8")
    else:
        source.unlink()
    page = reader_of(index, NATIONAL)
    outline, text = outline_and_text(page)
    assert html.escape(SOURCE_CHANGED) in text
    # Every passage's own words once: the stretch of source they cover together, overlaps read once.
    covered, end = [], 0
    for chunk in chunks:
        covered.append(original[max(chunk.char_start, end):chunk.char_end])
        end = max(end, chunk.char_end)
    assert words(text.split("</p>", 1)[1]) == match_form("".join(covered))
    links = _LINK.findall(outline)
    assert len(links) > 10 and all(f'id="{anchor}"' in text for anchor, _ in links)
    assert "前言补充" not in page


def test_an_unknown_document_gets_a_notice(shared_small_index):
    page = document_html(open_index(shared_small_index), "no-such-document#1")
    assert UNKNOWN_DOCUMENT in page and 'class="rq-outline"' not in page
