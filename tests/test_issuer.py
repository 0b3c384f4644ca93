"""The issuing government of a report: only from its congress line, its opening and its title."""

from pathlib import Path

import pytest

from reportqa.gazetteer import CITY, COUNTY, NATIONAL, PROVINCE, Gazetteer
from reportqa.ingest.issuer import find_issuer

NATIONAL_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus-national"


@pytest.fixture(scope="module")
def places():
    return Gazetteer.load()


def test_a_name_chain_is_read_place_inside_place(places):
    assert places.breadcrumb(places.parse("上海市嘉定区")) == "上海市 › 嘉定区"
    assert places.breadcrumb(places.parse("福州市鼓楼区")) == "福建省 › 福州市 › 鼓楼区"
    assert places.parse("广东").name == "广东省"
    assert places.parse("鼓楼区") is None  # four cities have one
    assert places.parse("上海市鼓楼区") is None  # not inside 上海市
    assert places.parse("示例区") is None


@pytest.mark.parametrize("title, text, name, level", [
    (None, "——2021年2月3日在上海市嘉定区第六届人民代表大会第八次会议上\n各位代表：", "嘉定区", COUNTY),
    (None, "——2025年1月14日在广东省第十四届人民代表大会第三次会议上\n各位代表：", "广东省", PROVINCE),
    (None, "各位代表：现在，我代表苏州市人民政府，向大会报告工作。", "苏州市", CITY),
    (None, "——2024年3月5日在第十四届全国人民代表大会第二次会议上\n国务院总理 李强", "全国", NATIONAL),
    (None, "各位代表：\n现在，我代表国务院，向大会报告政府工作。", "全国", NATIONAL),
    ("2021年青浦区政府工作报告", "各位代表：过去一年……", "青浦区", COUNTY),
    ("2024年黑龙江省国民经济和社会发展统计公报", "2024年，全省……", "黑龙江省", PROVINCE),
])
def test_the_issuer_comes_from_the_reports_own_lines(places, title, text, name, level):
    issuer = find_issuer(title, text, places)
    assert issuer is not None and (issuer.name, issuer.level) == (name, level)


@pytest.mark.parametrize("title, text", [
    (None, "各位代表：我们坚持绿水青山就是金山银山，全省森林覆盖率达到50%。"),
    ("2025年政府工作报告", "我们支持嘉定区、浦东新区建设科创中心，松江区……"),
    (None, "上港集团深化科技强港战略，在上海市嘉定区新建基地。"),
])
def test_a_place_only_mentioned_in_the_body_is_no_issuer(places, title, text):
    assert find_issuer(title, text, places) is None


@pytest.mark.skipif(not NATIONAL_CORPUS.is_dir(), reason="the shared national reports are beside the checkout")
def test_every_state_council_report_is_national(places):
    reports = sorted(NATIONAL_CORPUS.glob("*.txt"))
    issuers = {path.name: find_issuer(path.stem, path.read_text(encoding="utf-8"), places) for path in reports}
    assert len(reports) >= 10 and {issuer.level for issuer in issuers.values() if issuer} == {NATIONAL}
    assert all(issuers.values()), [name for name, issuer in issuers.items() if issuer is None]
