"""Retrieval quality on question sets: ``python -m eval.retrieval [QA.jsonl ...]``.

Searches the index with ``reportqa.search.retrieval.Retriever`` (what
``python -m reportqa search`` runs: question understanding, no filters; plain
hybrid search with ``--literal``) for the answerable questions of each set and
reports Recall@1/5/10, MRR and nDCG@10, overall and per question type, plus how often the top hit of a
disambiguation question comes from the right place and year.

How a question is judged:

* Its gold evidence lines (after NFKC and whitespace removal) must all be
  inside the returned passages. ``also_in_evidence`` gives the same evidence
  as worded in another file, and ``alt_evidence`` (in this project's own set)
  other passages that answer the question as fully; whichever is found first
  counts.
* Some evidence needs more than one passage (a comparison needs both
  districts' passages). If the best possible ranking needs m passages, the
  question is found at rank r − m + 1 when its last needed line appears at
  rank r, so a perfect ranking always scores rank 1.
* nDCG@10 gives each passage the share of evidence lines it adds; the ideal
  ranking covers the lines with as few passages as possible.
* Evidence lines that occur in no passage of the index at all (a line cut by a
  chunk boundary) cannot be found by any ranking; they are left out of that
  question's check and counted in ``unfindable_evidence``.

Writes ``eval/results/retrieval[-TAG].json``, ``.md`` and ``.png`` (``--tag``
names a variant) and prints the change from the previous results file of the
same name.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from pathlib import Path
from typing import Any

from reportqa.errors import ReportqaError
from reportqa.indexing import store
from reportqa.search.hybrid import SearchFilters, SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings
from reportqa.text import match_form
from reportqa.ui.tables import format_table

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SETS = [Path(__file__).resolve().parents[2] / "shared" / "dev_qa.jsonl",
                Path(__file__).resolve().parent / "questions.jsonl",
                Path(__file__).resolve().parent / "heldout.jsonl"]
CUTOFFS = (1, 5, 10)
METRICS = (*(f"R@{k}" for k in CUTOFFS), "MRR", "nDCG@10")


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


def fewest_passages(evidence: list[str], corpus: list[str]) -> int:
    """How many passages of ``corpus`` the best ranking needs to hold every evidence line."""
    holders = [{row for row, text in enumerate(corpus) if line in text} for line in evidence]
    pool = sorted(set().union(*holders))
    for size in range(1, len(evidence)):
        if any(all(h & set(combo) for h in holders) for combo in itertools.combinations(pool, size)):
            return size
    return len(evidence)


def ndcg(evidence: list[str], passages: list[str], corpus: list[str], depth: int = 10) -> float:
    """nDCG@depth where a passage's gain is the share of evidence lines it adds."""
    def gains(order: list[str]) -> list[float]:
        left, result = set(evidence), []
        for text in order[:depth]:
            covered = {line for line in left if line in text}
            result.append(len(covered) / len(evidence))
            left -= covered
        return result

    ideal, left = [], set(evidence)
    while left:  # greedy cover: the passage that adds most lines first
        best = max(corpus, key=lambda text: sum(line in text for line in left))
        ideal.append(best)
        left -= {line for line in left if line in best}
    dcg = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains(passages), start=1))
    best_dcg = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains(ideal), start=1))
    return dcg / best_dcg if best_dcg else 0.0


def judge(item: dict[str, Any], passages: list[str], corpus: list[str], all_text: str) -> dict[str, Any]:
    """The question's rank, nDCG and unfindable lines, by its best-found evidence wording."""
    options = [item["evidence"], *item.get("also_in_evidence", {}).values(),
               *(alternative["evidence"] for alternative in item.get("alt_evidence", []))]
    best: dict[str, Any] | None = None
    for option in options:
        evidence = [match_form(line) for line in option]
        findable = list(dict.fromkeys(line for line in evidence if line in all_text))
        if not findable:
            continue
        last = found_rank(findable, passages)
        needed = fewest_passages(findable, corpus)
        verdict = {"rank": None if last is None else max(1, last - needed + 1), "needed": needed,
                   "ndcg": round(ndcg(findable, passages, corpus), 4),
                   "unfindable": len(evidence) - len(findable)}
        if best is None or (verdict["rank"] or math.inf, -verdict["ndcg"]) < (best["rank"] or math.inf, -best["ndcg"]):
            best = verdict
    return best or {"rank": None, "needed": 0, "ndcg": 0.0, "unfindable": len(item["evidence"])}


