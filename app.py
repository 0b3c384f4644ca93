"""The reportqa web app: ``python app.py [--index DIR] [--generator NAME] [--host 127.0.0.1] [--port 7860]``.

A chat page (questions answered with checked citations, the draft streamed
while the generator writes and 停止 to cancel it, each citation opening its
passage in context, follow-ups understood from the earlier questions, each
answer copied with its sources as Markdown, the conversation exported and
kept across page reloads), a search page (question box, place / year / type
filters filled from the index, result cards in the source's own characters
with the query terms marked and the passage in its context) and a library
page (文库) where reports are added by upload, removed and read whole, readable in light and dark themes;
and a JSON API beside them at /api/v1 (search, ask with streaming, documents, health; OpenAPI at
/api/v1/openapi.json). Beyond loopback, adding and removing need REPORTQA_API_TOKEN.
The embedding model and the default generator load once, in the background,
while the page is already served; an answer shows its passages at once, the
local model answers one question at a time (the others see their place in
line), and searches and extractive answers never wait for it.
"""

from __future__ import annotations

import argparse
import sys
import threading

from reportqa.answer.generation import GENERATORS
from reportqa.errors import ReportqaError
from reportqa.settings import Settings
from reportqa.ui.handlers import GeneratorPool
from reportqa.ui.library import Library
from reportqa.ui.server import build_server, exposure_problem, serve
from reportqa.ui.web import warm_up


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--generator", choices=GENERATORS,
                        help="the chat's default generator (default: REPORTQA_GENERATOR, local)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--read-only", action="store_true", help="list and read reports, but do not add or remove")
    parser.add_argument("--unprotected", action="store_true",
                        help="allow adding and removing without REPORTQA_API_TOKEN on an address beyond loopback")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = Settings.from_env(index_dir=args.index, generator=args.generator)
        problem = exposure_problem(args.host, settings.api_token, args.read_only, args.unprotected)
        if problem:
            raise ReportqaError(problem)
        library = Library(settings)
    except ReportqaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    generators = GeneratorPool(settings)
    threading.Thread(target=warm_up, args=(library.current().index, generators), name="warm-up", daemon=True).start()
    print(f"reportqa on http://{args.host}:{args.port}/ (API: http://{args.host}:{args.port}/api/v1/openapi.json)")
    serve(build_server(library, generators, args.read_only), args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
