"""Validate the two trap sets: ``python -m eval.check_traps`` from the repository root.

Both sets are written on the two bundled corpora, the Shanghai district reports (``data/reports/``)
and the State Council's reports (``data/national/``):

* ``eval/adversarial.jsonl`` (ids ``A001``…): every question has a neighbouring figure in the
  passages a search finds that tempts a wrong answer — another indicator (``trap``:
  ``indicator``), another year or period (``year``) or another place (``place``); ``neighbour``
  is that figure as the corpus prints it. An item is answerable (the right figure is beside the
  neighbour) or unanswerable (it is nowhere in the corpus; ``note`` names the neighbour).
* ``eval/unanswerable.jsonl`` (ids ``U001``…): questions on topic for passages of the right place
  and subject that no passage answers, asking for a figure or a fact (``asks``); ``nearest`` is a
  fragment of the nearest passage and ``note`` says what it does say.

Checks fields and types, ids, unique ids and questions (within and across both sets and against the
older sets), the shape of unanswerable items, that every evidence fragment (8-40 chars) lies inside
ONE line of its file after ``match_form`` and in the report of the item's place and year, that key
facts appear in evidence or answer and not in the neighbour, targets and actuals of the State
Council's reports as ``eval/check_national.py`` does, that each ``neighbour`` and ``nearest``
occurs in one line of a file in ``distractor_files`` (a place trap's neighbour in another place's
report), and the minimums per set, corpus, trap and kind. Exits 1 on problems.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from eval.check_national import check_timing, check_unanswerable, report_year
from eval.check_national import load_lines as load_national_lines
from eval.check_questions import REQUIRED, load_copies
from reportqa.text import match_form

ROOT = Path(__file__).resolve().parent.parent
ADVERSARIAL = ROOT / "eval" / "adversarial.jsonl"
UNANSWERABLE = ROOT / "eval" / "unanswerable.jsonl"
OLDER_SETS = [ROOT.parent / "shared" / "dev_qa.jsonl"] + [
    ROOT / "eval" / f"{name}.jsonl" for name in ("questions", "heldout", "national", "offtopic")]
NATION = "全国"
TRAPS = ("indicator", "year", "place")
ASKS = ("figure", "fact")
ANSWERABLE_QTYPES = ("numeric", "fact")
ID = {"adversarial": re.compile(r"A\d{3}"), "unanswerable": re.compile(r"U\d{3}")}
MIN_ITEMS = {"adversarial": 36, "unanswerable": 40}
MIN_PER_CORPUS = {"adversarial": 15, "unanswerable": 15}
MIN_PER_TRAP, MIN_PER_ASKS = 5, 10
ANSWERABLE_SHARE = (0.4, 0.6)  # the adversarial set is roughly half answerable
# the report copy a line belongs to (``load_copies``) -> (place, report year); 002 is split by district
COPY_PLACE_YEAR = {"000": ("金山区", 2021), "001": ("金山区", 2020), "003": ("嘉定区", 2021),
                   "004": ("金山区", 2021), "002:杨浦区": ("杨浦区", 2012)}

Lines = dict[str, list[tuple[str, str]]]


def load_lines() -> Lines:
    """Both corpora: file name -> [(label, match_form of one line)], a report copy or a review/plan part."""
    return {**load_copies(), **load_national_lines()}


def place_and_year(file: str, label: str) -> tuple[str | None, int | None]:
    """The place and report year of a line: a district report copy, or the nation's report of its year."""
    if label in ("review", "plan"):
        return NATION, report_year(file)
    if label in COPY_PLACE_YEAR:
        return COPY_PLACE_YEAR[label]
    district = label.split(":", 1)[-1]
    return (district, 2021) if district.endswith("区") else (None, None)  # 002's news articles: no place


def contains_figure(text: str, fact: str) -> bool:
    """``fact`` in ``text`` after ``match_form``, a fact starting or ending with a digit not inside a longer number."""
    fact, text = match_form(fact), match_form(text)
    before = r"(?<![\d.])" if fact[:1].isdigit() else ""
    after = r"(?![\d.]\d|\d)" if fact[-1:].isdigit() else ""
    return re.search(before + re.escape(fact) + after, text) is not None


