import json

import pytest
from fakes import BigramEmbedder, make_hit, shanghai_names
from fakes import shanghai_understand as understand
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from reportqa.answer import generation
from reportqa.answer.generation import ChatGenerator, ExtractiveGenerator, make_generator
from reportqa.answer.pipeline import Answerer, rewrite_follow_up
from reportqa.answer.prompts import ANSWER_INSTRUCTION, FACT_INSTRUCTION, REFUSAL, excerpt, prompt_messages
from reportqa.errors import ModelUnavailable
from reportqa.indexing.lexical import ReportAnalyser
from reportqa.search import hybrid as search
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings
from reportqa.ui import cli


class CountingChat(FakeListChatModel):
    """A fake chat model that records the prompts it was given."""

    prompts: list = []

    def stream(self, messages, *args, **kwargs):
        self.prompts.append(messages)
        return super().stream(messages, *args, **kwargs)


def answerer(shared_small_index, threshold=0.0):
    settings = Settings.from_env(index_dir=str(shared_small_index), relevance_threshold=threshold)
    return Answerer(Retriever(SearchIndex.open(settings, BigramEmbedder())), answer_passages=3)


def chat(*responses):
    return ChatGenerator("fake", CountingChat(responses=list(responses), prompts=[]))


def test_a_wrong_citation_is_fixed_before_the_answer_is_shown(shared_small_index):
    generator = chat("嘉定2020年新增养老床位774张[3]。")
    answer = answerer(shared_small_index).ask("嘉定2020年新增了多少张养老床位？", generator)
    assert not answer.refused and "774" in answer.answer and answer.answer.endswith("[1]。")
    assert "新增养老床位774张" in answer.citations[0].text
    assert answer.draft == "嘉定2020年新增养老床位774张[3]。"
    assert {"retrieve", "first_token", "generate", "verify", "total"} <= answer.timings.keys()


def test_an_invented_figure_becomes_a_refusal_with_related_passages(shared_small_index):
    answer = answerer(shared_small_index).ask("嘉定2020年新增了多少张养老床位？", chat("新增养老床位900张[1]。"))
    assert answer.refused and answer.answer == REFUSAL and answer.citations == ()
    assert answer.related


def test_nothing_relevant_refuses_without_calling_the_model(shared_small_index):
    generator = chat("不应被调用")
    answer = answerer(shared_small_index, threshold=1.01).ask("嘉定2020年新增了多少张养老床位？", generator)
    assert answer.refused and answer.related and generator._model.prompts == []


def test_the_prompt_numbers_passages_with_title_and_breadcrumb(shared_small_index):
    hits = SearchIndex.open(Settings.from_env(index_dir=str(shared_small_index)), BigramEmbedder()).search("养老床位", k=2)
    (_, system), (_, user) = prompt_messages(understand("嘉定新增多少养老床位？"), hits, budget=160)
    assert "只根据给出的资料" in system
    assert user.startswith("问题：嘉定新增多少养老床位？\n资料：\n[1]《") and "[2]《" in user
    assert user.endswith("问题：嘉定新增多少养老床位？\n" + ANSWER_INSTRUCTION)


def test_only_a_figure_question_is_asked_before_the_passages_too(shared_small_index):
    hits = SearchIndex.open(Settings.from_env(index_dir=str(shared_small_index)), BigramEmbedder()).search("养老床位", k=1)
    (_, _), (_, user) = prompt_messages(understand("嘉定的养老服务品牌叫什么？"), hits, budget=160)
    assert user.startswith("资料：\n[1]《") and user.endswith(FACT_INSTRUCTION)


def test_excerpt_keeps_the_best_sentences_within_the_budget():
    text = "第一句讲别的事情。第二句也无关紧要。新增养老床位774张。最后一句还是无关。"
    cut = excerpt(text, ["养老", "床位"], budget=20, analyser=ReportAnalyser())
    assert "新增养老床位774张。" in cut and len(cut) <= 22


def test_excerpt_keeps_the_clauses_of_a_list_that_the_question_asks_about():
    text = ("今年主要预期目标是，城镇新增就业1万人，地区生产总值增长6%左右，区级一般公共预算收入增长5%，"
            "固定资产投资增长10%，社会消费品零售总额增长3%。另一句讲别的事情。")
    cut = excerpt(text, ["一般公共预算收入", "收入"], budget=160, analyser=ReportAnalyser())
    # The asked clause with the one before and the one after it; the other sentence shares no word.
    assert cut == "地区生产总值增长6%左右，区级一般公共预算收入增长5%，固定资产投资增长10%"


def test_extractive_answers_with_a_cited_sentence(shared_small_index):
    answer = answerer(shared_small_index).ask("嘉定2020年新增了多少张养老床位？", ExtractiveGenerator())
    assert not answer.refused and "774" in answer.answer and "[1]" in answer.answer


@pytest.mark.parametrize("follow_up, history, expected", [
    ("那松江呢？", ["嘉定区2020年一般公共预算收入是多少？"], "松江区2020年一般公共预算收入是多少？"),
    ("2021年呢？", ["嘉定区2020年一般公共预算收入是多少？"], "嘉定区2021年一般公共预算收入是多少？"),
    ("松江区2020年新增多少养老床位？", ["嘉定2020年新增多少养老床位？"], None),
    ("那松江呢？", [], None),
])
def test_follow_ups_are_rewritten_from_the_last_question(follow_up, history, expected):
    assert rewrite_follow_up(follow_up, history, shanghai_names()) == expected


