"""Validate eval/national.jsonl: ``python -m eval.check_national`` from the repository root.

The question set on the State Council's government work reports (``data/national/``). Checks
required fields and types (lists aligned for comparison items, which compare two or more years),
ids ``N001``…, unique ids and questions, qtype minimums, the shape of unanswerable items, that
every evidence fragment (8-40 chars) lies inside ONE line of its evidence file after ``match_form``
on both sides, that key facts appear in evidence or answer, and that ``year`` is the year of the
report the evidence comes from. Items about a target or an actual figure say so (``figure``:
``target`` or ``actual``, ``about_year``: the year the figure is for): a target for year Y is in
the plan part of the report of year Y, an actual for year Y in the review part of the report of
year Y + 1 (the review part ends at the report's ``二、`` heading). Exits 1 on problems.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from eval.check_questions import LIST_FIELDS, NO_ANSWER, REQUIRED, locate
from reportqa.text import YEAR, match_form

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "data" / "national"
QUESTIONS = ROOT / "eval" / "national.jsonl"
MIN_ITEMS = 40
MIN_QTYPE = {"numeric": 16, "fact": 4, "list": 3, "comparison": 5, "disambiguation": 0, "unanswerable": 8}
MIN_TARGET_ACTUAL = 8  # numeric or disambiguation items with a target or an actual figure
PLACE, DOC_TYPE = "全国", "政府工作报告"
SECTION_OF = {"target": "plan", "actual": "review"}
YEAR_LAG = {"target": 0, "actual": 1}  # report year minus the year the figure is for
PLAN_HEADING = re.compile(r"^\s*二、")
ID = re.compile(r"N\d{3}")

Lines = dict[str, list[tuple[str, str]]]


def load_lines(folder: Path = NATIONAL) -> Lines:
    """Map file name -> [(section, match_form of one line)]; ``review`` up to the ``二、`` heading, then ``plan``."""
    lines: Lines = {}
    for path in sorted(folder.glob("*.txt")):
        section, rows = "review", []
        for line in path.read_text(encoding="utf-8").split("\n"):
            section = "plan" if PLAN_HEADING.match(line) else section
            rows.append((section, match_form(line)))
        lines[path.name] = rows
    return lines


def report_year(file: str) -> int | None:
    """The year in a report's file name (``2019年国务院政府工作报告.txt`` -> 2019)."""
    found = re.match(YEAR, file)
    return int(found.group()) if found else None


def as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def check_shape(it: dict) -> list[str]:
    """Fields, types, id, qtype, the place and document type, list alignment of comparisons."""
    qid = it.get("id", "?")
    bad = [f for f, kind in REQUIRED.items() if f not in it or not isinstance(it[f], kind)]
    if bad or not ID.fullmatch(str(qid)):
        return [f"{qid}: bad id or fields missing/of wrong type: {bad}"]
    problems = [f"{qid}: unknown qtype {it['qtype']!r}"] if it["qtype"] not in MIN_QTYPE else []
    is_cmp = it["qtype"] == "comparison"
    for field in LIST_FIELDS if it["qtype"] != "unanswerable" else ():
        if is_cmp and not (isinstance(it[field], list) and len(it[field]) == len(it["district"]) >= 2):
            problems.append(f"{qid}: comparison field {field!r} must be a list aligned with district")
        if not is_cmp and isinstance(it[field], list):
            problems.append(f"{qid}: field {field!r} is a list but qtype is not comparison")
    if is_cmp and len(set(as_list(it["year"]))) < 2:
        problems.append(f"{qid}: a comparison must span two or more report years")
    if set(as_list(it["district"])) != {PLACE} or set(as_list(it["doc_type"])) != {DOC_TYPE}:
        problems.append(f"{qid}: district must be {PLACE!r} and doc_type {DOC_TYPE!r}")
    return problems


def check_unanswerable(it: dict) -> list[str]:
    if it["answer"] != NO_ANSWER or it["evidence"] or it["source_file"] is not None or it["evidence_files"] \
            or it["key_facts"] or not it.get("note"):
        return [f"{it['id']}: unanswerable item needs the fixed answer, a note, no evidence/source/key_facts"]
    return []


