"""Answer quality: ``python -m eval.answers [--generator local|openai|extractive] [QA.jsonl ...]``.

Asks every question of each set with ``reportqa.answer.pipeline.Answerer``
(what ``python -m reportqa ask`` runs: each question on its own, no filters)
and reports, overall and per question type:

* **key-fact accuracy** — every gold ``key_facts`` string appears in the
  answer (after NFKC and whitespace removal), a figure as a whole number
  (「200」 is not found in 「2000张」); over answerable questions;
* **citation precision** — the share of cited passages that hold gold
  evidence (a line of ``evidence``, ``also_in_evidence`` or ``alt_evidence``);
* **refusal rate** — on unanswerable questions (and, as a failure count, on
  answerable ones);
* **unsupported figures** — figures shown in an answer (not in its question)
  that occur in none of the passages it cites (their text or the title of
  their report, which the citation shows: 「《2021年…报告》中提到」); checked
  here independently of the verifier, and it must be 0;
* **wrong figures** — figures shown that the question's traps hold: in an
  answer to an unanswerable question, any figure not in the question; in any
  answer, a figure of the item's ``neighbour`` (the tempting figure of another
  indicator, year or place, in the adversarial set) that is not also in its
  gold answer;
* time per answer (median, p90) and to the first streamed token.

Each answer's draft (the generator's text before verification) is kept in the
results; ``--replay RESULTS.json`` answers again with those drafts instead of
the generator (same retrieval, the current verifier), to measure a verifier
change without the model; the times shown are then those of the run that
wrote the drafts.

Writes ``eval/results/answers-GENERATOR[-TAG].{json,md,png}`` and prints the
change from the previous file of the same name. Run it on an idle machine when
the timings matter.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path
from typing import Any

from eval.retrieval import DEFAULT_SETS, RESULTS, changes, plot
from reportqa.answer.citations import without_citations
from reportqa.answer.generation import GENERATORS, GeneratorChoice, make_generator
from reportqa.answer.pipeline import Answerer
from reportqa.errors import ReportqaError
from reportqa.search.hybrid import SearchFilters, SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings
from reportqa.text import figures, match_form
from reportqa.ui.tables import format_table

METRICS = ("key_fact_accuracy", "citation_precision", "refusal_rate", "unsupported_figures", "median_seconds")


def load(path: Path, limit: int | None) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items[:limit] if limit else items


class Replay:
    """A generator that writes the drafts a previous run recorded, question by question."""

    def __init__(self, name: str, drafts: dict[str, str]) -> None:
        self.name = name
        self._drafts = drafts

    def stream(self, understanding: Any, passages: Any) -> Any:
        draft = self._drafts.get(understanding.question)
        if draft is None:
            raise SystemExit(f"error: no recorded draft for {understanding.question!r}; run without --replay")
        yield draft


def recorded_rows(path: Path) -> dict[str, dict[str, Any]]:
    """question → its row (draft and times), from a results file written by this script."""
    report = json.loads(path.read_text(encoding="utf-8"))
    return {row["question"]: row for result in report.values() for row in result["per_question"]
            if "draft" in row and "question" in row}


def ask_batch(questions: list[str], generator: str, index: str | None,
              replay: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Each question's answer as its ``Answer.to_json()`` record, in order.

    Opens the index and the generator and asks as ``python -m reportqa ask
    --batch`` does: every question stands alone (no history) and unfiltered;
    a generator that cannot load falls back as the CLI's does (its note is on
    every answer).
    """
    settings = Settings.from_env(index_dir=index, generator=generator)
    answerer = Answerer(Retriever(SearchIndex.open(settings)), settings.answer_passages)
    choice = GeneratorChoice(Replay(generator, replay)) if replay is not None else make_generator(generator, settings)
    return [answerer.ask(question, choice.generator, history=[], filters=SearchFilters(), note=choice.note).to_json()
            for question in questions]


