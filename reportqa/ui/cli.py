"""Command line: ``python -m reportqa search|ask "问题" [options]`` and ``python -m reportqa documents
list|add|remove``.

``search`` prints the passages that answer a question; ``ask`` prints a short
answer whose figures are checked against the passages it cites
(``--generator local|openai|extractive``). ``--batch FILE`` reads JSONL lines
with a ``"question"`` field and prints one JSONL line per input, in order:
``{"question", "hits": [...]}`` for search, ``{"question", "answer",
"refused", "rewritten_question", "citations": [...], "timings"}`` for ask.
``documents`` lists, adds and removes reports as the 文库 page and the HTTP
API do (``reportqa.ui.library``; ``--json`` prints the API's records). The
index and the models load once per process. Exit status 2 on bad usage or an
unusable index (``documents add``: 1 when a file was refused).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from reportqa.answer.generation import GENERATORS, make_generator
from reportqa.answer.pipeline import Answerer
from reportqa.errors import InputError, ReportqaError
from reportqa.records import Answer
from reportqa.search.hybrid import SearchFilters, SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings
from reportqa.ui.library import Change, Library, Upload
from reportqa.ui.schema import search_record
from reportqa.ui.tables import format_table


class UsageError(InputError):
    """Bad input on the command line or in a batch file."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reportqa", description="Search Chinese government reports.")
    commands = parser.add_subparsers(dest="command", required=True)
    search = commands.add_parser("search", help="find the passages that answer a question")
    search.add_argument("question", nargs="?", help="the question or search words")
    search.add_argument("-k", type=int, default=10, help="passages to return (default 10)")
    search.add_argument("--literal", action="store_true",
                        help="search the words as given: no place/comparison reading, no synonyms")
    ask = commands.add_parser("ask", help="answer a question, citing the passages that back it")
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--generator", choices=GENERATORS, help="who writes the answer (default: REPORTQA_GENERATOR, local)")
    add_documents_parser(commands)
    for command in (search, ask):
        command.add_argument("--place", "--district", dest="place",
                             help="only reports of this place, at any level (广东省 or 广东, 嘉定区 or 嘉定, 全国)")
        command.add_argument("--year", type=int, help="only reports of this year")
        command.add_argument("--doc-type", help="only this document type (政府工作报告, 五年规划纲要, …)")
        command.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
        command.add_argument("--json", action="store_true", help="print JSON instead of text")
        command.add_argument("--batch", metavar="FILE", help='JSONL file of {"question": …} lines; prints JSONL')
    return parser


def main(argv: list[str] | None = None, stdout: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = stdout or sys.stdout
    if args.command == "documents":
        return run_documents(args, out)
    if (args.question is None) == (args.batch is None):
        print("error: give a question or --batch FILE (not both)", file=sys.stderr)
        return 2
    if getattr(args, "k", 1) < 1:
        print("error: -k must be at least 1", file=sys.stderr)
        return 2
    try:
        return run_ask(args, out) if args.command == "ask" else run_search(args, out)
    except ReportqaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def add_documents_parser(commands: Any) -> None:
    """``documents list|add|remove``: the library, as the 文库 page and the API manage it."""
    documents = commands.add_parser("documents", help="list, add or remove the indexed reports")
    actions = documents.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="every indexed report: file, place, year, type, passages, when added")
    add = actions.add_parser("add", help="index report files (txt, html, pdf, docx) beside the others")
    add.add_argument("paths", nargs="+", metavar="FILE", help="report files")
    add.add_argument("--copy", action="store_true",
                     help="keep a copy in the upload folder (REPORTQA_UPLOADS_DIR) instead of indexing them in place")
    remove = actions.add_parser("remove", help="take reports out of the index (a whole file at a time)")
    remove.add_argument("ids", nargs="+", metavar="ID", help="a doc_id, source_id or file name (see list)")
    for action in (add, remove):
        action.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                            help="wait this long for another change of the index to finish (default: do not wait)")
    for action in actions.choices.values():
        action.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
        action.add_argument("--json", action="store_true", help="print JSON instead of text")


def run_documents(args: argparse.Namespace, out: TextIO) -> int:
    """List, add or remove reports through ``reportqa.ui.library.Library`` (exit 1 when a file was refused)."""
    try:
        library = Library(Settings.from_env(index_dir=args.index))
        if args.action == "list":
            entries = library.documents()
            out.write(json.dumps({"documents": entries}, ensure_ascii=False, indent=1) + "\n" if args.json
                      else library_table(entries) + "\n")
            return 0
        if args.action == "add":
            with tqdm(desc="read", unit="file", file=sys.stderr, disable=None) as bar:
                change = library.add([Upload(path) for path in args.paths], copy=args.copy, wait=args.wait,
                                     progress=progress_bar(bar))
        else:
            change = library.remove(args.ids, wait=args.wait)
    except ReportqaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out.write(json.dumps(change.to_json(), ensure_ascii=False, indent=1) + "\n" if args.json
              else change_text(change) + "\n")
    return 1 if any(outcome.error for outcome in change.files) else 0


def progress_bar(bar: tqdm) -> Callable[[str, int, int], None]:
    """A library progress callback that moves a tqdm bar through reading (files) and embedding (texts)."""
    shown = {"stage": "read"}

    def tell(stage: str, done: int, total: int) -> None:
        if shown["stage"] != stage or bar.total != total:
            shown["stage"] = stage
            bar.set_description(stage, refresh=False)
            bar.reset(total=total)
        bar.update(done - bar.n)
    return tell


