"""Command line: ``python -m reportqa search|ask "问题" [options]``.

``search`` prints the passages that answer a question; ``ask`` prints a short
answer whose figures are checked against the passages it cites
(``--generator local|openai|extractive``). ``--batch FILE`` reads JSONL lines
with a ``"question"`` field and prints one JSONL line per input, in order:
``{"question", "hits": [...]}`` for search, ``{"question", "answer",
"refused", "rewritten_question", "citations": [...], "timings"}`` for ask.
The index and the models load once per process. Exit status 2 on bad usage or
an unusable index.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from reportqa.answer.generation import GENERATORS, make_generator
from reportqa.answer.pipeline import Answerer
from reportqa.errors import InputError, ReportqaError
from reportqa.records import Answer, Hit
from reportqa.search.hybrid import SearchFilters, SearchIndex
from reportqa.search.retrieval import Retriever
from reportqa.settings import Settings


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


NOT_RELEVANT = "（没有找到明显相关的段落；以下是最接近的结果）"


def run_search(args: argparse.Namespace, out: TextIO) -> int:
    questions = [question for question, _ in read_batch(Path(args.batch))] if args.batch else [args.question]
    index = SearchIndex.open(Settings.from_env(index_dir=args.index))
    retriever = Retriever(index)
    filters = SearchFilters(args.place, args.year, args.doc_type)
    for question in questions:
        if args.literal:
            hits, understood = index.search(question, args.k, filters), None
        else:
            retrieval = retriever.retrieve(question, args.k, filters)
            hits, understood = retrieval.hits, retrieval.to_json()
        record = {"question": question, "understood": understood, "hits": [hit.to_json() for hit in hits]}
        if args.batch:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif args.json:
            out.write(json.dumps(record, ensure_ascii=False, indent=1) + "\n")
        else:
            if understood:
                out.write(f"理解: {understood['summary']}\n\n")
                if hits and not understood["relevant"]:
                    out.write(f"{NOT_RELEVANT}\n\n")
            out.write(format_hits(hits) + "\n")
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


def format_hits(hits: list[Hit]) -> str:
    """Hits as numbered blocks: rank, score, title › breadcrumb, passage, place in the source."""
    if not hits:
        return "(no passages found)"
    blocks = []
    for hit in hits:
        heading = " › ".join((hit.title, *hit.section))
        place = f"{hit.source_file}:{hit.char_start}-{hit.char_end}"
        blocks.append(f"{hit.rank:>2}. [{hit.score:.4f}] {heading}\n    {hit.text}\n    {place}")
    return "\n\n".join(blocks)