def batch_search(questions: list[str], index_dir: str, k: int, literal: bool = False) -> list[list[dict[str, Any]]]:
    """Each question's k best passages as ``Hit.to_json()`` records, best first.

    Opens the index and searches as ``python -m reportqa search --batch`` does:
    ``Retriever.retrieve`` without filters, or ``SearchIndex.search`` when ``literal``.
    """
    index = SearchIndex.open(Settings.from_env(index_dir=index_dir))
    retriever, filters = Retriever(index), SearchFilters()
    results = []
    for question in questions:
        hits = index.search(question, k, filters) if literal else retriever.retrieve(question, k, filters).hits
        results.append([hit.to_json() for hit in hits])
    return results


def evaluate(items: list[dict[str, Any]], index_dir: str, literal: bool = False) -> dict[str, Any]:
    started = time.perf_counter()
    results = batch_search([item["question"] for item in items], index_dir, max(CUTOFFS), literal)
    seconds = time.perf_counter() - started
    corpus = [chunk.text for chunk in store.read_chunks(index_dir)]
    all_text = "\n".join(corpus)
    rows = []
    for item, hits in zip(items, results):
        verdict = judge(item, [hit["text"] for hit in hits], corpus, all_text)
        top = hits[0] if hits else {}
        rows.append({"id": item["id"], "qtype": item.get("qtype", "?"), **verdict, "top": top.get("chunk_id"),
                     "top_place": top.get("place") or top.get("district"), "top_year": top.get("year"),
                     "right_place": right_place(item, top)})
    places = [row["right_place"] for row in rows if row["qtype"] == "disambiguation" and row["right_place"] is not None]
    return {"questions": len(rows), "search_seconds": round(seconds, 2),
            "unfindable_evidence": sum(row["unfindable"] for row in rows),
            "disambiguation_top_right_place": round(sum(places) / len(places), 3) if places else None,
            "overall": metrics(rows), "by_type": {t: metrics([r for r in rows if r["qtype"] == t])
                                                  for t in sorted({r["qtype"] for r in rows})},
            "per_question": rows}


def right_place(item: dict[str, Any], top: dict[str, Any]) -> bool | None:
    """Whether the top hit is from the question's place (its ``district`` field: 嘉定区, 全国) and report year
    (None if the item names several)."""
    if not isinstance(item.get("district"), str) or not isinstance(item.get("year"), int):
        return None
    return (top.get("place") or top.get("district")) == item["district"] and top.get("year") == item["year"]


def metrics(rows: list[dict[str, Any]]) -> dict[str, float]:
    n = len(rows)
    result: dict[str, float] = {f"R@{k}": round(sum(r["rank"] is not None and r["rank"] <= k for r in rows) / n, 3)
                                for k in CUTOFFS}
    result["MRR"] = round(sum(1 / r["rank"] for r in rows if r["rank"]) / n, 3)
    result["nDCG@10"] = round(sum(r["ndcg"] for r in rows) / n, 3)
    result["n"] = n
    return result


def markdown(report: dict[str, dict[str, Any]]) -> str:
    header = ["set", "type", "n", *METRICS]
    table = []
    for name, result in report.items():
        for kind, values in [("all", result["overall"]), *result["by_type"].items()]:
            table.append([name, kind, values["n"], *(values[m] for m in METRICS)])
    return format_table(header, table)


def changes(report: dict[str, dict[str, Any]], previous: dict[str, dict[str, Any]],
            shown: tuple[str, ...] = METRICS) -> str:
    """A table of each metric before → after, for the sets and types both runs have."""
    header = ["set", "type", *shown]
    table = []
    for name, result in report.items():
        if name not in previous:
            continue
        before_rows = {"all": previous[name]["overall"], **previous[name]["by_type"]}
        for kind, values in [("all", result["overall"]), *result["by_type"].items()]:
            before = before_rows.get(kind, {})
            table.append([name, kind, *(_change(before.get(m), values[m]) for m in shown)])
    return format_table(header, table) if table else "(no previous results to compare with)"


