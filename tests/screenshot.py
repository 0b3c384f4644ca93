"""Screenshot the pages: ``python -m tests.screenshot [--page chat|search|library] [--theme light|dark] [--index DIR]``.

Serves the app on the index (the real embedding model, warmed up first) on a
free local port and drives it in Debian's chromium through Playwright, once
per page and theme asked (default: both pages in both themes). The search
page (``docs/search.png``, ``docs/search-dark.png``): search the question and
open the first result's context. The chat page (``docs/chat.png``,
``docs/chat-dark.png``): ask the question, then the follow-up (``--follow-up``,
empty for none), and open the first citation of the last answer that has
one; the generator is the app's default (``REPORTQA_GENERATOR``). The
library page (``docs/library.png``, ``docs/library-dark.png``): the table,
and the first report opened to read whole (nothing is added or removed). ``--out``
names the PNG when one page in one theme is taken. Run it from the
repository root (it imports ``app`` and the helpers in ``tests/browser.py``,
which the browser tests drive the app with). ``make browser`` installs
chromium and the CJK fonts.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser import (
    BrowserMissing,
    app_on,
    ask,
    browser_session,
    open_app_page,
    open_citation,
    open_context,
    open_tab,
    search,
    serve,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

DEFAULT_QUERY = "嘉定区2020年一般公共预算收入是多少？"
DEFAULT_FOLLOW_UP = "那青浦呢？"
PAGES = ("chat", "search", "library")
THEMES = ("light", "dark")
# A cited source flashes for 1.5 s when its citation is clicked: let it fade before the picture.
FLASH_MS = 1600


def picture_path(page_name: str, theme: str) -> Path:
    """Where a page's picture goes: ``docs/chat.png``, ``docs/chat-dark.png``, …"""
    return Path("docs") / (f"{page_name}.png" if theme == "light" else f"{page_name}-{theme}.png")


def show_library(page: Page, _questions: list[str]) -> None:
    """Open 文库 and read the first report whole."""
    open_tab(page, "文库")
    page.locator("#rq-doc input").click()
    page.get_by_role("option").first.click()
    page.locator("#rq-read").click()
    page.locator("#rq-reader article.rq-reader").wait_for()


def show_chat(page: Page, questions: list[str]) -> None:
    """Ask each question in turn and open the first citation of the last answer that has one."""
    replies = [ask(page, question) for question in questions]
    cited = [reply for reply in replies if reply.locator("a.rq-cite").count()]
    if cited:  # the click also scrolls the cited figure into the context box's view
        open_citation(cited[-1])
        page.wait_for_timeout(FLASH_MS)


def show_search(page: Page, questions: list[str]) -> None:
    """Search the first question and open the first result's context, its passage scrolled into view."""
    open_context(search(page, questions[0])).locator("mark.passage").scroll_into_view_if_needed()


def screenshot(index_dir: str | None, shots: list[tuple[str, str, Path]], questions: list[str]) -> None:
    """Serve the app on ``index_dir`` and save each (page, theme, PNG) of ``shots``, on a fresh browser page each.

    The chat asks every question; the search page searches the first.
    """
    from reportqa.search.hybrid import SearchIndex
    from reportqa.settings import Settings

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    index = SearchIndex.open(Settings.from_env(index_dir=index_dir))
    index.warm_up()
    with serve(app_on(index)) as url, browser_session() as browser:
        for page_name, theme, out in shots:
            with open_app_page(browser, url, theme) as page:
                {"chat": show_chat, "search": show_search, "library": show_library}[page_name](page, questions)
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out), full_page=True)
            print(f"wrote {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--page", choices=PAGES, help="page to show (default: all three)")
    parser.add_argument("--theme", choices=THEMES, help="colour theme (default: both)")
    parser.add_argument("--out", type=Path, help="PNG to write, with one --page and one --theme "
                                                 "(default docs/PAGE.png, docs/PAGE-dark.png)")
    parser.add_argument("--query", default=DEFAULT_QUERY, help=f"question to search or ask (default {DEFAULT_QUERY})")
    parser.add_argument("--follow-up", default=DEFAULT_FOLLOW_UP,
                        help=f"chat: a second question asked after it (default {DEFAULT_FOLLOW_UP}; empty for none)")
    args = parser.parse_args(argv)
    if args.out and not (args.page and args.theme):
        parser.error("--out needs one --page and one --theme")
    shots = [(page_name, theme, args.out or picture_path(page_name, theme))
             for page_name in ([args.page] if args.page else PAGES) for theme in ([args.theme] if args.theme else THEMES)]
    questions = [args.query, args.follow_up] if args.follow_up else [args.query]
    from reportqa.errors import IndexUnusable, ModelUnavailable

    try:
        screenshot(args.index, shots, questions)
    except (BrowserMissing, IndexUnusable, ModelUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