def judge(item: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    answer = match_form(result["answer"])
    cited = [citation["text"] for citation in result["citations"]]
    sources = [f"{citation['title']} {citation['text']}" for citation in result["citations"]]
    evidence = [match_form(line) for line in item.get("evidence", [])]
    evidence += [match_form(line) for lines in item.get("also_in_evidence", {}).values() for line in lines]
    evidence += [match_form(line) for alt in item.get("alt_evidence", []) for line in alt["evidence"]]
    asked = set(figures(item["question"]))
    shown = [number for number in figures(without_citations(result["answer"])) if number not in asked]
    unsupported = [number for number in shown if not any(number in figures(text) for text in sources)]
    gold = " ".join([item.get("answer", ""), *item.get("key_facts", []), *item.get("evidence", [])])
    tempting = [number for number in figures(item.get("neighbour", "")) if number not in figures(gold)]
    wrong = shown if item.get("qtype") == "unanswerable" else []
    wrong += [number for number in shown if number in tempting and number not in wrong]
    row = {"id": item["id"], "qtype": item.get("qtype", "?"), "refused": result["refused"],
           "question": item["question"], "answer": result["answer"], "draft": result.get("draft", ""),
           "unsupported": unsupported, "wrong_figures": wrong,
           "seconds": result["timings"].get("total"), "first_token": result["timings"].get("first_token")}
    if item.get("qtype") != "unanswerable":
        row["key_facts"] = all(_contains(answer, match_form(fact)) for fact in item.get("key_facts", []))
        if cited:
            row["citation_precision"] = sum(any(line in text for line in evidence) for text in cited) / len(cited)
    return row


def _contains(answer: str, fact: str) -> bool:
    """``fact`` in ``answer``, where a fact starting or ending with a digit is not part of a longer number."""
    before = r"(?<![\d.])" if fact[:1].isdigit() else ""
    after = r"(?![\d.]\d|\d)" if fact[-1:].isdigit() else ""
    return re.search(before + re.escape(fact) + after, answer) is not None


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [row for row in rows if row["qtype"] != "unanswerable"]
    unanswerable = [row for row in rows if row["qtype"] == "unanswerable"]
    precisions = [row["citation_precision"] for row in answerable if "citation_precision" in row]
    seconds = [row["seconds"] for row in rows if row["seconds"] is not None]
    firsts = [row["first_token"] for row in rows if row["first_token"] is not None]
    return {
        "n": len(rows),
        "key_fact_accuracy": _share([row["key_facts"] for row in answerable]),
        "citation_precision": round(statistics.mean(precisions), 3) if precisions else None,
        "refusal_rate": _share([row["refused"] for row in unanswerable]),
        "refused_answerable": sum(row["refused"] for row in answerable),
        "unsupported_figures": sum(len(row["unsupported"]) for row in rows),
        "wrong_figures": sum(len(row.get("wrong_figures", ())) for row in rows),
        "median_seconds": round(statistics.median(seconds), 2) if seconds else None,
        "p90_seconds": round(sorted(seconds)[int(0.9 * (len(seconds) - 1))], 2) if seconds else None,
        "median_first_token_seconds": round(statistics.median(firsts), 2) if firsts else None,
    }


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def evaluate(path: Path, generator: str, index: str | None, limit: int | None,
             replay: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    items = load(path, limit)
    drafts = {question: row["draft"] for question, row in replay.items()} if replay is not None else None
    results = ask_batch([item["question"] for item in items], generator, index, drafts)
    rows = [judge(item, result) for item, result in zip(items, results)]
    for row in rows if replay is not None else ():  # the times are those of the run that wrote the drafts
        row["seconds"], row["first_token"] = replay[row["question"]]["seconds"], replay[row["question"]]["first_token"]
    kinds = sorted({row["qtype"] for row in rows})
    return {"overall": summarise(rows), "by_type": {kind: summarise([r for r in rows if r["qtype"] == kind])
                                                    for kind in kinds}, "per_question": rows}


def markdown(report: dict[str, dict[str, Any]]) -> str:
    header = ["set", "type", "n", "key facts", "cite prec.", "refusal", "refused ans.", "unsupported", "wrong",
              "median s", "first token s"]
    table = []
    for name, result in report.items():
        for kind, values in [("all", result["overall"]), *result["by_type"].items()]:
            table.append([name, kind, values["n"], values["key_fact_accuracy"], values["citation_precision"],
                          values["refusal_rate"], values["refused_answerable"], values["unsupported_figures"],
                          values.get("wrong_figures"), values["median_seconds"], values["median_first_token_seconds"]])
    return format_table(header, table)


def _headline(report: dict[str, dict[str, Any]], shown: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Per set, overall and per type: the shown metrics (None as 0) and n, as eval.retrieval's table and plot want."""
    def view(values: dict[str, Any]) -> dict[str, Any]:
        return {**{metric: values[metric] or 0.0 for metric in shown}, "n": values["n"]}

    return {name: {"overall": view(result["overall"]),
                   "by_type": {kind: view(values) for kind, values in result["by_type"].items()}}
            for name, result in report.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS, help="question files (JSONL)")
    parser.add_argument("--generator", choices=GENERATORS, default="local", help="who writes the answers (default local)")
    parser.add_argument("--index", default=None, help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--limit", type=int, help="only the first N questions of each set (a quick look)")
    parser.add_argument("--tag", default="", help="suffix for the results files")
    parser.add_argument("--replay", type=Path, help="a results file whose recorded drafts are verified again "
                                                    "instead of generating (measures a verifier change)")
    args = parser.parse_args()
    replay = recorded_rows(args.replay) if args.replay else None
    try:
        report = {path.stem: evaluate(path, args.generator, args.index, args.limit, replay) for path in args.sets}
    except ReportqaError as error:  # no index, another model's index, a model not installed
        raise SystemExit(f"error: {error}") from error
    name = f"answers-{args.generator}{'-' + args.tag if args.tag else ''}"
    RESULTS.mkdir(exist_ok=True)
    previous_path = RESULTS / f"{name}.json"
    previous = json.loads(previous_path.read_text(encoding="utf-8")) if previous_path.exists() else {}
    table = markdown(report)
    print(table)
    shown = ("key_fact_accuracy", "citation_precision", "refusal_rate")
    comparable, before = _headline(report, shown), _headline(previous, shown)
    delta = changes(comparable, before, shown)
    print("\nChange from the previous results file:\n" + delta)
    for set_name, result in report.items():
        wrong = [r["id"] for r in result["per_question"] if r["qtype"] != "unanswerable" and not r["key_facts"]]
        print(f"{set_name}: key facts missing in {', '.join(wrong) or 'none'}")
    previous_path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(f"# Answers ({name})\n\n```\n{table}\n```\n\nChange from the previous run:\n\n"
                                        f"```\n{delta}\n```\n\n![{name}]({name}.png)\n", encoding="utf-8")
    plot(comparable, before, RESULTS / f"{name}.png", name, shown, (0.9, 0.85))


if __name__ == "__main__":
    main()