def _change(before: float | None, after: float) -> str:
    if before is None:
        return f"{after:.3f}"
    delta = after - before
    return f"{before:.3f}→{after:.3f}" + (f" ({delta:+.3f})" if abs(delta) >= 0.0005 else "")


def plot(report: dict[str, dict[str, Any]], previous: dict[str, dict[str, Any]], path: Path, title: str,
         shown: tuple[str, ...] = ("R@1", "R@5", "MRR", "nDCG@10"), targets: tuple[float, ...] = (0.97, 0.85)) -> None:
    """Bars per question type and metric for each set; dots mark the previous run; dashed lines the targets."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(report), figsize=(6.5 * len(report), 4.2), squeeze=False)
    for axis, (name, result) in zip(axes[0], report.items()):
        kinds = ["all", *result["by_type"]]
        values = {"all": result["overall"], **result["by_type"]}
        before = {"all": previous[name]["overall"], **previous[name]["by_type"]} if name in previous else {}
        width = 0.8 / len(shown)
        for offset, metric in enumerate(shown):
            xs = [i + (offset - (len(shown) - 1) / 2) * width for i in range(len(kinds))]
            axis.bar(xs, [values[k][metric] for k in kinds], width, label=metric)
            old = [(x, before[k][metric]) for x, k in zip(xs, kinds) if metric in before.get(k, {})]
            if old:
                axis.plot(*zip(*old), "k.", markersize=5, label="previous" if offset == 0 else None)
        for target in targets:
            axis.axhline(target, linestyle="--", linewidth=0.8, color="grey")
        axis.set_xticks(range(len(kinds)), [f"{k}\n(n={values[k]['n']})" for k in kinds], fontsize=8)
        axis.set_ylim(0, 1.05)
        axis.set_title(f"{name}: {title}", fontsize=10)
    axes[0][0].legend(fontsize=7, loc="lower left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS, help="question files (JSONL)")
    parser.add_argument("--index", default=None, help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--literal", action="store_true", help="plain hybrid search, no question understanding")
    parser.add_argument("--tag", default="", help="suffix for the results files (e.g. a variant's name)")
    args = parser.parse_args()
    index_dir = Settings.from_env(index_dir=args.index).index_dir
    try:
        report = {path.stem: evaluate(load_questions(path), index_dir, args.literal) for path in args.sets}
    except ReportqaError as error:  # no index, another model's index, a model not installed
        raise SystemExit(f"error: {error}") from error
    name = f"retrieval{'-' + args.tag if args.tag else ''}"
    RESULTS.mkdir(exist_ok=True)
    previous_path = RESULTS / f"{name}.json"
    previous = json.loads(previous_path.read_text(encoding="utf-8")) if previous_path.exists() else {}
    table, delta = markdown(report), changes(report, previous)
    print(table)
    print("\nChange from the previous results file:\n" + delta)
    for set_name, result in report.items():
        misses = [r["id"] for r in result["per_question"] if not r["rank"] or r["rank"] > 5]
        print(f"{set_name}: missed at 5: {', '.join(misses) or 'none'}; "
              f"{result['unfindable_evidence']} evidence lines in no passage; disambiguation top hit in the "
              f"right place and year: {result['disambiguation_top_right_place']}")
    previous_path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    places = "\n".join(f"- {set_name}: disambiguation questions whose top hit is from the right district and "
                       f"year: {result['disambiguation_top_right_place']}" for set_name, result in report.items())
    (RESULTS / f"{name}.md").write_text(
        f"# Retrieval ({name})\n\n```\n{table}\n```\n\n{places}\n\nChange from the previous run:\n\n"
        f"```\n{delta}\n```\n\n![{name}]({name}.png)\n", encoding="utf-8")
    plot(report, previous, RESULTS / f"{name}.png", name)


if __name__ == "__main__":
    main()