def test_a_follow_up_is_answered_as_its_standalone_question(shared_small_index):
    answer = answerer(shared_small_index).ask("那松江呢？", ExtractiveGenerator(), history=["嘉定2020年新增上市企业几家？"])
    assert answer.rewritten_question == "松江区2020年新增上市企业几家？"
    assert {hit.district for hit in answer.citations} == {"松江区"}


def test_generator_choice_and_fallback(monkeypatch):
    settings = Settings.from_env()
    assert make_generator("extractive", settings).generator.name == "extractive"
    with pytest.raises(ValueError, match="unknown generator"):
        make_generator("gpt", settings)
    with pytest.raises(ValueError, match="REPORTQA_LLM_BASE_URL"):
        make_generator("openai", settings)

    def unavailable(_settings):
        raise ModelUnavailable("parts not installed")

    monkeypatch.setattr(generation, "_local_chat_model", unavailable)
    choice = make_generator("local", settings)
    assert choice.generator.name == "extractive" and "parts not installed" in choice.note


def test_cli_ask_batch_prints_one_json_line_per_question(shared_small_index, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(search, "make_embedder", lambda _settings: BigramEmbedder())
    monkeypatch.setenv("REPORTQA_RELEVANCE_THRESHOLD", "0")
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"question": "嘉定2020年新增了多少张养老床位？"}\n{"question": "松江新建公园绿地多少公顷？"}\n',
                     encoding="utf-8")
    assert cli.main(["ask", "--batch", str(batch), "--generator", "extractive", "--index", str(shared_small_index)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["question"] for line in lines] == ["嘉定2020年新增了多少张养老床位？", "松江新建公园绿地多少公顷？"]
    first = lines[0]
    assert {"question", "answer", "refused", "rewritten_question", "citations", "timings"} <= first.keys()
    assert first["citations"][0]["n"] == 1 and {"chunk_id", "doc_id", "title", "section", "text", "source_file",
                                                 "char_start", "char_end"} <= first["citations"][0].keys()


def test_cli_ask_batch_reads_history_for_follow_ups(shared_small_index, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(search, "make_embedder", lambda _settings: BigramEmbedder())
    monkeypatch.setenv("REPORTQA_RELEVANCE_THRESHOLD", "0")
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"question": "那松江呢？", "history": ["嘉定2020年新增上市企业几家？"]}\n', encoding="utf-8")
    assert cli.main(["ask", "--batch", str(batch), "--generator", "extractive", "--index", str(shared_small_index)]) == 0
    assert json.loads(capsys.readouterr().out)["rewritten_question"] == "松江区2020年新增上市企业几家？"
    batch.write_text('{"question": "那松江呢？", "history": "嘉定"}\n', encoding="utf-8")
    assert cli.main(["ask", "--batch", str(batch), "--generator", "extractive", "--index", str(shared_small_index)]) == 2
    assert "q.jsonl:1" in capsys.readouterr().err


def test_the_generator_sees_only_passages_about_the_asked_district_and_year(shared_small_index):
    generator = chat("增加值完成2488.4亿元[1]。")
    answer = answerer(shared_small_index).ask("嘉定2020年增加值完成了多少？", generator)
    (_, _), (_, user) = generator._model.prompts[0]
    assert "2488.4" in user and "增长6%以上" not in user  # the 2021 target passage is left out
    assert not answer.refused


def test_a_follow_up_on_a_comparison_keeps_one_clean_question():
    assert rewrite_follow_up("那松江呢？", ["青浦和闵行2021年的GDP增速目标分别是多少？"], shanghai_names()) == "松江区2021年的GDP增速目标是多少？"


def test_a_comparison_is_asked_one_side_at_a_time_with_each_side_named():
    hits = [hit_for("松江区", "新增养老床位550张。", 1), hit_for("虹口区", "新增养老床位100张。", 2),
            hit_for("松江区", "养老服务扎实推进。", 3)]
    model = CountingChat(responses=["新增550张[1]。", "虹口新增100张[2]。"], prompts=[])
    generator = ChatGenerator("fake", model)
    question = understand("2020年松江和虹口各新增了多少养老床位？")
    text = "".join(generator.stream(question, hits))
    assert text == "松江：新增550张[1]。\n虹口新增100张[2]。\n"
    first, second = (messages[1][1] for messages in model.prompts)
    assert "[1]《" in first and "[3]《" in first and "[2]《" not in first and "只回答松江区" in first
    assert "[2]《" in second and "[1]《" not in second and "只回答虹口区" in second


def hit_for(district, text, n):
    return make_hit(text, district, 2021, "2020", n, rank=n)


def test_a_model_repeating_itself_is_stopped():
    model = CountingChat(responses=["新增774张。具体是774张。具体是774张。具体是774张。"], prompts=[])
    text = "".join(ChatGenerator("fake", model).stream(understand("嘉定新增多少养老床位？"), []))
    assert text.count("具体是774张") == 2 and text.endswith("。")


def test_a_model_looping_inside_a_sentence_is_stopped():
    model = CountingChat(responses=["由租赁住房、廉租房构成" * 6], prompts=[])
    text = "".join(ChatGenerator("fake", model).stream(understand("嘉定住房保障体系由哪些房子构成？"), []))
    assert len(text) < len("由租赁住房、廉租房构成") * 3