def holders(fragment: str, files: list[str], lines: Lines, whole: bool = False) -> set[tuple[str | None, int | None]]:
    """The (place, year) of every line of the files that holds the fragment after ``match_form``.

    With ``whole`` a fragment that starts or ends with a digit must not be part of a longer number
    (a neighbour 「60%」 is not found in 「160%」).
    """
    needle = match_form(fragment)
    if not needle:
        return set()
    return {place_and_year(file, label) for file in files for label, line in lines.get(file, [])
            if (contains_figure(line, needle) if whole else needle in line)}


def corpus_of(it: dict) -> str:
    return "national" if it.get("district") == NATION else "bundled"


def check_shape(it: dict, kind: str) -> list[str]:
    """Fields and types, the id, the qtype; no lists (neither set has comparisons)."""
    qid = it.get("id", "?")
    bad = [f for f, want in REQUIRED.items() if f not in it or not isinstance(it[f], want)]
    if bad or not ID[kind].fullmatch(str(qid)):
        return [f"{qid}: bad id or fields missing/of wrong type: {bad}"]
    problems = [f"{qid}: field {f!r} must not be a list" for f in ("district", "year", "doc_type", "source_file")
                if isinstance(it[f], list)]
    allowed = ("unanswerable",) if kind == "unanswerable" else ("unanswerable", *ANSWERABLE_QTYPES)
    if it["qtype"] not in allowed:
        problems.append(f"{qid}: qtype {it['qtype']!r} not one of {allowed}")
    files = it.get("distractor_files")
    if it["qtype"] == "unanswerable" and not (isinstance(files, list) and files):
        problems.append(f"{qid}: an unanswerable item names the files of its nearest passage (distractor_files)")
    return problems


def check_evidence(it: dict, lines: Lines) -> list[str]:
    """Evidence in one line of its file, in the report of the item's place and year; key facts covered."""
    qid, problems = it["id"], []
    if not it["evidence"] or not it["key_facts"] or len(it["evidence_files"]) != len(it["evidence"]):
        problems.append(f"{qid}: answerable item needs evidence aligned with evidence_files, and key_facts")
    if it["source_file"] not in it["evidence_files"]:
        problems.append(f"{qid}: source_file not among evidence_files")
    for fragment, file in zip(it["evidence"], it["evidence_files"]):
        if not 8 <= len(fragment) <= 40:
            problems.append(f"{qid}: evidence length {len(fragment)} outside 8-40: {fragment}")
        found = holders(fragment, [file], lines)
        if not found:
            problems.append(f"{qid}: evidence not inside one line of {file}: {fragment}")
        elif (it["district"], it["year"]) not in found:
            where = sorted(found, key=str)
            problems.append(f"{qid}: evidence is in {where}, not {it['district']} {it['year']}: {fragment}")
    haystack = match_form(" ".join(it["evidence"])) + "|" + match_form(it["answer"])
    problems += [f"{qid}: key fact {f!r} not in evidence or answer" for f in it["key_facts"]
                 if match_form(f) not in haystack]
    return problems + (check_timing(it, lines) if corpus_of(it) == "national" else [])


def check_found(it: dict, field: str, lines: Lines) -> list[str]:
    """The item's ``neighbour`` or ``nearest`` occurs in one line of a file it names in ``distractor_files``."""
    fragment, files = it.get(field), it.get("distractor_files") or []
    if not isinstance(fragment, str) or not fragment.strip():
        return [f"{it['id']}: {field} missing"]
    if unknown := [f for f in files if f not in lines]:
        return [f"{it['id']}: distractor_files not in the corpus: {unknown}"]
    found = holders(fragment, files, lines, whole=field == "neighbour")
    return [] if found else [f"{it['id']}: {field} {fragment!r} not in one line of {files}"]


def check_trap(it: dict, lines: Lines) -> list[str]:
    """The trap kind, the neighbour in the corpus (a place trap's in another place), no key fact in it."""
    qid = it["id"]
    if it.get("trap") not in TRAPS:
        return [f"{qid}: trap must be one of {TRAPS}"]
    if not it.get("distractor_files"):
        return [f"{qid}: distractor_files must name the files holding the neighbour"]
    problems = check_found(it, "neighbour", lines)
    if problems:
        return problems
    places = {place for place, _ in holders(it["neighbour"], it["distractor_files"], lines, whole=True)}
    if it["trap"] == "place" and places <= {it["district"]}:
        problems.append(f"{qid}: a place trap's neighbour must be in another place's report")
    problems += [f"{qid}: key fact {f!r} is inside the neighbour" for f in it["key_facts"]
                 if contains_figure(it["neighbour"], f)]
    return problems


