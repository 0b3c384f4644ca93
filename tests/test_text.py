from reportqa.text import (
    NAMED_YEAR,
    PLANS,
    YEAR_MENTION,
    NormalizedText,
    chinese_numeral,
    figure_kinds,
    figures,
    has_figure,
    match_form,
    plan_first_year,
    search_form,
    sentences,
)


def test_match_form_joins_wraps_and_folds_width():
    assert match_form("累计完成 1233.5\n\n亿元，ＰＭ２.５") == "累计完成1233.5亿元,PM2.5"
    assert match_form("Ⅴ类水体 ３０％") == "V类水体30%"


def test_search_form_drops_footnote_markers_and_folds_variants():
    assert search_form("惠企“12条”、新“9条”[1],支持企业") == "惠企“12条”、新“9条”,支持企业"
    assert search_form("“上海马桥AI创新区”①入围") == "“上海马桥AI创新区”入围"
    assert search_form("同比增长 6.7%¹（注解 1：预计数。）") == "同比增长6.7%(注解1:预计数。)"
    assert search_form("二○三五年") == "二〇三五年"
    assert search_form("[3]项目清单") == "[3]项目清单"


def test_normalized_text_maps_back_to_the_raw_source():
    raw = "全区上市企业总数达到 32 家，\n\n增长 １８.６％。"
    normalized = NormalizedText.of(raw)
    assert normalized.text == match_form(raw)
    start, end = normalized.find("达到32家")
    assert raw[start:end] == "达到 32 家"
    start, end = normalized.find("18.6%")
    assert raw[start:end] == "１８.６％"
    assert normalized.find("不存在") is None


def test_sentences_end_at_full_and_half_width_marks_alike():
    raw = "完成目标！是否达到？继续推进；全年增长5%。"
    assert sentences(raw) == ["完成目标！", "是否达到？", "继续推进；", "全年增长5%。"]
    # After NFKC the same text has !?; and must split the same way.
    assert sentences(match_form(raw), keep_ends=False) == ["完成目标", "是否达到", "继续推进", "全年增长5%"]
    assert sentences("第一句。。第二句\n第三句") == ["第一句。。", "第二句", "第三句"]


def test_figures_are_canonical_and_know_their_unit_kind():
    assert figures("完成２２０.４０亿元，共1,234户，007号") == ["220.4", "1234", "7"]
    assert figure_kinds("增长13.5%，收入3.8亿元，面积2平方公里，2020年") == {
        "13.5": "%", "3.8": "money", "2": "area", "2020": "year"}
    assert has_figure("１２") and not has_figure("十二")


def test_years_and_plan_periods():
    assert [m.group(1) for m in YEAR_MENTION.finditer("2020年和2021比1899年")] == ["2020", "2021"]
    assert NAMED_YEAR.findall("2020和2021年") == ["2021"]
    assert [plan_first_year(plan) for plan in ("十一五", "十三五", "十四五", "十五五", "五年")] == [2006, 2016, 2021, 2026, 0]
    assert PLANS[:5] == ("十一五", "十二五", "十三五", "十四五", "十五五")


def test_chinese_numerals():
    assert [chinese_numeral(n) for n in ("一", "九", "十", "十二", "二十", "二十一", "两", "12", "百")] == [
        1, 9, 10, 12, 20, 21, 2, 12, 0]
