"""End to end with the real local generator (Qwen2.5 1.5B GGUF via llama-cpp-python; `make model`)."""

import pytest

from reportqa.answer.generation import make_generator
from reportqa.answer.pipeline import Answerer
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def answerer(real_index, real_embedder):
    settings = Settings.from_env(index_dir=str(real_index))
    return Answerer(Retriever(SearchIndex.open(settings, real_embedder)), settings.answer_passages)


@pytest.fixture(scope="module")
def local():
    choice = make_generator("local", Settings.from_env())
    assert choice.note is None, f"the local model is not installed (run `make model`): {choice.note}"
    return choice.generator


@pytest.mark.parametrize("question, figure", [
    ("疫情前一年金山新增了多少张养老床位？", "1200"),
    ("到2020年底，金山的高新技术企业一共有多少家？", "942"),
])
def test_local_model_answers_with_the_figure_and_a_citation_that_holds_it(answerer, local, question, figure):
    streamed = []
    answer = answerer.ask(question, local, on_token=streamed.append)
    assert not answer.refused, answer.draft
    assert figure in answer.answer and "[1]" in answer.answer
    assert figure in answer.citations[0].text
    assert answer.citations[0].district == "金山区"
    assert "".join(streamed) == answer.draft and len(streamed) > 1  # streamed in pieces
