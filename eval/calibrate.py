"""Calibrate the "nothing relevant" threshold: ``python -m eval.calibrate``.

Cosine scores of the default model bunch between 0.75 and 0.95, so whether a
search found anything relevant cannot be read off a guessed cut. This script
takes the best-sentence cosine of the top hit (``Hit.sentence_score``) for

* every answerable question of the question sets (they must stay relevant), and
* ``eval/offtopic.jsonl`` — questions the corpus has nothing about (other
  cities, general knowledge) that must come out as "nothing relevant",

and picks a threshold ``--margin`` (0.005) below the score that keeps
``--keep`` (all) of the answerable questions: a question wrongly called
irrelevant costs a user more than a weak passage shown, which the answer
layer's checks still catch. Questions that name only places absent from the index
count as "nothing relevant" whatever their score (``Retrieval.relevant``).
Questions marked ``unanswerable`` in a set are left out (``load_questions``): they are
about the corpus's subjects, for years or places it lacks, and the answer layer refuses them.
Writes ``eval/results/threshold{-tag}.{json,md}``; set the result as
``REPORTQA_RELEVANCE_THRESHOLD`` (the default is this script's value for the
default model — recalibrate when you change the embedding model).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from eval.retrieval import DEFAULT_SETS, RESULTS, load_questions
from reportqa.search.hybrid import SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings
from reportqa.ui.tables import format_table

OFFTOPIC = Path(__file__).resolve().parent / "offtopic.jsonl"


def top_scores(retriever: Retriever, questions: list[str]) -> list[dict[str, Any]]:
    rows = []
    for question in questions:
        retrieval = retriever.retrieve(question, 3)
        top = retrieval.hits[0] if retrieval.hits else None
        rows.append({"question": question, "score": top.sentence_score if top and top.sentence_score else 0.0,
                     "missing_places": list(retrieval.missing_places)})
    return rows


def choose(answerable: list[float], keep: float, margin: float) -> float:
    """A threshold ``margin`` below the score that keeps ``keep`` of the answerable questions, on a 0.005 grid."""
    ordered = sorted(answerable)
    edge = ordered[min(int(len(ordered) * (1 - keep)), len(ordered) - 1)]
    return round(int((edge - margin) / 0.005) * 0.005, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS, help="question files (JSONL)")
    parser.add_argument("--tag", default="", help="suffix for the results files (e.g. the corpus's name)")
    parser.add_argument("--index", default=None, help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--keep", type=float, default=1.0, help="share of answerable questions kept (default 1.0)")
    parser.add_argument("--margin", type=float, default=0.005, help="distance below that score (default 0.005)")
    args = parser.parse_args()
    retriever = Retriever(SearchIndex.open(Settings.from_env(index_dir=args.index)))
    answerable = [item["question"] for path in args.sets for item in load_questions(path)]
    offtopic = [json.loads(line)["question"] for line in OFFTOPIC.read_text(encoding="utf-8").splitlines() if line]
    kept_rows, off_rows = top_scores(retriever, answerable), top_scores(retriever, offtopic)
    threshold = choose([row["score"] for row in kept_rows], args.keep, args.margin)
    table = []
    for candidate in sorted({threshold, 0.85, 0.86, 0.87, 0.875, 0.88, 0.885, 0.89}):
        kept = sum(row["score"] >= candidate for row in kept_rows) / len(kept_rows)
        rejected = sum(row["score"] < candidate or bool(row["missing_places"]) for row in off_rows) / len(off_rows)
        table.append([f"{candidate:.3f}" + (" (chosen)" if candidate == threshold else ""), round(kept, 3),
                      round(rejected, 3)])
    text = format_table(["threshold", "answerable kept", "off-topic rejected"], table)
    print(text)
    passed = [row for row in off_rows if row["score"] >= threshold and not row["missing_places"]]
    print(f"\nthreshold {threshold}: off-topic questions still taken as relevant: "
          + ("; ".join(f"{row['question']} ({row['score']:.3f})" for row in passed) or "none"))
    RESULTS.mkdir(exist_ok=True)
    report = {"threshold": threshold, "keep": args.keep, "margin": args.margin, "answerable": kept_rows,
              "offtopic": off_rows}
    name = f"threshold-{args.tag}" if args.tag else "threshold"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(
        f"# Relevance threshold\n\nTop hit's best-sentence cosine; {len(kept_rows)} answerable questions, "
        f"{len(off_rows)} off-topic (`eval/offtopic.jsonl`).\n\n```\n{text}\n```\n\nChosen: {threshold}. "
        f"Off-topic still taken as relevant: {len(passed)}.\n", encoding="utf-8")


if __name__ == "__main__":
    main()
