import numpy as np
from fakes import BigramEmbedder, shanghai_names

from reportqa.indexing.lexical import LexicalIndex, ReportAnalyser
from reportqa.indexing.store import sentence_offsets
from reportqa.search.rescoring import NUMBERLESS_FACTOR, Rescorer
from reportqa.text import sentences

PASSAGES = [
    # Talks about the topic everywhere but never states the figure.
    "新增上市企业工作加快推进。上市企业培育体系不断完善，企业上市服务持续优化。",
    # States the figure in one sentence among others.
    "现代服务业体系加快构建。新增上市企业8家，数量位居全市第二。外资外贸稳中有进。",
    "新建公园绿地120公顷。",
]


def make_rescorer(vectors=None):
    analyse = ReportAnalyser()
    lexical = LexicalIndex.build([analyse(text) for text in PASSAGES])
    offsets = sentence_offsets(PASSAGES)
    if vectors is None:
        vectors = np.zeros((offsets[-1], 4), np.float32)
    return Rescorer(PASSAGES.__getitem__, analyse, lexical.idf, vectors, offsets, shanghai_names().nearby_forms()), offsets


def test_sentences_keep_their_end_marks_and_offsets_index_them():
    assert sentences("一是稳增长；二是促改革。三是惠民生！") == ["一是稳增长；", "二是促改革。", "三是惠民生！"]
    assert sentences("没有句号的标题") == ["没有句号的标题"]
    assert sentence_offsets(PASSAGES).tolist() == [0, 2, 5, 6]


def test_coverage_is_the_best_single_sentence_share_of_the_terms():
    rescorer, _ = make_rescorer()
    terms = rescorer.content_terms("松江2020年新增上市企业几家？")
    assert "松江" not in terms and "2020" not in terms and "上市" in terms
    assert rescorer.coverage(1, terms) == 1.0
    assert rescorer.coverage(2, terms) == 0.0
    # Terms no passage has (几家) weigh nothing: they cannot tell passages apart.
    assert rescorer.coverage(1, [*terms, "几家"]) == 1.0
    # A sentence without a number counts for less when the question wants a figure.
    assert rescorer.coverage(0, terms, want_figure=True) == rescorer.coverage(0, terms) * NUMBERLESS_FACTOR


def test_dense_match_is_the_best_sentence_cosine():
    offsets = sentence_offsets(PASSAGES)
    vectors = np.zeros((offsets[-1], 2), np.float32)
    vectors[3] = [1.0, 0.0]  # passage 1's second sentence points at the query
    vectors[[0, 1, 2, 4, 5]] = [0.0, 1.0]
    rescorer, _ = make_rescorer(vectors)
    query = np.array([1.0, 0.0], np.float32)
    assert rescorer.dense(1, query) == 1.0
    assert rescorer.dense(0, query) == 0.0


def test_rerank_lifts_the_passage_that_states_the_figure_over_a_topical_one():
    embedder = BigramEmbedder()
    rescorer, _ = make_rescorer(embedder.embed_passages([s for text in PASSAGES for s in sentences(text)]))
    question = "松江新增上市企业几家？"
    query = embedder.embed_queries([question])[0]
    order = rescorer.rerank([2, 0, 1], question, query, (1.0, 2.0, 1.0), want_figure=True)
    assert [row for row, _, _ in order] == [1, 0, 2]
    assert order[0][2].coverage == 1.0 and order[0][2].dense == rescorer.dense(1, query)
    assert [row for row, _, _ in rescorer.rerank([0, 2, 1], question, query, (1.0, 2.0, 1.0), True)] == [0, 1, 2]
    # Without rescoring weights the given order stands.
    assert [row for row, _, _ in rescorer.rerank([0, 2, 1], question, query, (1.0, 0.0, 0.0))] == [0, 2, 1]


def test_sentences_the_index_stored_analysed_are_not_analysed_again():
    analysed = []

    def analyse(text):
        analysed.append(text)
        return ReportAnalyser()(text)

    stored = {1: [(frozenset({"上市", "企业", "新增", "上市企业"}), True)]}
    lexical = LexicalIndex.build([ReportAnalyser()(text) for text in PASSAGES])
    rescorer = Rescorer(PASSAGES.__getitem__, analyse, lexical.idf, np.zeros((6, 4), np.float32),
                        sentence_offsets(PASSAGES), analysed_of=stored.get)
    terms = rescorer.content_terms("新增上市企业")
    analysed.clear()
    assert rescorer.coverage(1, terms) == 1.0 and analysed == []
    assert rescorer.coverage(0, terms) > 0 and analysed == sentences(PASSAGES[0])  # none stored: analysed now
