"""Drive the web app in a real browser: Debian's chromium through Playwright.

The browser tests (``tests/test_browser.py`` and the fixtures in ``conftest.py``)
and the screenshot script (``python -m tests.screenshot``) serve the app with
``serve`` and drive its pages with these helpers. ``make browser`` installs
chromium and the CJK fonts.
"""

from __future__ import annotations

import socket
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
    from reportqa.ui.style import STYLE

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
        page.locator("#rq-ask textarea").wait_for()  # the first tab
        yield page
    finally:
        context.close()


def open_tab(page: Page, name: str) -> None:
    """Show the tab called ``name`` (问答, 搜索, 文库)."""
    page.get_by_role("tab", name=name).click()


def search(page: Page, query: str) -> Locator:
    """Open 搜索, type the query into the search box, press 搜索 and wait for the first result card."""
    open_tab(page, "搜索")
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


def ask(page: Page, question: str) -> Locator:
    """Open 问答, send the question and wait for its verified answer (or error); returns that reply."""
    open_tab(page, "问答")
    turns = page.locator("#rq-chat section.rq-turn")
    before = turns.count()
    page.locator("#rq-ask textarea").fill(question)
    page.locator("#rq-send").click()
    reply = turns.nth(before).locator(".rq-reply")
    reply.locator(".rq-answer, .rq-error").first.wait_for()
    return reply


def open_citation(reply: Locator, number: int = 1) -> Locator:
    """Click the reply's citation ``[number]``; returns the cited source's context, opened."""
    cite = reply.locator("a.rq-cite").filter(has_text=f"[{number}]").first
    source = cite.get_attribute("data-source")
    cite.click()
    context = reply.page.locator(f"#{source} details[open] .rq-context")
    context.wait_for()
    return context
