"""The gazetteer of China's administrative divisions (the official code table)."""

import pytest

from reportqa.gazetteer import CITY, COUNTY, NATIONAL, PROVINCE, Gazetteer


@pytest.fixture(scope="module")
def places():
    return Gazetteer.load()


def test_the_table_holds_every_province_level_division_and_thousands_of_counties(places):
    provinces = [code for code in ("110000", "150000", "310000", "450000", "540000", "640000", "650000", "810000")
                 if places.get(code) and places.get(code).level == PROVINCE]
    assert len(provinces) == 8 and len(places) > 3000


@pytest.mark.parametrize("short, full", [
    ("广东", "广东省"), ("内蒙古", "内蒙古自治区"), ("新疆", "新疆维吾尔自治区"), ("广西", "广西壮族自治区"),
    ("宁夏", "宁夏回族自治区"), ("西藏", "西藏自治区"), ("上海", "上海市"), ("香港", "香港特别行政区"),
])
def test_provinces_answer_to_their_short_forms(places, short, full):
    found = [place for place in places.lookup(short) if place.level == PROVINCE]
    assert [place.name for place in found] == [full]
    assert places.lookup(full)[0].name == full


@pytest.mark.parametrize("name, short", [
    ("延边朝鲜族自治州", "延边"), ("黔东南苗族侗族自治州", "黔东南"), ("长阳土家族自治县", "长阳"),
    ("嘉定区", "嘉定"), ("浦东新区", "浦东"), ("神农架林区", "神农架"), ("大兴安岭地区", "大兴安岭"),
])
def test_short_forms_drop_the_kind_of_division_and_the_peoples_of_an_autonomous_area(places, name, short):
    assert short in places.names_of(places.lookup(name)[0])


def test_a_name_of_one_character_before_its_suffix_has_no_short_form(places):
    (zhongxian,) = places.lookup("忠县")
    assert places.names_of(zhongxian) == ("忠县",) and places.lookup("忠") == ()


def test_hierarchy_comes_from_the_codes(places):
    (jiading,) = places.lookup("嘉定区")
    assert places.breadcrumb(jiading) == "上海市 › 嘉定区" and jiading.level == COUNTY
    (suzhou,) = [place for place in places.lookup("苏州") if place.level == CITY]
    assert places.breadcrumb(suzhou) == "江苏省 › 苏州市"
    (xiantao,) = places.lookup("仙桃市")  # a county-level city directly under its province
    assert places.breadcrumb(xiantao) == "湖北省 › 仙桃市"


def test_a_county_name_shared_by_several_cities_is_resolved_by_the_city_or_left_ambiguous(places):
    gulou = places.lookup("鼓楼区")
    assert len(gulou) == 4 and {place.level for place in gulou} == {COUNTY}
    assert places.resolve("鼓楼区") is None
    fuzhou = places.resolve("福州市")
    assert places.breadcrumb(places.resolve("鼓楼区", within=fuzhou)) == "福建省 › 福州市 › 鼓楼区"
    assert places.resolve("鼓楼", within=places.resolve("江苏省")) is None  # 南京 and 徐州 both have one


def test_a_province_and_a_city_of_one_name_are_both_found_higher_level_first(places):
    assert [place.level for place in places.lookup("吉林")] == [PROVINCE, CITY]
    assert places.resolve("吉林", within=places.resolve("吉林省")) is None


@pytest.mark.parametrize("name", ["全国", "国家", "国务院"])
def test_the_nation_is_a_place_of_its_own(places, name):
    (nation,) = places.lookup(name)
    assert nation.level == NATIONAL and nation.name == "全国" and places.chain(nation) == (nation,)
