"""Answer benchmark with the local model: ``python -m eval.bench_answers [--index DIR] [-n N]``.

Answers the first N questions of ``eval/questions.jsonl`` (the own set; its
key facts show whether the answers stay right) with the local model under two
configurations in ONE run, each loaded fresh, the same questions in the same
order:

* before: llama.cpp as ``ChatLlamaCpp`` ran it (no flash attention);
* after: the app's configuration (``reportqa.answer.llama_chat.LlamaCppChat``
  as ``make_generator`` builds it).

It prints, per configuration, the median and p90 of the answer time, the time
to the first token and to the passages (what the chat shows first), prompt
tokens, the key facts found, and the after/before ratios; then peak resident
memory. Run it on an idle machine: another busy process on the two cores
skews every figure. Writes ``eval/results/bench_answers.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

from eval.ingest_stats import percentile
from reportqa.answer.generation import ChatGenerator
from reportqa.answer.llama_chat import LlamaCppChat
from reportqa.answer.local_llm import local_model_path
from reportqa.answer.pipeline import Answerer
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def configurations(settings: Settings) -> dict[str, LlamaCppChat]:
    path = str(local_model_path(settings.llm_model_path, settings.cache_dir))
    common = {"model_path": path, "n_threads": settings.llm_threads, "n_ctx": settings.llm_context,
              "max_tokens": settings.llm_max_tokens}
    return {"before": LlamaCppChat(**common, flash_attn=False),
            "after": LlamaCppChat(**common, n_threads_batch=settings.llm_threads)}


def run(answerer: Answerer, model: LlamaCppChat, questions: list[dict]) -> dict:
    """Answer every question with ``model``; the per-question timings and whether its key facts appear."""
    started = time.perf_counter()
    model.client()
    load = time.perf_counter() - started
    generator = ChatGenerator("local", model)
    rows = []
    for question in questions:
        answer = answerer.ask(question["question"], generator)
        found = all(fact in answer.answer for fact in question.get("key_facts", []))
        rows.append({"id": question["id"], "total": answer.timings["total"],
                     "first_token": answer.timings.get("first_token"), "passages": answer.timings.get("passages"),
                     "refused": answer.refused, "key_facts": found, "answer": answer.answer})
    return {"load": round(load, 2), "rows": rows}


def summary(result: dict) -> dict:
    def median(key: str) -> float | None:
        values = [row[key] for row in result["rows"] if row[key] is not None]
        return round(statistics.median(values), 2) if values else None

    totals = [row["total"] for row in result["rows"]]
    return {"load": result["load"], "median": median("total"),
            "p90": round(percentile(totals, 0.9), 2),
            "first_token": median("first_token"), "passages": median("passages"),
            "key_facts": sum(row["key_facts"] for row in result["rows"]), "questions": len(result["rows"])}


def report(summaries: dict[str, dict], peak_mb: float) -> str:
    lines = ["| measure | before | after | after/before |", "| --- | --- | --- | --- |"]
    for key in ("median", "p90", "first_token", "passages", "load", "key_facts"):
        before, after = summaries["before"][key], summaries["after"][key]
        ratio = f"{after / before:.2f}" if before and after and key != "key_facts" else ""
        lines.append(f"| {key} | {before} | {after} | {ratio} |")
    lines.append(f"\nquestions: {summaries['after']['questions']}; peak RSS {peak_mb:.0f} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("-n", type=int, default=12, help="questions to answer (default 12)")
    args = parser.parse_args(argv)
    settings = Settings.from_env(index_dir=args.index)
    index = SearchIndex.open(settings)
    index.warm_up()
    answerer = Answerer(Retriever(index), settings.answer_passages)
    questions = [json.loads(line) for line in (HERE / "questions.jsonl").read_text(encoding="utf-8").splitlines()
                 if line.strip()][:args.n]
    results = {name: run(answerer, model, questions) for name, model in configurations(settings).items()}
    summaries = {name: summary(result) for name, result in results.items()}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = report(summaries, peak_mb)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_answers.json").write_text(json.dumps({"summaries": summaries, "results": results},
                                                           ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "bench_answers.md").write_text("# Answer benchmark (local model)\n\n" + text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
