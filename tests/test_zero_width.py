"""Zero-width characters (U+200B–U+200D, U+2060, U+FEFF) that scraped pages leave inside words take no part
in matching, searching or chunking: 「各位代表:\u200d现在」 is 「各位代表:现在」."""

import pytest

from reportqa.ingest.pipeline import ingest
from reportqa.settings import Settings
from reportqa.text import NormalizedText, match_form, search_form

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


@pytest.mark.parametrize("mark", ZERO_WIDTH, ids=lambda mark: f"U+{ord(mark):04X}")
def test_zero_width_characters_do_not_survive_the_normal_forms(mark):
    raw = f"各位代表:{mark}现在，嘉{mark}定区一般公共预算收入220.4{mark}亿元①"
    assert match_form(raw) == "各位代表:现在,嘉定区一般公共预算收入220.4亿元1"  # NFKC: ① → 1
    assert search_form(raw) == "各位代表:现在,嘉定区一般公共预算收入220.4亿元"
    assert mark not in match_form(raw) + search_form(raw)


def test_a_normalised_hit_still_maps_back_across_zero_width_characters():
    raw = "收入\u200b220.4\u200d亿元，\ufeff增长3%"
    normalized = NormalizedText.of(raw)
    assert normalized.text == match_form(raw) == "收入220.4亿元,增长3%"
    start, end = normalized.find("220.4亿元")
    assert raw[start:end] == "220.4\u200d亿元"


def test_passages_hold_no_zero_width_characters_and_none_is_made_of_them(write_file):
    text = ("\u200b\n\n一、2020年工作回顾\n\n全区增加值完成2488.4\u200d亿元。\n\n\ufeff\u2060\n\n"
            "二、2021年主要任务\n\n新增上市企业4家\u200c。\n\n\u200b\n")
    path = write_file("report.txt", text)
    chunks = ingest([str(path)], Settings()).chunks
    assert [chunk.text for chunk in chunks] == ["一、2020年工作回顾全区增加值完成2488.4亿元。", "二、2021年主要任务新增上市企业4家。"]
    assert all(chunk.text == match_form(text[chunk.char_start:chunk.char_end]) for chunk in chunks)
    assert not any(mark in chunk.index_text for chunk in chunks for mark in ZERO_WIDTH)
