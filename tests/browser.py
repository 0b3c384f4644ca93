"""Drive the web app in a real browser: Debian's chromium through Playwright.

The browser tests (``tests/test_browser.py`` and the fixtures in ``conftest.py``)
and the screenshot script (``python -m tests.screenshot``) serve the app with
``serve`` and drive its pages with these helpers. ``make browser`` installs
chromium and the CJK fonts.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Browser, Locator, Page, Playwright

    from reportqa.search.hybrid import SearchIndex
    from reportqa.ui.handlers import GeneratorPool

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
def serve(app: FastAPI) -> Iterator[str]:
    """Serve the app (pages and API, ``reportqa.ui.server``) on a free localhost port in this process;
    yields its URL, stops it after."""
    from reportqa.ui.server import running

    with running(app, "127.0.0.1", free_port()) as url:
        yield url


def app_on(index: SearchIndex, generators: GeneratorPool | None = None, read_only: bool = False) -> FastAPI:
    """The pages and the API over an open index (served as a library of its own)."""
    from reportqa.ui.library import Library
    from reportqa.ui.server import build_server

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    return build_server(Library(index.settings, index=index), generators, read_only)


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
def open_app_page(browser: Browser, url: str, theme: str | None = None) -> Iterator[Page]:
    """A fresh page on the app, loaded, in the ``light`` or ``dark`` theme (default: the system's); it
    may use the clipboard, and requests to anywhere but the app are refused (tests stay offline)."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort())
    page = context.new_page()
    try:
        page.goto(f"{url}?__theme={theme}" if theme else url)
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


def choose(page: Page, dropdown_id: str, option: str) -> None:
    """Pick ``option`` (its label) in the Gradio dropdown with element id ``dropdown_id``."""
    page.locator(f"#{dropdown_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def ask(page: Page, question: str) -> Locator:
    """Open 问答, send the question and wait for its verified answer (or error, or hint); returns that reply."""
    open_tab(page, "问答")
    turns = page.locator("#rq-chat section.rq-turn")
    before = turns.count()
    page.locator("#rq-ask textarea").fill(question)
    page.locator("#rq-send").click()
    reply = turns.nth(before).locator(".rq-reply")
    reply.locator(".rq-answer, .rq-error, .rq-notice").first.wait_for()
    return reply


def open_citation(reply: Locator, number: int = 1) -> Locator:
    """Click the reply's citation ``[number]``; returns the cited source's context, opened."""
    cite = reply.locator("a.rq-cite").filter(has_text=f"[{number}]").first
    source = cite.get_attribute("data-source")
    cite.click()
    context = reply.page.locator(f"#{source} details[open] .rq-context")
    context.wait_for()
    return context


# The WCAG 2 contrast ratio of an element's text against what is behind it: its own background or,
# where that is transparent, its ancestors' (semi-transparent layers composited over the next).
CONTRAST_JS = """
(element) => {
  const rgba = (colour) => {
    const parts = colour.match(/[\\d.]+/g).map(Number);
    return parts.length > 3 ? parts.slice(0, 4) : [...parts, 1];
  };
  const over = ([r, g, b, a], [br, bg, bb]) => [r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a)];
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const layer = rgba(getComputedStyle(node).backgroundColor);
    if (layer[3] > 0) layers.push(layer);
    if (layer[3] >= 1) break;
  }
  const back = layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255]);
  const text = over(rgba(getComputedStyle(element).color), back);
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((c) => c / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(text), luminance(back)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}
"""


def contrast_ratio(element: Locator) -> float:
    """The contrast ratio (1–21) of the element's text colour against its effective background."""
    return element.evaluate(CONTRAST_JS)
