"""Reports from every level of government, run through the real ingest pipeline (no embedding).

The fixtures in ``tests/fixtures/levels/`` are invented but shaped like real reports: a province's
政府工作报告 (html), a prefecture-level city's, a 鼓楼区 report of 福州 (four cities have a 鼓楼区), a
county-level city's (昆山市, also read from a .docx built here), a province's 统计公报 and a city's
预算执行报告. Each must get its issuer from its own lines, never from a place its body names.
"""

from pathlib import Path

import pytest

from reportqa.gazetteer import Gazetteer
from reportqa.ingest.issuer import ambiguity_note, find_issuer
from reportqa.ingest.loaders import load_source
from reportqa.ingest.metadata import BUDGET, REPORT, STATISTICS
from reportqa.ingest.pipeline import ingest
from reportqa.settings import Settings
from reportqa.text import match_form

LEVELS = Path(__file__).resolve().parent / "fixtures" / "levels"


def ingested(path: Path):
    """The one document of ``path`` and its chunks, from the ingest pipeline."""
    result = ingest([str(path)], Settings())
    assert not result.errors and len(result.documents) == 1
    return result.documents[0], result.chunks


@pytest.mark.parametrize("name, place, level, year, doc_type, title", [
    ("guangdong_province_report.html", "广东省", "province", 2025, REPORT, "2025年广东省政府工作报告"),
    ("suzhou_city_report.txt", "苏州市", "city", 2025, REPORT, "2025年苏州市政府工作报告"),
    ("fuzhou_gulou_district_report.txt", "鼓楼区", "county", 2025, REPORT, "政府工作报告"),
    ("kunshan_county_city_report.txt", "昆山市", "county", 2025, REPORT, "2025年昆山市政府工作报告"),
    ("zhejiang_statistics_bulletin.txt", "浙江省", "province", 2024, STATISTICS, "浙江省2024年国民经济和社会发展统计公报"),
    ("chengdu_budget_report.txt", "成都市", "city", 2025, BUDGET, "关于成都市2024年预算执行情况和2025年预算草案的报告"),
])
def test_each_level_gets_its_issuer_year_and_type(name, place, level, year, doc_type, title):
    document, chunks = ingested(LEVELS / name)
    assert (document.place, document.place_level, document.year, document.doc_type) == (place, level, year, doc_type)
    assert document.title == title and document.notes == ()
    assert document.district == (place if level == "county" else None)
    assert chunks and all(chunk.index_text.startswith(f"{title}\n") or chunk.index_text.startswith(f"{title} › ")
                          for chunk in chunks)


def test_a_bulletins_publication_date_is_not_its_year():
    document, chunks = ingested(LEVELS / "zhejiang_statistics_bulletin.txt")
    assert "2025年3月4日" in "".join(chunk.text for chunk in chunks)
    assert document.year == 2024 and document.source_title is None
    assert {(chunk.period, chunk.period_kind) for chunk in chunks} == {("2024", "actual")}


def test_a_budget_report_keeps_both_years_of_its_title_and_their_periods():
    _, chunks = ingested(LEVELS / "chengdu_budget_report.txt")
    periods = {chunk.section[0]: (chunk.period, chunk.period_kind) for chunk in chunks if chunk.section}
    assert periods == {"一、2024年预算执行情况": ("2024", "actual"), "二、2025年预算草案": ("2025", "target")}


def test_the_gulou_report_is_fuzhous():
    text = (LEVELS / "fuzhou_gulou_district_report.txt").read_text(encoding="utf-8")
    places = Gazetteer.load()
    issuer = find_issuer("政府工作报告", match_form(text), places)
    assert places.breadcrumb(issuer) == "福建省 › 福州市 › 鼓楼区"


@pytest.mark.parametrize("title, text, breadcrumb", [
    ("福州市鼓楼区2025年政府工作报告", "——2025年1月10日在鼓楼区第十八届人民代表大会第五次会议上\n各位代表：", "福建省 › 福州市 › 鼓楼区"),
    (None, "——2025年1月9日在鼓楼区第十八届人民代表大会第五次会议上\n南京市鼓楼区人民政府区长\n各位代表：",
     "江苏省 › 南京市 › 鼓楼区"),
    (None, "各位代表：现在，我代表鼓楼区人民政府向大会报告工作。全区上下在徐州市委坚强领导下……", "江苏省 › 徐州市 › 鼓楼区"),
])
def test_a_shared_county_name_is_the_one_inside_the_place_the_report_names(title, text, breadcrumb):
    places = Gazetteer.load()
    issuer = find_issuer(title, match_form(text), places)
    assert issuer is not None and places.breadcrumb(issuer) == breadcrumb


def test_a_shared_county_name_stays_unresolved_when_two_of_its_cities_are_named():
    text = "——2025年1月10日在鼓楼区第十八届人民代表大会第五次会议上\n各位代表：福州与南京两地鼓楼区结对共建……"
    assert find_issuer(None, match_form(text), Gazetteer.load()) is None
    note = ambiguity_note(None, match_form(text))
    assert note and "鼓楼区" in note and "福州市" in note and "南京市" in note


def test_an_unambiguous_issuer_needs_no_note():
    assert ambiguity_note(None, "——2021年1月6日在上海市嘉定区第六届人民代表大会第五次会议上") is None


def test_a_docx_report_reads_as_its_text(tmp_path):
    docx = pytest.importorskip("docx")
    source = LEVELS / "kunshan_county_city_report.txt"
    document = docx.Document()
    for paragraph in filter(None, map(str.strip, source.read_text(encoding="utf-8").splitlines())):
        document.add_paragraph(paragraph)
    document.save(tmp_path / "kunshan.docx")
    from_docx, docx_chunks = ingested(tmp_path / "kunshan.docx")
    from_text, text_chunks = ingested(source)
    facts = lambda doc: (doc.title, doc.place, doc.place_level, doc.year, doc.doc_type, doc.district)
    assert facts(from_docx) == facts(from_text) == ("2025年昆山市政府工作报告", "昆山市", "county", 2025, REPORT, "昆山市")
    assert [chunk.text for chunk in docx_chunks] == [chunk.text for chunk in text_chunks]


def without_own_lines(text: str) -> str:
    """A report without its title line, congress line, masthead and opening: only its body speaks."""
    own = ("人民代表大会", "报告", "公报", "人民政府")
    return "\n".join(line for line in text.splitlines() if not any(mark in line for mark in own))


@pytest.mark.parametrize("name, named", [
    ("guangdong_province_report.html", ("广州", "深圳市", "汕头", "金山银山")),
    ("suzhou_city_report.txt", ("昆山市", "上海市青浦区", "嘉兴市嘉善县")),
    ("fuzhou_gulou_district_report.txt", ("福州", "台江区", "仓山区")),
    ("kunshan_county_city_report.txt", ("苏州市", "上海嘉定", "青浦", "金山银山")),
])
def test_places_the_body_names_are_no_issuer(name, named, write_file):
    body = without_own_lines(load_source(LEVELS / name).text)
    assert all(place in match_form(body) for place in named)
    document, chunks = ingested(write_file(f"bare/{Path(name).stem}.txt", body))
    assert chunks and (document.place, document.place_level, document.district) == (None, None, None)


def test_jinshan_yinshan_names_no_place():
    document, _ = ingested(LEVELS / "guangdong_province_report.html")
    assert document.place == "广东省"
    assert find_issuer(None, "各位代表：坚持绿水青山就是金山银山，金山银山的底色更加亮丽。", Gazetteer.load()) is None
