"""Places at every level, read against the places an index holds (``PlaceNames``) and in questions
(``understand``): provinces, cities, counties and districts, in full or short form, and the nation."""

import pytest
from fakes import SHANGHAI_DISTRICTS

from reportqa.places import Mention, PlaceNames
from reportqa.search.question import ACTUAL, BOTH, COMPARISON, TARGET, understand

PROVINCES = PlaceNames(["广东省", "江苏省", "黑龙江省"])
AUTONOMOUS_REGIONS = PlaceNames(["内蒙古自治区", "新疆维吾尔自治区", "广西壮族自治区"])
SUZHOU_AND_KUNSHAN = PlaceNames(["苏州市", "昆山市"])
SHANGHAI = PlaceNames(SHANGHAI_DISTRICTS)
FUZHOU_DISTRICTS = PlaceNames(["鼓楼区", "台江区", "仓山区"])
NATION_AND_SHANGHAI = PlaceNames(["全国", *SHANGHAI_DISTRICTS])


def read(question, names):
    understood = understand(question, names=names)
    return understood.places, understood.within, understood.missing


@pytest.mark.parametrize("question, places, missing", [
    ("黑龙江2024年GDP增速是多少？", ("黑龙江省",), ()),
    ("黑龙江省2024年GDP增速是多少？", ("黑龙江省",), ()),
    ("广东和江苏哪个GDP高", ("广东省", "江苏省"), ()),
    ("广州2024年GDP是多少？", (), ("广州市",)),
    ("广西2023年GDP增速是多少？", (), ("广西壮族自治区",)),
    ("浙江一家钢琴厂的产值是多少？", (), ()),
])
def test_province_index_reads_provinces_in_full_or_short_form(question, places, missing):
    assert read(question, PROVINCES) == (places, None, missing)


def test_two_provinces_named_make_a_comparison():
    assert understand("广东和江苏哪个GDP高", names=PROVINCES).kind == COMPARISON


def test_a_city_is_not_read_as_its_province():
    places, _, missing = read("广州2024年GDP是多少？", PROVINCES)
    assert "广东省" not in places and missing == ("广州市",)


@pytest.mark.parametrize("question, places", [
    ("内蒙古2023年GDP增速是多少？", ("内蒙古自治区",)),
    ("新疆和广西的GDP谁更高？", ("新疆维吾尔自治区", "广西壮族自治区")),
    ("广西壮族自治区的GDP是多少？", ("广西壮族自治区",)),
])
def test_autonomous_regions_are_read_in_short_form_when_indexed(question, places):
    assert read(question, AUTONOMOUS_REGIONS) == (places, None, ())


def test_autonomous_regions_short_form_is_their_stem():
    assert [AUTONOMOUS_REGIONS.short(name) for name in ("内蒙古自治区", "新疆维吾尔自治区", "广西壮族自治区")] == \
        ["内蒙古", "新疆", "广西"]


def test_a_county_named_inside_its_city_is_the_county_only():
    assert read("苏州市昆山市2024年GDP是多少？", SUZHOU_AND_KUNSHAN) == (("昆山市",), None, ())
    assert read("苏州昆山的GDP是多少？", SUZHOU_AND_KUNSHAN) == (("昆山市",), None, ())
    assert read("苏州2024年GDP是多少？", SUZHOU_AND_KUNSHAN) == (("苏州市",), None, ())


def test_a_city_holds_its_indexed_county():
    assert SUZHOU_AND_KUNSHAN.inside("苏州市") == ("昆山市",)
    assert SUZHOU_AND_KUNSHAN.inside("昆山市") == ()


def test_a_name_starting_with_an_unindexed_city_searches_within_it():
    assert read("上海科技影都建设进展如何？", SHANGHAI) == ((), "上海市", ())


def test_an_unindexed_city_meant_itself_is_missing():
    assert read("上海2020年GDP是多少？", SHANGHAI) == ((), None, ("上海市",))
    assert read("上海的GDP是多少？", SHANGHAI) == ((), None, ("上海市",))


def test_a_province_in_a_name_is_not_missing():
    assert read("浙江一家钢琴厂的产值是多少？", SHANGHAI) == ((), None, ())


@pytest.mark.parametrize("names", [SHANGHAI, PROVINCES], ids=["districts", "provinces"])
def test_the_longest_name_at_each_position_wins(names):
    assert [mention.name for mention in names.find("上海城市更新")] == ["上海市"]


def test_a_shared_county_name_is_the_one_beside_its_indexed_siblings():
    assert FUZHOU_DISTRICTS.inside("福州市") == ("仓山区", "台江区", "鼓楼区")
    assert FUZHOU_DISTRICTS.inside("南京市") == ()
    assert read("福州城市更新有什么举措？", FUZHOU_DISTRICTS) == ((), "福州市", ())
    assert read("鼓楼区2023年GDP是多少？", FUZHOU_DISTRICTS) == (("鼓楼区",), None, ())


