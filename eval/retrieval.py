"""Retrieval quality on question sets: ``python -m eval.retrieval [QA.jsonl ...]``.

Runs ``python -m reportqa search --batch`` (in process, same code path) over
the answerable questions of each set and reports Recall@1/5/10 and MRR, overall
and per question type. A question is found at rank k when every gold evidence
line is contained in one of the first k passages, after NFKC and whitespace
removal. Evidence lines that occur in no passage of the index at all (a line
cut by a chunk boundary) cannot be found by any ranking; they are left out of
that question's check and counted in ``unfindable_evidence``.

Writes ``eval/results/retrieval[-TAG].json`` and ``.md`` (``--tag`` names a variant).
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from reportqa import cli, store
from reportqa.normalize import match_form
from reportqa.report import format_table
from reportqa.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SETS = [Path(__file__).resolve().parents[2] / "shared" / "dev_qa.jsonl",
                Path(__file__).resolve().parent / "questions.jsonl"]
CUTOFFS = (1, 5, 10)


def load_questions(path: Path) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [item for item in items if item.get("qtype") != "unanswerable" and item.get("evidence")]


def found_rank(evidence: list[str], passages: list[str]) -> int | None:
    """The smallest k such that the first k passages hold every evidence line."""
    needed = set(evidence)
    for rank, passage in enumerate(passages, start=1):
        needed = {line for line in needed if line not in passage}
        if not needed:
            return rank
    return None


def batch_search(questions: list[str], index_dir: str, k: int, literal: bool = False) -> list[list[dict[str, Any]]]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as handle:
        for question in questions:
            handle.write(json.dumps({"question": question}, ensure_ascii=False) + "\n")
    out = io.StringIO()
    flags = ["--literal"] if literal else []
    status = cli.main(["search", "--batch", handle.name, "-k", str(k), "--index", index_dir, *flags], stdout=out)
    Path(handle.name).unlink()
    if status != 0:
        raise SystemExit(f"search --batch failed with status {status}")
    return [json.loads(line)["hits"] for line in out.getvalue().splitlines()]


def evaluate(items: list[dict[str, Any]], index_dir: str, literal: bool = False) -> dict[str, Any]:
    all_text = "\n".join(chunk.text for chunk in store.read_chunks(index_dir))
    started = time.perf_counter()
    results = batch_search([item["question"] for item in items], index_dir, max(CUTOFFS), literal)
    seconds = time.perf_counter() - started
    rows = []
    unfindable = 0
    for item, hits in zip(items, results):
        evidence = [match_form(line) for line in item["evidence"]]
        findable = [line for line in evidence if line in all_text]
        unfindable += len(evidence) - len(findable)
        rank = found_rank(findable, [hit["text"] for hit in hits]) if findable else None
        rows.append({"id": item["id"], "qtype": item.get("qtype", "?"), "rank": rank,
                     "top": hits[0]["chunk_id"] if hits else None})
    return {"questions": len(rows), "search_seconds": round(seconds, 2), "unfindable_evidence": unfindable,
            "overall": metrics(rows), "by_type": {t: metrics([r for r in rows if r["qtype"] == t])
                                                  for t in sorted({r["qtype"] for r in rows})},
            "per_question": rows}


def metrics(rows: list[dict[str, Any]]) -> dict[str, float]:
    n = len(rows)
    result = {f"R@{k}": round(sum(r["rank"] is not None and r["rank"] <= k for r in rows) / n, 3) for k in CUTOFFS}
    result["MRR"] = round(sum(1 / r["rank"] for r in rows if r["rank"]) / n, 3)
    result["n"] = n
    return result


def markdown(report: dict[str, dict[str, Any]]) -> str:
    header = ["set", "type", "n", *(f"R@{k}" for k in CUTOFFS), "MRR"]
    table = []
    for name, result in report.items():
        for kind, values in [("all", result["overall"]), *result["by_type"].items()]:
            table.append([name, kind, values["n"], *(values[f"R@{k}"] for k in CUTOFFS), values["MRR"]])
    return format_table(header, table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS, help="question files (JSONL)")
    parser.add_argument("--index", default=None, help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--literal", action="store_true", help="plain hybrid search, no question understanding")
    parser.add_argument("--tag", default="", help="suffix for the results files (e.g. a variant's name)")
    args = parser.parse_args()
    index_dir = Settings.from_env(index_dir=args.index).index_dir
    report = {path.stem: evaluate(load_questions(path), index_dir, args.literal) for path in args.sets}
    table = markdown(report)
    print(table)
    for name, result in report.items():
        misses = [r["id"] for r in result["per_question"] if not r["rank"] or r["rank"] > 5]
        print(f"{name}: missed at 5: {', '.join(misses) or 'none'}; "
              f"{result['unfindable_evidence']} evidence lines in no passage")
    RESULTS.mkdir(exist_ok=True)
    name = f"retrieval{'-' + args.tag if args.tag else ''}"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(f"# Retrieval ({name})\n\n```\n{table}\n```\n", encoding="utf-8")


if __name__ == "__main__":
    main()
