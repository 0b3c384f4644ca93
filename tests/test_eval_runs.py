"""The evaluation scripts search, answer and ingest as the command lines do (eval/retrieval.py,
eval/answers.py, eval/bench_search.py), on the small index with the fake embedder."""

import json

import pytest
from conftest import OTHER_REPORT, SMALL_REPORT
from fakes import BigramEmbedder

from reportqa.search import hybrid
from reportqa.settings import Settings
from reportqa.ui import cli

QUESTIONS = ["嘉定2020年新增了多少张养老床位？", "松江新建公园绿地多少公顷？", "那松江呢？",
             "对口帮扶云南省五个县的那个区，2021年一般公共预算收入要增长多少？"]


@pytest.fixture
def fake_model(monkeypatch):
    monkeypatch.setattr(hybrid, "make_embedder", lambda _settings: BigramEmbedder())
    monkeypatch.setenv("REPORTQA_RELEVANCE_THRESHOLD", "0")


def cli_batch(command, flags, tmp_path, capsys):
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps({"question": q}, ensure_ascii=False) + "\n" for q in QUESTIONS),
                     encoding="utf-8")
    assert cli.main([command, "--batch", str(batch), *flags]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize("literal", [False, True])
def test_the_retrieval_evaluation_gets_the_hits_the_search_command_prints(shared_small_index, fake_model, tmp_path,
                                                                          capsys, literal):
    from eval.retrieval import batch_search

    flags = ["-k", "3", "--index", str(shared_small_index), *(["--literal"] if literal else [])]
    printed = [line["hits"] for line in cli_batch("search", flags, tmp_path, capsys)]
    found = batch_search(QUESTIONS, str(shared_small_index), 3, literal)
    assert found == printed and all(len(hits) == 3 for hits in found)


def test_the_answer_evaluation_gets_the_answers_the_ask_command_prints(shared_small_index, fake_model, tmp_path,
                                                                       capsys):
    from eval.answers import ask_batch

    flags = ["--generator", "extractive", "--index", str(shared_small_index)]
    printed = cli_batch("ask", flags, tmp_path, capsys)
    answered = ask_batch(QUESTIONS, "extractive", str(shared_small_index))
    untimed = lambda records: [{key: value for key, value in record.items() if key != "timings"} for record in records]
    assert untimed(answered) == untimed(printed)
    assert answered[2]["rewritten_question"] is None  # 「那松江呢？」 is asked without the earlier questions
    assert "774" in answered[0]["answer"] and answered[0]["citations"]
    assert all(record["timings"]["total"] > 0 for record in answered)


def test_a_replay_checks_the_recorded_drafts_again_and_keeps_their_times(shared_small_index, fake_model, tmp_path):
    from eval.answers import evaluate, recorded_rows

    questions = tmp_path / "set.jsonl"
    items = [{"id": "X1", "question": QUESTIONS[0], "qtype": "numeric", "key_facts": ["774"]},
             {"id": "X2", "question": QUESTIONS[1], "qtype": "numeric", "key_facts": ["5"]}]
    questions.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    recorded = {"set": {"per_question": [
        {"question": QUESTIONS[0], "draft": "嘉定新增养老床位774张[1]。", "seconds": 12.5, "first_token": 9.0},
        {"question": QUESTIONS[1], "draft": "松江新建公园绿地900公顷[1]。", "seconds": 11.0, "first_token": 8.0}]}}
    results = tmp_path / "answers-local-x.json"
    results.write_text(json.dumps(recorded, ensure_ascii=False), encoding="utf-8")
    report = evaluate(questions, "local", str(shared_small_index), None, recorded_rows(results))
    first, second = report["per_question"]
    assert first["key_facts"] and (first["seconds"], first["first_token"]) == (12.5, 9.0)
    assert second["refused"] and second["draft"] == "松江新建公园绿地900公顷[1]。"  # 900 is in no passage
    assert report["overall"]["median_seconds"] == 11.75


def test_the_benchmark_reads_what_each_ingest_embedded(tmp_path):
    from eval.bench_search import timed_ingest

    for name, text in (("jiading.txt", SMALL_REPORT), ("songjiang.txt", OTHER_REPORT)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    files = [str(tmp_path / "jiading.txt"), str(tmp_path / "songjiang.txt")]
    settings, embedder = Settings.from_env(index_dir=str(tmp_path / "index")), BigramEmbedder()
    _, full = timed_ingest(files, settings, embedder, rebuild=True)
    chunks = [json.loads(line) for line in (tmp_path / "index" / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert full.embedded == len(chunks) and full.sentences_embedded > 0
    seconds, unchanged = timed_ingest(files, settings, embedder)
    assert seconds > 0 and (unchanged.embedded, unchanged.reused) == (0, len(chunks))
    timed_ingest(files[:1], settings, embedder, rebuild=True)
    _, added = timed_ingest(files[1:], settings, embedder)
    # The index records its sources relative to the folder holding it.
    assert added.embedded == sum(chunk["source_file"] == "songjiang.txt" for chunk in chunks) > 0