def check_item(it: dict, kind: str, lines: Lines) -> list[str]:
    problems = check_shape(it, kind)
    if problems:
        return problems
    problems = check_unanswerable(it) if it["qtype"] == "unanswerable" else check_evidence(it, lines)
    if kind == "adversarial":
        return problems + check_trap(it, lines)
    if it.get("asks") not in ASKS:
        problems.append(f"{it['id']}: asks must be one of {ASKS}")
    return problems + check_found(it, "nearest", lines)


def check_minimums(items: list[dict], kind: str) -> list[str]:
    """Items per set and corpus; per trap and a balance of answerable items, or per kind of question asked."""
    problems = [f"{kind}: only {len(items)} items (< {MIN_ITEMS[kind]})"] if len(items) < MIN_ITEMS[kind] else []
    corpora = Counter(corpus_of(it) for it in items)
    problems += [f"{kind}: corpus {c}: {corpora[c]} < {MIN_PER_CORPUS[kind]}" for c in ("bundled", "national")
                 if corpora[c] < MIN_PER_CORPUS[kind]]
    if kind == "unanswerable":
        asks = Counter(it.get("asks") for it in items)
        return problems + [f"{kind}: asks {a}: {asks[a]} < {MIN_PER_ASKS}" for a in ASKS if asks[a] < MIN_PER_ASKS]
    traps = Counter(it.get("trap") for it in items)
    problems += [f"{kind}: trap {t}: {traps[t]} < {MIN_PER_TRAP}" for t in TRAPS if traps[t] < MIN_PER_TRAP]
    share = sum(it.get("qtype") != "unanswerable" for it in items) / max(len(items), 1)
    low, high = ANSWERABLE_SHARE
    if not low <= share <= high:
        problems.append(f"{kind}: answerable share {share:.2f} outside {low}-{high}")
    return problems


def older_questions() -> set[str]:
    """The questions of the older sets (those present), after ``match_form``."""
    return {match_form(json.loads(line)["question"]) for path in OLDER_SETS if path.exists()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def validate(sets: dict[str, list[dict]], lines: Lines, older: set[str] | None = None) -> list[str]:
    """Every problem of the two sets (``{"adversarial": [...], "unanswerable": [...]}``).

    Args:
        sets: the items of each set, by kind.
        lines: the corpus lines from ``load_lines``.
        older: the questions of the older sets (``older_questions``), which no item may repeat.

    Returns:
        One message per problem; empty when both sets are sound.
    """
    problems = [p for kind, items in sets.items() for it in items for p in check_item(it, kind, lines)]
    problems += [p for kind, items in sets.items() for p in check_minimums(items, kind)]
    every = [it for items in sets.values() for it in items]
    for field in ("id", "question"):
        dupes = [v for v, n in Counter(match_form(str(it.get(field))) for it in every).items() if n > 1]
        problems += [f"duplicate {field}: {v}" for v in dupes]
    return problems + [f"{it.get('id')}: question repeats one of an older set" for it in every
                       if match_form(str(it.get("question"))) in (older or set())]


def load_items(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_sets() -> dict[str, list[dict]]:
    return {"adversarial": load_items(ADVERSARIAL), "unanswerable": load_items(UNANSWERABLE)}


def summary(sets: dict[str, list[dict]]) -> list[str]:
    """One line per set: items per corpus, per answerable/unanswerable, per trap or per kind asked."""
    rows = []
    for kind, items in sets.items():
        split = Counter((corpus_of(it), "unanswerable" if it["qtype"] == "unanswerable" else "answerable",
                         it.get("trap") or it.get("asks")) for it in items)
        counts = ", ".join(f"{c}/{a}/{t}={n}" for (c, a, t), n in sorted(split.items()))
        rows.append(f"{kind}: {len(items)} items; {counts}")
    return rows


def main() -> int:
    sets = load_sets()
    problems = validate(sets, load_lines(), older_questions())
    print("\n".join(summary(sets)))
    print("\n".join(f"PROBLEM {p}" for p in problems) or "OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
