"""Build the reportqa index: ``python ingest.py [PATH ...] [--index DIR]``.

Reads report files (txt, html, pdf, docx) or folders of them, writes the index
atomically and prints a summary table. Exit status 1 when a file could not be
read (the others are still indexed), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time

from tqdm import tqdm

from reportqa.loaders import LoadError
from reportqa.pipeline import expand_paths, ingest, write_index
from reportqa.report import summary_table
from reportqa.settings import Settings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="report files or folders (default: REPORTQA_REPORTS_DIR, data/reports)")
    parser.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--max-chars", type=int, help="longest chunk in characters (default 400)")
    parser.add_argument("--overlap-chars", type=int, help="overlap between chunks in characters (default 80)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings.from_env(index_dir=args.index, chunk_max_chars=args.max_chars,
                                 chunk_overlap_chars=args.overlap_chars)
    started = time.perf_counter()
    try:
        files = expand_paths(args.paths or [settings.reports_dir])
    except LoadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not files:
        print("error: no .txt, .html, .pdf or .docx files to ingest", file=sys.stderr)
        return 2
    with tqdm(total=len(files), unit="file", desc="ingest", file=sys.stderr) as progress:
        result = ingest(files, settings, on_file=lambda _path: progress.update())
    write_index(result, settings)
    print(summary_table(result))
    print(f"\n{len(result.documents)} documents, {len(result.chunks)} chunks → {settings.index_dir}/ "
          f"in {time.perf_counter() - started:.1f} s")
    for error in result.errors:
        print(f"error: {error.path}: {error.reason}", file=sys.stderr)
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
