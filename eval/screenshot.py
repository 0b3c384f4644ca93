"""Screenshot the search page: ``python -m eval.screenshot [--index DIR] [--out docs/search.png] [--query Q]``.

Serves the app on the index (the real embedding model, warmed up first) on a
free local port, asks the question in Debian's chromium through Playwright,
opens the first result's context and saves a full-page PNG. ``make browser``
installs chromium and the CJK fonts; the browser tests drive the app with the
same helpers.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr
    from playwright.sync_api import Browser, Locator, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
# Playwright's own browser download needs network, so Debian's chromium is
# used. Without the background-networking flags it keeps calling Google
# services, and a closed network refuses those connections.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL_HINT = "install it with `make browser` (apt-get install chromium fonts-noto-cjk)"
DEFAULT_QUERY = "嘉定区2020年一般公共预算收入是多少？"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 30_000


class BrowserMissing(RuntimeError):
    """Chromium or the Playwright package is not installed."""


def free_port() -> int:
    """A localhost port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(demo: gr.Blocks) -> Iterator[str]:
    """Serve a Gradio app on a free localhost port in this process; yields its URL, closes it after."""
    from reportqa.render import STYLE

    port = free_port()
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, css=STYLE)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close(verbose=False)


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's headless chromium, or ``BrowserMissing`` saying how to install it."""
    if not Path(CHROMIUM).exists():
        raise BrowserMissing(f"chromium is not at {CHROMIUM}: {INSTALL_HINT}")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@contextmanager
def browser_session() -> Iterator[Browser]:
    """Start Playwright and chromium; both are stopped on exit."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise BrowserMissing("the playwright package is missing: install requirements-dev.txt (`make setup`)") from error
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_app_page(browser: Browser, url: str) -> Iterator[Page]:
    """A fresh page on the app, loaded; requests to anywhere but the app are refused (tests stay offline)."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort())
    page = context.new_page()
    try:
        page.goto(url)
        page.locator("#rq-query textarea").wait_for()
        yield page
    finally:
        context.close()


def search(page: Page, query: str) -> Locator:
    """Type the query into the search box, press 搜索 and wait for the first result card."""
    page.locator("#rq-query textarea").fill(query)
    page.locator("#rq-search").click()
    card = page.locator("#rq-results article.rq-card").first
    card.wait_for()
    return card


def open_context(card: Locator) -> Locator:
    """Open a result card's context (its ``<details>``) and return the context block."""
    card.locator("details.rq-more > summary").click()
    context = card.locator("details.rq-more[open] .rq-context")
    context.wait_for()
    return context


def screenshot(index_dir: str | None, out: Path, query: str) -> None:
    """Serve the app on ``index_dir``, search ``query``, open the first context and save the page to ``out``."""
    import app
    from reportqa.search import SearchIndex
    from reportqa.settings import Settings

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    index = SearchIndex.open(Settings.from_env(index_dir=index_dir))
    index.warm_up()
    out.parent.mkdir(parents=True, exist_ok=True)
    with serve(app.build_app(index)) as url, browser_session() as browser, open_app_page(browser, url) as page:
        # The context box scrolls: bring the passage into its view.
        open_context(search(page, query)).locator("mark.passage").scroll_into_view_if_needed()
        page.screenshot(path=str(out), full_page=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--out", type=Path, default=Path("docs/search.png"), help="PNG to write (default docs/search.png)")
    parser.add_argument("--query", default=DEFAULT_QUERY, help=f"question to search (default {DEFAULT_QUERY})")
    args = parser.parse_args(argv)
    from reportqa.offline_model import ModelUnavailable
    from reportqa.store import IndexUnusable

    try:
        screenshot(args.index, args.out, args.query)
    except (BrowserMissing, IndexUnusable, ModelUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
