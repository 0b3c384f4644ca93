"""The bundled corpus, end to end: the acceptance checks of the ingest stage."""

import json
import re
import unicodedata
from collections import Counter

import pytest
from conftest import CORPUS

from reportqa.ingest.metadata import REPORT_TYPES

FAKE_HEADINGS = ("办企合", "区属", "举一反", "上海国际时尚中心", "精简、统")


@pytest.fixture(scope="module")
def corpus(corpus_index):
    """The manifest and the chunks of the bundled corpus's index."""
    manifest = json.loads((corpus_index / "manifest.json").read_text(encoding="utf-8"))
    chunks = [json.loads(line) for line in (corpus_index / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    return manifest, chunks


def test_documents_and_their_metadata(corpus):
    manifest, _ = corpus
    documents = manifest["documents"]
    reports = [d for d in documents if d["doc_type"] in REPORT_TYPES]
    # 12 report copies: 11 distinct reports plus the second copy of 嘉定 2021,
    # which is folded into its canonical document and listed in also_in.
    assert len(reports) == 11
    assert len(reports) + sum(len(d["also_in"]) for d in reports) == 12
    districts = {d["district"] for d in reports}
    assert {"青浦区", "普陀区", "虹口区", "嘉定区", "闵行区", "杨浦区", "松江区", "徐汇区", "金山区"} <= districts
    (yangpu,) = [d for d in reports if d["district"] == "杨浦区"]
    assert yangpu["year"] == 2012
    jiading = [d for d in reports if d["district"] == "嘉定区" and d["year"] == 2021]
    assert len(jiading) == 1
    assert [path.split("/")[-1] for path in jiading[0]["also_in"]] == ["002_606b8993a8cf2f09.txt"]
    jinshan = sorted((d["year"], d["doc_type"]) for d in reports if d["district"] == "金山区")
    assert jinshan == [(2020, "政府工作报告"), (2021, "五年规划纲要"), (2021, "图解")]


def test_no_boilerplate_footers_or_fake_headings(corpus):
    _, chunks = corpus
    for chunk in chunks:
        for noise in ("投稿", "400-162-2002", "共28页", "违约责任", "-25-", "baike.baidu"):
            assert noise not in chunk["text"], (noise, chunk["chunk_id"])
        for heading in chunk["section"]:
            assert not heading.startswith(FAKE_HEADINGS)
            assert not re.match(r"^[一二三]、(市场化运作|三级企业|建章立制|二期|效能)", heading)


def test_sections_cover_the_chunks_of_documents_with_headings(corpus):
    _, chunks = corpus
    by_doc = Counter(c["doc_id"] for c in chunks)
    with_section = Counter(c["doc_id"] for c in chunks if c["section"])
    docs_with_headings = [doc for doc in by_doc if with_section[doc]]
    share = sum(with_section[d] for d in docs_with_headings) / sum(by_doc[d] for d in docs_with_headings)
    assert share >= 0.9


def test_provenance_equation_holds_for_every_chunk(corpus):
    _, chunks = corpus
    sources = {}
    for chunk in chunks:
        if chunk["source_file"] not in sources:
            sources[chunk["source_file"]] = open(chunk["source_file"], encoding="utf-8").read()
        raw = sources[chunk["source_file"]][chunk["char_start"]:chunk["char_end"]]
        assert unicodedata.normalize("NFKC", re.sub(r"\s+", "", raw)) == chunk["text"], chunk["chunk_id"]


def test_chunks_stay_well_inside_the_embedding_window(corpus):
    _, chunks = corpus
    assert max(len(c["text"]) for c in chunks) <= 400
    assert max(len(c["index_text"]) for c in chunks) <= 520


def test_every_state_council_report_is_national_with_its_year_and_title():
    from reportqa.ingest.pipeline import expand_paths, ingest
    from reportqa.settings import Settings

    national = CORPUS.parent / "national"
    result = ingest(expand_paths([national]), Settings())
    described = {(d.place, d.place_level, d.year, d.doc_type, d.title) for d in result.documents}
    years = [2015, 2016, 2017, 2018, 2019, 2021, 2022, 2023, 2024, 2025]
    assert described == {("全国", "national", year, "政府工作报告", f"{year}年国务院政府工作报告") for year in years}
    assert not result.errors and {d.district for d in result.documents} == {None}
