import bm25s
import numpy as np
import pytest
from conftest import open_index

from reportqa.indexing.lexical import BM25_B, BM25_K1, LexicalIndex, ReportAnalyser
from reportqa.indexing.passages import CHUNK_DOCUMENTS, CHUNK_OFFSETS, CHUNKS, StoredChunks, chunk_key, write_chunks
from reportqa.indexing.store import read_chunks
from reportqa.records import Chunk
from reportqa.search.hybrid import SearchFilters, top_rows
from reportqa.text import sentences


def chunk(n: int, doc_id: str, text: str) -> Chunk:
    return Chunk(f"{doc_id}-{n}", doc_id, ("一、", "（二）"), text, "/reports/a.txt", n * 10, n * 10 + len(text),
                 period="2020", period_kind="actual", index_text=f"标题 › {text}")


CHUNKS_OF = [chunk(0, "a", "新增养老床位774张。"), chunk(1, "b", "地区生产总值1688亿元，增长3.4%。"),
             chunk(2, "a", "“五个新城”建设全面起势。"), chunk(3, "c", "区域面积605平方公里")]


def stored(tmp_path, documents=(("a", 2), ("b", 1), ("c", 1))) -> StoredChunks:
    write_chunks(tmp_path, CHUNKS_OF, [doc_id for doc_id, _ in documents])
    return StoredChunks(tmp_path, list(documents))


def test_passages_are_read_one_at_a_time_as_written(tmp_path):
    passages = stored(tmp_path)
    assert len(passages) == 4 and [passages[row] for row in (3, 0, 1, 2)] == [CHUNKS_OF[i] for i in (3, 0, 1, 2)]
    assert passages[-1] == CHUNKS_OF[-1] and list(passages) == CHUNKS_OF == read_chunks(tmp_path)
    with pytest.raises(IndexError):
        passages[4]


def test_the_rows_of_documents_come_from_the_documents_file(tmp_path):
    passages = stored(tmp_path)
    assert passages.rows_of(["a"]).tolist() == [0, 2]
    assert passages.rows_of(["c", "a"]).tolist() == [0, 2, 3]
    assert passages.rows_of(["unknown"]).tolist() == [] and passages.rows_of([]).tolist() == []


@pytest.mark.parametrize("damage", ["offsets", "documents", "counts", "short"])
def test_offsets_or_documents_that_do_not_fit_are_refused(tmp_path, damage):
    stored(tmp_path)
    documents = [("a", 2), ("b", 1), ("c", 1)]
    if damage == "offsets":
        np.save(tmp_path / CHUNK_OFFSETS, np.load(tmp_path / CHUNK_OFFSETS)[:-1])
    elif damage == "documents":
        documents = documents[:2]
    elif damage == "counts":
        documents = [("a", 1), ("b", 2), ("c", 1)]
    else:
        (tmp_path / CHUNKS).write_bytes((tmp_path / CHUNKS).read_bytes()[:-5])
    with pytest.raises(ValueError):
        StoredChunks(tmp_path, documents)
    assert np.load(tmp_path / CHUNK_DOCUMENTS).tolist() == [0, 1, 0, 2]


def test_an_index_filters_by_the_documents_file(shared_small_index):
    index = open_index(shared_small_index)
    for place in index.places():
        rows = index.allowed_rows(SearchFilters(place=place))
        assert len(rows) and all(index.documents[index.chunks[row].doc_id].issuing_place == place for row in rows)


@pytest.mark.parametrize("k", [1, 3, 7, 50])
def test_top_rows_is_a_stable_sort_of_the_best(k):
    scores = np.random.default_rng(k).integers(0, 5, 40).astype(np.float32)  # many ties
    assert top_rows(scores, k).tolist() == np.argsort(-scores, kind="stable")[:k].tolist()


def test_bm25_from_term_ids_is_the_index_of_the_terms(tmp_path):
    passages = [["上海", "嘉定", "预算"], ["预算", "收入", "收入"], [], ["嘉定"]]
    vocabulary: dict[str, int] = {}
    ids = [np.asarray([vocabulary.setdefault(term, len(vocabulary)) for term in terms or [""]], np.int32)
           for terms in passages]
    from_terms, from_ids = LexicalIndex.build(passages), LexicalIndex.from_ids(ids, vocabulary)
    bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    bm25.index([terms or [""] for terms in passages], show_progress=False)  # bm25s's own index of the strings
    from_ids.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    for query in (["预算"], ["嘉定", "收入"], ["上海", "预算", "预算"], ["未知", "收入"]):
        assert np.array_equal(from_terms.scores(query), bm25.get_scores(query))  # bm25s's own index and sum
        assert np.array_equal(from_terms.scores(query), from_ids.scores(query))
        assert np.array_equal(from_terms.scores(query), loaded.scores(query))
    assert not from_terms.scores(["未知"]).any()
    assert from_terms.idf("收入") == loaded.idf("收入") > 0 and loaded.rows_with("嘉定").tolist() == [0, 3]


def test_bm25_scores_among_rows_are_those_of_all_rows():
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(30)]
    passages = [list(rng.choice(words, size=rng.integers(1, 12))) for _ in range(300)]
    lexical = LexicalIndex.build(passages)
    for seed in range(5):
        rows = np.sort(np.random.default_rng(seed).choice(300, size=40, replace=False))
        query = list(rng.choice([*words, "未知"], size=4))
        assert np.array_equal(lexical.scores_among(query, rows), lexical.scores(query)[rows])
    assert lexical.scores_among(["w1"], np.zeros(0, np.int64)).tolist() == []


def test_rows_are_found_by_key(tmp_path):
    passages = stored(tmp_path)
    keys = [chunk_key(chunk.chunk_id) for chunk in CHUNKS_OF]
    assert all(0 <= key < 2**63 for key in keys) and len(set(keys)) == 4
    assert passages.rows_of_keys([keys[2], 12345, keys[0]]).tolist() == [2, -1, 0]
    assert passages.rows_of_keys([]).tolist() == []


def test_sentence_terms_are_stored_with_the_passage(tmp_path):
    analyse = ReportAnalyser()
    terms = [[analyse(text) for text in sentences(chunk.text)] for chunk in CHUNKS_OF]
    write_chunks(tmp_path, CHUNKS_OF, ["a", "b", "c"], terms)
    passages = StoredChunks(tmp_path, [("a", 2), ("b", 1), ("c", 1)])
    assert passages.analysed(1) == [(frozenset(analyse("地区生产总值1688亿元，增长3.4%。")), True)]
    assert passages.analysed(0)[0][0] >= {"养老", "床位"} and passages[1] == CHUNKS_OF[1]
    (tmp_path / "bare").mkdir()
    assert stored(tmp_path / "bare").analysed(0) is None  # written without terms