def check_evidence(it: dict, lines: Lines) -> list[str]:
    """Evidence in one line of its file, files agreeing with source_file and year, key facts covered."""
    qid, problems = it["id"], []
    if not it["evidence"] or not it["key_facts"]:
        problems.append(f"{qid}: answerable item without evidence or key_facts")
    if len(it["evidence_files"]) != len(it["evidence"]):
        problems.append(f"{qid}: evidence_files not aligned with evidence")
    sources = as_list(it["source_file"])
    if set(sources) != set(it["evidence_files"]):
        problems.append(f"{qid}: source_file {sources} does not match evidence_files")
    problems += [f"{qid}: source {file} is not a report of {year}" for file, year in
                 zip(sources, as_list(it["year"])) if report_year(str(file)) != year or file not in lines]
    for fragment, file in zip(it["evidence"], it["evidence_files"]):
        if not 8 <= len(fragment) <= 40:
            problems.append(f"{qid}: evidence length {len(fragment)} outside 8-40: {fragment}")
        if not locate(fragment, file, lines):
            problems.append(f"{qid}: evidence not inside one line of {file}: {fragment}")
    haystack = match_form(" ".join(it["evidence"])) + "|" + match_form(it["answer"])
    problems += [f"{qid}: key fact {f!r} not in evidence or answer" for f in it["key_facts"]
                 if match_form(f) not in haystack]
    return problems


def check_timing(it: dict, lines: Lines) -> list[str]:
    """A target is in the plan part of its own year's report, an actual in the review part of the next one."""
    if "figure" not in it:
        return []
    qid, figures, abouts = it["id"], as_list(it["figure"]), as_list(it.get("about_year"))
    sources, years = as_list(it["source_file"]), as_list(it["year"])
    if not len(figures) == len(abouts) == len(sources) or any(f not in SECTION_OF for f in figures):
        return [f"{qid}: figure / about_year must be target or actual, aligned with source_file"]
    problems = []
    for figure, about, source, year in zip(figures, abouts, sources, years):
        if not isinstance(about, int) or year - about != YEAR_LAG[figure] or str(about) not in it["question"]:
            due = about + YEAR_LAG[figure] if isinstance(about, int) else "?"
            problems.append(f"{qid}: the {figure} for {about} must come from the report of {due}"
                            f" and the question must name {about}")
        placed = [locate(frag, file, lines) for frag, file in zip(it["evidence"], it["evidence_files"]) if file == source]
        if {SECTION_OF[figure]} not in placed:
            problems.append(f"{qid}: no evidence for the {figure} in the {SECTION_OF[figure]} part of {source}")
    return problems


def check_item(it: dict, lines: Lines) -> list[str]:
    problems = check_shape(it)
    if problems:
        return problems
    if it["qtype"] == "unanswerable":
        return check_unanswerable(it)
    return check_evidence(it, lines) + check_timing(it, lines)


def validate(items: list[dict], lines: Lines) -> list[str]:
    """Every problem of the set: per item, duplicates, and the minimums per qtype."""
    problems = [p for it in items for p in check_item(it, lines)]
    for field in ("id", "question"):
        dupes = [v for v, n in Counter(match_form(str(it.get(field))) for it in items).items() if n > 1]
        problems += [f"duplicate {field}: {v}" for v in dupes]
    qtypes = Counter(it.get("qtype") for it in items)
    problems += [f"only {len(items)} items (< {MIN_ITEMS})"] if len(items) < MIN_ITEMS else []
    problems += [f"qtype {q}: {qtypes[q]} < {n}" for q, n in MIN_QTYPE.items() if qtypes[q] < n]
    timed = sum(1 for it in items if "figure" in it and it.get("qtype") in ("numeric", "disambiguation"))
    problems += [f"targets and actuals: {timed} < {MIN_TARGET_ACTUAL}"] if timed < MIN_TARGET_ACTUAL else []
    return problems


def load_items(path: Path = QUESTIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    items, lines = load_items(), load_lines()
    problems = validate(items, lines)
    qtypes = Counter(it.get("qtype") for it in items)
    timed = Counter(f for it in items if it.get("qtype") in ("numeric", "disambiguation") for f in as_list(it.get("figure")))
    print(f"{len(items)} items; per qtype:", ", ".join(f"{q}={qtypes[q]}" for q in MIN_QTYPE))
    print(f"targets / actuals (numeric, disambiguation): {timed['target']} / {timed['actual']}")
    print("per report:", ", ".join(f"{report_year(f)}={sum(f in it['evidence_files'] for it in items)}" for f in lines))
    print("\n".join(f"PROBLEM {p}" for p in problems) or "OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
