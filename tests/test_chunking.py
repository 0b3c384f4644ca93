import unicodedata

from conftest import SMALL_REPORT

from reportqa.ingest.chunking import ChunkingSettings, pack_chunks, sentence_units
from reportqa.ingest.cleaning import classify_lines
from reportqa.ingest.sections import find_outline
from reportqa.text import match_form


def chunk_spans(text, settings=ChunkingSettings()):
    layout = classify_lines(text, 0, len(text))
    return pack_chunks(text, sentence_units(text, layout, find_outline(text, layout)), settings)


def test_chunks_follow_sections_and_carry_breadcrumbs():
    spans = chunk_spans(SMALL_REPORT)
    sections = [span.section for span in spans]
    assert ("一、2020年工作回顾", "(一)坚持人民至上,始终绷紧疫情防控之弦") in sections
    assert ("二、2021年主要任务", "(一)着力推动新旧动能转换") in sections
    for span in spans:
        body = match_form(SMALL_REPORT[span.start:span.end])
        assert not ("抓牢发展第一要务" in body and "2021年是“十四五”" in body), "a chunk crossed a section"
    # A heading with no text of its own joins the section that follows it.
    first_task = next(s for s in spans if "2021年主要任务" in match_form(SMALL_REPORT[s.start:s.end]))
    assert "增长6%以上" in match_form(SMALL_REPORT[first_task.start:first_task.end])


def test_long_sections_are_cut_at_sentence_ends_with_overlap():
    sentences = [f"第{i}项工作完成投资{i}亿元，比上年增长{i}%。" for i in range(1, 60)]
    text = "一、2020年工作回顾\n\n" + "".join(sentences)
    spans = chunk_spans(text, ChunkingSettings(max_chars=120, overlap_chars=30, min_chars=20))
    assert len(spans) > 5
    bodies = [match_form(text[s.start:s.end]) for s in spans]
    assert all(len(body) <= 120 for body in bodies)
    assert all(body.endswith("。") for body in bodies)
    for previous, following in zip(bodies[1:], bodies[2:]):
        assert following.split("。")[0] in previous, "consecutive chunks share a sentence"


def test_an_overlong_sentence_is_cut_at_clause_ends():
    text = "一、总体要求\n\n" + "，".join(f"推进第{i}项重点工程建设" for i in range(80)) + "。"
    spans = chunk_spans(text, ChunkingSettings(max_chars=100, overlap_chars=0, min_chars=10))
    assert all(len(match_form(text[s.start:s.end])) <= 100 for s in spans)
    assert "".join(match_form(text[s.start:s.end]) for s in spans) == match_form(text)


def test_chunks_never_span_removed_noise_and_keep_exact_provenance():
    wrapped = ["加快打造新型显示装备和材料产业链，推动曲面屏、柔性屏等高",
               "世代线重大项目实施，加快打造“新型显示装备、材料、驱动、芯"] * 6
    text = "\n\n".join(["（一）推动服务经济提质增能"] + wrapped + ["- 25 -", "料、驱动、芯片-面板、模组-新型显示应用”产业链。"])
    spans = chunk_spans(text)
    for span in spans:
        raw = text[span.start:span.end]
        assert "- 25 -" not in raw
        assert unicodedata.normalize("NFKC", "".join(raw.split())) == match_form(raw)
    assert match_form(text[spans[-1].start:spans[-1].end]).startswith("料、驱动")
