"""Screenshot the search or chat page: ``python -m tests.screenshot [--page search|chat] [--index DIR] [--out PNG]``.

Serves the app on the index (the real embedding model, warmed up first) on a
free local port and drives it in Debian's chromium through Playwright. The
search page (``docs/search.png``): search the question and open the first
result's context. The chat page (``docs/chat.png``): ask the question, then
the follow-up (``--follow-up``, empty for none), and open the first citation
of the last answer that has one; the generator is the app's default (``REPORTQA_GENERATOR``).
Run it from the repository root (it imports ``app`` and the helpers in
``tests/browser.py``, which the browser tests drive the app with). ``make
browser`` installs chromium and the CJK fonts.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tests.browser import (
    BrowserMissing,
    ask,
    browser_session,
    open_app_page,
    open_citation,
    open_context,
    search,
    serve,
)

DEFAULT_QUERY = "嘉定区2020年一般公共预算收入是多少？"
DEFAULT_FOLLOW_UP = "那青浦呢？"
PAGES = {"search": Path("docs/search.png"), "chat": Path("docs/chat.png")}


def screenshot(index_dir: str | None, out: Path, page_name: str, questions: list[str]) -> None:
    """Serve the app on ``index_dir``, ask or search ``questions`` on the page and save it to ``out``.

    The search page searches the first question and opens the first result's
    context; the chat asks each question in turn and opens the first citation
    of the last answer that has one.
    """
    import app
    from reportqa.search.hybrid import SearchIndex
    from reportqa.settings import Settings

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    index = SearchIndex.open(Settings.from_env(index_dir=index_dir))
    index.warm_up()
    out.parent.mkdir(parents=True, exist_ok=True)
    with serve(app.build_app(index)) as url, browser_session() as browser, open_app_page(browser, url) as page:
        if page_name == "chat":
            replies = [ask(page, question) for question in questions]
            cited = [reply for reply in replies if reply.locator("a.rq-cite").count()]
            if cited:  # the click also scrolls the cited figure into the context box's view
                open_citation(cited[-1])
        else:
            # The context box scrolls: bring the passage into its view.
            open_context(search(page, questions[0])).locator("mark.passage").scroll_into_view_if_needed()
        page.screenshot(path=str(out), full_page=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--page", choices=sorted(PAGES), default="search", help="page to show (default search)")
    parser.add_argument("--out", type=Path, help="PNG to write (default docs/search.png or docs/chat.png)")
    parser.add_argument("--query", default=DEFAULT_QUERY, help=f"question to search or ask (default {DEFAULT_QUERY})")
    parser.add_argument("--follow-up", default=DEFAULT_FOLLOW_UP,
                        help=f"chat: a second question asked after it (default {DEFAULT_FOLLOW_UP}; empty for none)")
    args = parser.parse_args(argv)
    out = args.out or PAGES[args.page]
    questions = [args.query, args.follow_up] if args.page == "chat" and args.follow_up else [args.query]
    from reportqa.errors import IndexUnusable, ModelUnavailable

    try:
        screenshot(args.index, out, args.page, questions)
    except (BrowserMissing, IndexUnusable, ModelUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