def test_a_shared_county_name_is_the_one_inside_its_indexed_city_and_siblings():
    names = PlaceNames(["福州市", "鼓楼区", "台江区"])
    assert names.inside("福州市") == ("台江区", "鼓楼区")
    assert names.inside("南京市") == ()


def test_a_shared_county_name_is_the_one_inside_its_indexed_city():
    names = PlaceNames(["福州市", "鼓楼区"])
    assert names.inside("福州市") == ("鼓楼区",)
    assert names.inside("南京市") == ()
    assert read("南京城市更新有什么举措？", names) == ((), None, ())


@pytest.mark.parametrize("question", [
    "2023年全国居民消费价格上涨了多少？",
    "国务院2024年提出的经济增长目标是多少？",
    "我国2023年粮食产量是多少？",
])
def test_national_words_read_the_nation_only_when_it_is_indexed(question):
    assert read(question, NATION_AND_SHANGHAI) == (("全国",), None, ())
    assert read(question, SHANGHAI) == ((), None, ())
    assert read(question, PROVINCES) == ((), None, ())


def test_a_national_title_in_a_question_asking_which_place_is_no_place():
    understood = understand("获评全国文明城区的是哪个区？", names=NATION_AND_SHANGHAI)
    assert understood.asks_place and understood.places == () and understood.missing == ()


def test_a_national_title_in_a_bridge_clause_is_no_place():
    understood = understand("拿下全国双拥模范城“九连冠”的那个区，2021年新增多少张养老床位？", names=NATION_AND_SHANGHAI)
    assert understood.places == ()
    assert understood.bridge_clue == "拿下全国双拥模范城“九连冠”"


def test_a_national_title_is_not_the_nation():
    assert read("嘉定有几个国家级开发区？", NATION_AND_SHANGHAI) == (("嘉定区",), None, ())
    assert read("嘉定区获评全国文明城区了吗？", NATION_AND_SHANGHAI) == (("嘉定区",), None, ())


@pytest.mark.parametrize("indexed, widest", [
    (["全国", "广东省", "上海市"], "全国"),
    (["全国"], "全国"),
    (["广东省", "广州市", "深圳市"], "广东省"),
    (["江苏省", "苏州市", "昆山市"], "江苏省"),
    (["苏州市", "昆山市"], "苏州市"),
    (list(SHANGHAI_DISTRICTS), None),
    (["广东省", "江苏省"], None),
    (["浙江省"], "浙江省"),
], ids=["nation", "nation-alone", "province-over-cities", "province-over-city-and-county", "city-over-county",
        "sibling-districts", "sibling-provinces", "one-province"])
def test_the_widest_place_holds_every_other(indexed, widest):
    assert PlaceNames(indexed).widest() == widest


@pytest.mark.parametrize("question, stance", [
    ("2023年GDP增长目标是多少？", TARGET),
    ("2023年GDP预期增长多少？", TARGET),
    ("2023年GDP实际增长了多少？", ACTUAL),
    ("2023年GDP目标是多少，实际增长了多少？", BOTH),
    ("2023年GDP是多少？", None),
])
def test_stance_is_target_actual_both_or_neither(question, stance):
    assert understand(question, names=PROVINCES).stance == stance


def test_mentions_say_whether_indexed_and_whether_the_place_itself_is_meant():
    assert PROVINCES.find("黑龙江2024年") == (Mention("黑龙江省", 0, True, True),)
    assert SHANGHAI.find("上海科技影都") == (Mention("上海市", 0, False, False),)


def test_indexed_in_and_the_places_an_answer_sentence_names():
    text = "上海的GDP和黑龙江的GDP"
    assert PROVINCES.indexed_in(text) == ("黑龙江省",)
    assert PROVINCES.named_in(text) == ("上海市", "黑龙江省")
    assert PROVINCES.named_in("浙江一家钢琴厂") == ("浙江省",)  # another province: its own passages must back it
    # Over district reports: a sibling in any form is named, the city above and far places are not.
    assert SHANGHAI.named_in("浦东开发开放30周年") == ("浦东新区",)
    assert SHANGHAI.named_in("上海科技影都落户松江") == ("松江区",)
    assert SHANGHAI.named_in("金山区张堰镇和平湖市新仓镇") == ("金山区",)


def test_short_and_forms_of_a_name():
    assert PROVINCES.short("黑龙江省") == "黑龙江"
    assert PROVINCES.forms("黑龙江省") == ("黑龙江省", "黑龙江")
    assert SHANGHAI.short("浦东新区") == "浦东"
    assert NATION_AND_SHANGHAI.short("全国") == "全国"
