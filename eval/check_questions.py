"""Validate eval/questions.jsonl: ``python -m eval.check_questions`` (or ``python eval/check_questions.py``).

Checks required fields/types (lists for comparison items), unique ids and questions, qtype
minimums, the shape of unanswerable items, that every evidence fragment (8-40 chars) lies inside
ONE line of its evidence file after ``match_form`` on both sides (also ``also_in_evidence`` and each
``alt_evidence`` alternative: another passage that answers the question as fully), that
key facts appear in evidence or answer, coverage of every report copy (listing 002 is split into
its "• 【X区招商】" sections) and that no question repeats a dev_qa question. Exits 1 on problems.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from reportqa.text import match_form

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
QUESTIONS = ROOT / "eval" / "questions.jsonl"
DEV = ROOT.parent / "shared" / "dev_qa.jsonl"  # the shared dev set, beside the checkout
LISTING = "002_606b8993a8cf2f09.txt"
NO_ANSWER = "无法从文档中找到"
MIN_ITEMS = 85
MIN_QTYPE = {"numeric": 32, "fact": 14, "list": 10, "comparison": 10, "disambiguation": 9, "unanswerable": 10}
# report copy -> minimum items with evidence in it (the 嘉定 copy in 002 duplicates 003)
MIN_COVER = {c: 2 if c == "002:嘉定区" else 4 for c in ["000", "001", "003", "004"] + [
    f"002:{d}区" for d in ("青浦", "普陀", "虹口", "嘉定", "闵行", "杨浦", "松江", "徐汇")]}
REQUIRED: dict[str, type | tuple[type, ...]] = {
    "id": str, "question": str, "answer": str, "evidence": list, "source_file": (str, list, type(None)), "evidence_files": list,
    "district": (str, list), "year": (int, list), "doc_type": (str, list), "qtype": str, "key_facts": list}
LIST_FIELDS = ("district", "year", "doc_type", "source_file")
HEADER = re.compile(r"^•\s*【(.+?)招商】")


def load_copies() -> dict[str, list[tuple[str, str]]]:
    """Map file name -> [(report copy, match_form of one line)]; 002 is split by section."""
    copies: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(REPORTS.glob("*.txt")):
        section, rows = path.name[:3], []
        for line in path.read_text(encoding="utf-8").split("\n"):
            header = HEADER.match(line.strip()) if path.name == LISTING else None
            if header:
                section = f"002:{header.group(1)}"
            rows.append((section, match_form(line)))
        copies[path.name] = rows
    return copies


def locate(fragment: str, file: str, copies: dict[str, list[tuple[str, str]]]) -> set[str]:
    """Report copies whose single lines contain the fragment (match form)."""
    needle = match_form(fragment)
    return {copy for copy, line in copies.get(file, []) if needle and needle in line}


def check_item(it: dict, copies: dict, problems: list[str], cover: Counter) -> None:
    qid = it.get("id", "?")
    bad = [f for f, kind in REQUIRED.items() if f not in it or not isinstance(it[f], kind)]
    if bad or not re.fullmatch(r"Q\d{3}", qid):
        problems.append(f"{qid}: bad id or fields missing/of wrong type: {bad}")
        return
    is_cmp = it["qtype"] == "comparison"
    for field in LIST_FIELDS:
        if is_cmp and not (isinstance(it[field], list) and len(it[field]) == len(it["district"]) >= 2):
            problems.append(f"{qid}: comparison field {field!r} must be a list aligned with district")
        if not is_cmp and isinstance(it[field], list):
            problems.append(f"{qid}: field {field!r} is a list but qtype is not comparison")
    if it["qtype"] not in MIN_QTYPE:
        problems.append(f"{qid}: unknown qtype {it['qtype']!r}")
    if it["qtype"] == "unanswerable":
        if it["answer"] != NO_ANSWER or it["evidence"] or it["source_file"] is not None or it["key_facts"] or not it.get("note"):
            problems.append(f"{qid}: unanswerable item needs the fixed answer, a note, no evidence/source/key_facts")
        return
    if not it["evidence"] or not it["key_facts"]:
        problems.append(f"{qid}: answerable item without evidence or key_facts")
    if len(it["evidence_files"]) != len(it["evidence"]):
        problems.append(f"{qid}: evidence_files not aligned with evidence")
    sources = it["source_file"] if isinstance(it["source_file"], list) else [it["source_file"]]
    if not set(sources) <= set(it["evidence_files"]):
        problems.append(f"{qid}: source_file not among evidence_files")
    item_copies: set[str] = set()
    for fragment, file in zip(it["evidence"], it["evidence_files"]):
        found = locate(fragment, file, copies)
        item_copies |= found
        if not 8 <= len(fragment) <= 40:
            problems.append(f"{qid}: evidence length {len(fragment)} outside 8-40: {fragment}")
        if len(found) != 1 or not found <= set(MIN_COVER):
            problems.append(f"{qid}: evidence found in {sorted(found)} of {file} (need one report copy, one line): {fragment}")
    cover.update(item_copies & set(MIN_COVER))
    problems += [f"{qid}: also_in_evidence not found in {file}: {frag}" for file, frags in
                 it.get("also_in_evidence", {}).items() for frag in frags if not locate(frag, file, copies)]
    for alternative in it.get("alt_evidence", []):
        pairs = list(zip(alternative.get("evidence", []), alternative.get("evidence_files", [])))
        if not pairs or len(pairs) != len(alternative["evidence"]) or not alternative.get("note"):
            problems.append(f"{qid}: alt_evidence needs aligned evidence / evidence_files and a note")
        problems += [f"{qid}: alt_evidence not found in one line of {file}: {frag}" for frag, file in pairs
                     if len(locate(frag, file, copies)) != 1]
    haystack = match_form(" ".join(it["evidence"])) + "|" + match_form(it["answer"])
    problems += [f"{qid}: key fact {f!r} not in evidence or answer" for f in it["key_facts"] if match_form(f) not in haystack]


def main() -> int:
    items = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    dev = {match_form(json.loads(line)["question"]) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()}
    copies, problems, cover = load_copies(), [], Counter()
    for it in items:
        check_item(it, copies, problems, cover)
    for field in ("id", "question"):
        dupes = [v for v, n in Counter(match_form(str(it.get(field))) for it in items).items() if n > 1]
        problems += [f"duplicate {field}: {v}" for v in dupes]
    problems += [f"{it.get('id')}: question identical to a dev_qa question" for it in items
                 if match_form(str(it.get("question"))) in dev]
    qtypes = Counter(it.get("qtype") for it in items)
    problems += [f"only {len(items)} items (< {MIN_ITEMS})"] if len(items) < MIN_ITEMS else []
    problems += [f"qtype {q}: {qtypes[q]} < {n}" for q, n in MIN_QTYPE.items() if qtypes[q] < n]
    problems += [f"report copy {c}: {cover[c]} items < {n}" for c, n in MIN_COVER.items() if cover[c] < n]
    print(f"{len(items)} items; per qtype:", ", ".join(f"{q}={qtypes[q]}" for q in MIN_QTYPE))
    print("per report copy:", ", ".join(f"{c}={cover[c]}" for c in MIN_COVER))
    print("\n".join(f"PROBLEM {p}" for p in problems) or "OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
