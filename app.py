"""The reportqa web app: ``python app.py [--index DIR] [--generator NAME] [--host 127.0.0.1] [--port 7860]``.

A chat page (questions answered with checked citations, the draft streamed
while the generator writes and 停止 to cancel it, each citation opening its
passage in context, follow-ups understood from the earlier questions, each
answer copied with its sources as Markdown, the conversation exported and
kept across page reloads), a search page (question box, place / year / type
filters filled from the index, result cards in the source's own characters
with the query terms marked and the passage in its context) and a library
page listing every indexed document, readable in light and dark themes.
The embedding model and the default generator load once, in the background,
while the page is already served; answers are generated one at a time while
searches run beside them.
"""

from __future__ import annotations

import argparse
import sys
import threading

from reportqa.answer.generation import GENERATORS
from reportqa.errors import ReportqaError
from reportqa.search.hybrid import SearchIndex
from reportqa.settings import Settings
from reportqa.ui.handlers import GeneratorPool
from reportqa.ui.web import LAUNCH_OPTIONS, build_app, warm_up


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--generator", choices=GENERATORS,
                        help="the chat's default generator (default: REPORTQA_GENERATOR, local)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        index = SearchIndex.open(Settings.from_env(index_dir=args.index, generator=args.generator))
    except ReportqaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    generators = GeneratorPool(index.settings)
    threading.Thread(target=warm_up, args=(index, generators), name="warm-up", daemon=True).start()
    build_app(index, generators).queue().launch(server_name=args.host, server_port=args.port, **LAUNCH_OPTIONS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
