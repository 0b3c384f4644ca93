"""Build or update the reportqa index: ``python ingest.py [PATH ...] [--index DIR] [--rebuild]``.

Reads report files (txt, html, pdf, docx) or folders of them, together with the
files already in the index, and writes the index atomically: passages whose
text is unchanged keep their vectors, new ones are embedded, and files that no
longer exist (or are named with ``--remove``) leave the index. Prints a summary
table. Exit status 1 when a file could not be read (the others are still
indexed), 2 on bad usage or an index that cannot be updated.

One ingest writes an index at a time: a second one is told so (or waits, with
``--wait SECONDS``). ``--check`` reads the whole index and its source files
and reports what is damaged or changed, without writing anything (exit 1 when
something is).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tqdm import tqdm

from reportqa.errors import ReportqaError
from reportqa.indexing.build import plan_update, update_index
from reportqa.indexing.embedding import Embedder, make_embedder
from reportqa.indexing.writing import writer_lock
from reportqa.paths import file_sha256
from reportqa.search.hybrid import SearchIndex
from reportqa.settings import Settings
from reportqa.ui.tables import summary_table


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="report files or folders (default: REPORTQA_REPORTS_DIR, data/reports)")
    parser.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--rebuild", action="store_true",
                        help="start a new index from the named paths only, embedding everything again")
    parser.add_argument("--remove", action="append", default=[], metavar="PATH",
                        help="drop this file's passages from the index (repeatable)")
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="wait this long for another ingest of the same index to finish (default: do not wait)")
    parser.add_argument("--check", action="store_true",
                        help="check the index and its source files, write nothing")
    parser.add_argument("--max-chars", type=int, help="longest chunk in characters (default 400)")
    parser.add_argument("--overlap-chars", type=int, help="overlap between chunks in characters (default 80)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, embedder: Embedder | None = None) -> int:
    args = parse_args(argv)
    settings = Settings.from_env(index_dir=args.index, chunk_max_chars=args.max_chars,
                                 chunk_overlap_chars=args.overlap_chars)
    if args.check:
        return check(settings)
    started = time.perf_counter()
    try:
        with writer_lock(settings.index_dir, args.wait), \
                tqdm(unit="file", desc="read", file=sys.stderr) as files, \
                tqdm(unit="passage", desc="embed", file=sys.stderr, disable=None) as passages:
            plan = plan_update(args.paths or [settings.reports_dir], settings, args.rebuild, args.remove)
            files.total = len(plan.files)
            result, update = update_index(plan, settings, embedder or make_embedder(settings), args.rebuild,
                                          on_file=lambda _path: files.update(), on_embedded=passages.update,
                                          on_embedding_start=lambda n: setattr(passages, "total", n))
    except ReportqaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary_table(result))
    for path in plan.pruned:
        print(f"removed {path} (file no longer exists)")
    for path in plan.removed:
        print(f"removed {path} (--remove)")
    print(f"\n{len(result.documents)} documents, {len(result.chunks)} chunks ({update.embedded} embedded, "
          f"{update.reused} unchanged; {update.sentences_embedded} new sentences embedded) → "
          f"{settings.index_dir}/ in {time.perf_counter() - started:.1f} s")
    for error in result.errors:
        print(f"error: {error.path}: {error.reason}", file=sys.stderr)
    return 1 if result.errors else 0


def check(settings: Settings) -> int:
    """``--check``: open the index as search does, then compare every source file with its recorded hash."""
    try:
        index = SearchIndex.open(settings)
    except ReportqaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    problems = []
    for source in index.manifest["sources"]:
        if not Path(source["path"]).is_file():
            problems.append(f"{source['path']}: the source file is gone; its passages show without context "
                            f"until `python ingest.py --index {settings.index_dir}` drops them")
        elif file_sha256(source["path"]) != source["sha256"]:
            problems.append(f"{source['path']}: changed since it was indexed; "
                            f"`python ingest.py --index {settings.index_dir}` indexes the new text")
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    print(f"{settings.index_dir}: generation {index.manifest.get('generation')}, {len(index.documents)} documents, "
          f"{len(index.chunks)} passages, {len(index.manifest['sources'])} source files; "
          f"{'all files intact' if not problems else f'{len(problems)} source files to update'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
