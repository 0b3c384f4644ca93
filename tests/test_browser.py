"""The web app in a real browser: Debian's chromium through Playwright, on the small index.

The fixtures (``chromium``, ``small_app_url``, ``app_page``) live in conftest.py
so other pages can be tested the same way.
"""

import pytest
from playwright.sync_api import expect

from eval.screenshot import TIMEOUT_MS, open_context, search

pytestmark = pytest.mark.browser

# With the fake embedder this passage of the 松江区 report is the clear first
# hit (fused score 0.0325, the next 0.0164).
QUERY = "对口帮扶的云南省五个县"
PASSAGE = "对口帮扶的云南省五个县全部提前脱贫摘帽"


def test_search_shows_the_passage_and_opens_it_in_context(app_page):
    card = search(app_page, QUERY)
    expect(card).to_contain_text(PASSAGE, timeout=TIMEOUT_MS)
    expect(card.locator(".rq-crumbs")).to_contain_text("2021年松江区人民政府工作报告")
    expect(card.locator("details.rq-more .rq-context")).to_be_hidden()

    context = open_context(card)
    expect(context).to_be_visible()
    passage = context.locator("mark.passage")
    expect(passage).to_be_visible()
    expect(passage).to_contain_text("全部提前脱贫摘帽")
    expect(context).to_contain_text("松江区地区生产总值完成1688亿元")  # the paragraph before it


def test_library_tab_lists_the_documents(app_page):
    app_page.get_by_role("tab", name="文库").click()
    library = app_page.locator("#rq-library")
    expect(library).to_contain_text("2021年松江区人民政府工作报告", timeout=TIMEOUT_MS)
    expect(library).to_contain_text("2021年上海市示例区人民政府工作报告")