def library_table(entries: list[dict[str, Any]]) -> str:
    """The library as a text table, one report a row."""
    rows = [(entry["file_name"] + (f" ({entry['part'][0]}/{entry['part'][1]})" if entry["part"][1] > 1 else ""),
             entry["title"], entry["place"] or "-", entry["level_name"] or "-", entry["year"] or "-",
             entry["doc_type"], entry["passages"], (entry["added"] or "-")[:10], entry["source_id"])
            for entry in entries]
    headers = ("file", "title", "place", "level", "year", "type", "passages", "added", "source_id")
    return format_table(headers, rows) + f"\n\n{len(entries)} reports"


def change_text(change: Change) -> str:
    """What an add or remove did, one line a file or removed report, then the index's size."""
    lines = []
    for outcome in change.files:
        if outcome.error:
            lines.append(f"refused {outcome.name}: {outcome.error}")
        elif outcome.folded_into:
            lines.append(f"added {outcome.name}: a copy of {'、'.join(outcome.folded_into)}")
        else:
            found = "、".join(document["title"] for document in outcome.documents)
            passages = sum(document["passages"] for document in outcome.documents)
            lines.append(f"added {outcome.name}: {found} ({passages} passages)")
    lines.extend(f"removed {entry['file_name']}: {entry['title']}" for entry in change.removed)
    lines.append(f"{change.documents} documents, {change.passages} passages ({change.seconds:.1f} s)")
    return "\n".join(lines)


NOT_RELEVANT = "（没有找到明显相关的段落；以下是最接近的结果）"


def run_search(args: argparse.Namespace, out: TextIO) -> int:
    questions = [question for question, _ in read_batch(Path(args.batch))] if args.batch else [args.question]
    index = SearchIndex.open(Settings.from_env(index_dir=args.index))
    retriever = Retriever(index)
    filters = SearchFilters(args.place, args.year, args.doc_type)
    for question in questions:
        record = search_record(retriever, question, args.k, filters, args.literal)
        understood = record["understood"]
        if args.batch:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif args.json:
            out.write(json.dumps(record, ensure_ascii=False, indent=1) + "\n")
        else:
            if understood:
                out.write(f"理解: {understood['summary']}\n\n")
                if record["hits"] and not understood["relevant"]:
                    out.write(f"{NOT_RELEVANT}\n\n")
            out.write(format_hits(record["hits"]) + "\n")
    return 0


def run_ask(args: argparse.Namespace, out: TextIO) -> int:
    questions = list(read_batch(Path(args.batch))) if args.batch else [(args.question, [])]
    settings = Settings.from_env(index_dir=args.index, generator=args.generator)
    answerer = Answerer(Retriever(SearchIndex.open(settings)), settings.answer_passages)
    choice = make_generator(settings.generator, settings)
    if choice.note and not args.batch:
        print(f"note: {choice.note}", file=sys.stderr)
    filters = SearchFilters(args.place, args.year, args.doc_type)
    for question, history in questions:
        answer = answerer.ask(question, choice.generator, history, filters, note=choice.note)
        if args.batch:
            out.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
        elif args.json:
            out.write(json.dumps(answer.to_json(), ensure_ascii=False, indent=1) + "\n")
        else:
            out.write(format_answer(answer) + "\n")
    return 0


def format_answer(answer: Answer) -> str:
    """The answer, then each cited (or, for a refusal, related) passage with its place in the source."""
    lines = []
    if answer.rewritten_question:
        lines.append(f"理解为: {answer.rewritten_question}")
    lines.append(answer.answer)
    listed = answer.citations or answer.related
    if listed:
        lines.append("\n来源:" if answer.citations else "\n可能相关:")
    for number, hit in enumerate(listed, start=1):
        heading = " › ".join((hit.title, *hit.section))
        lines.append(f"[{number}] {heading}\n    {hit.text}\n    {hit.source_file}:{hit.char_start}-{hit.char_end}")
    seconds = answer.timings.get("total", 0.0)
    lines.append(f"\n({answer.generator}, {seconds:.1f} s)")
    return "\n".join(lines)


def read_batch(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(question, earlier questions) from a JSONL file, in order (``"history"`` is optional).

    Raises:
        UsageError: the file is missing or a line is not a JSON object with a question.
    """
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise UsageError(f"{path}:{number}: not JSON ({error.msg})") from error
            question = record.get("question") if isinstance(record, dict) else None
            if not isinstance(question, str) or not question.strip():
                raise UsageError(f'{path}:{number}: needs a non-empty "question" string')
            history = record.get("history", [])
            if not isinstance(history, list) or not all(isinstance(turn, str) for turn in history):
                raise UsageError(f'{path}:{number}: "history" must be a list of earlier questions (strings)')
            yield question, history


def format_hits(hits: list[dict[str, Any]]) -> str:
    """Hit records as numbered blocks: rank, score, title › breadcrumb, passage, place in the source."""
    if not hits:
        return "(no passages found)"
    blocks = []
    for hit in hits:
        heading = " › ".join((hit["title"], *hit["section"]))
        place = f"{hit['source_file']}:{hit['char_start']}-{hit['char_end']}"
        blocks.append(f"{hit['rank']:>2}. [{hit['score']:.4f}] {heading}\n    {hit['text']}\n    {place}")
    return "\n\n".join(blocks)
