from reportqa.text import NormalizedText, match_form, search_form


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
