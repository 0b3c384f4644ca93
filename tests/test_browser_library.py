"""The 文库 page in a real browser: upload a docx report, ask what only it answers, remove it, ask again."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from browser import TIMEOUT_MS, app_on, ask, choose, open_app_page, open_tab, serve
from conftest import COUNTY_REPORT, write_docx
from fakes import BigramEmbedder
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

QUESTION = "婺源县2023年接待游客多少人次？"
FILE_NAME = "婺源县2024年政府工作报告.docx"
TITLE = "2024年婺源县人民政府工作报告"


class SlowEmbedder(BigramEmbedder):
    """The fake embedder, a text at a time and 0.1 s a text, so the progress bar is there to be seen."""

    def embed_passages(self, texts, on_batch=None):
        vectors = []
        for text in texts:
            time.sleep(0.1)
            vectors.append(super().embed_passages([text])[0])
            if on_batch:
                on_batch(1)
        return np.asarray(vectors, np.float32).reshape(len(texts), self.dimension())


@pytest.fixture
def library_app_url(small_index):
    """The app on a copy of the small index (fake embedder, extractive answers), which the test may change."""
    from reportqa.search.hybrid import SearchIndex
    from reportqa.settings import Settings

    settings = Settings.from_env(index_dir=str(small_index), relevance_threshold=0.0, generator="extractive")
    with serve(app_on(SearchIndex.open(settings, SlowEmbedder()))) as url:
        yield url


def test_upload_ask_remove_and_ask_again(chromium, library_app_url, tmp_path):
    report = write_docx(tmp_path / "upload" / FILE_NAME, COUNTY_REPORT)
    with open_app_page(chromium, library_app_url) as page:
        open_tab(page, "文库")
        expect(page.locator("#rq-library-count")).to_contain_text("2 篇报告")
        page.locator("#rq-upload input[type=file]").set_input_files(str(report))
        expect(page.locator("#rq-upload")).to_contain_text(FILE_NAME)
        page.locator("#rq-add").click()
        progress = page.locator("#rq-outcome .progress-level-inner")
        expect(progress).to_contain_text(re.compile(r"计算向量 \d+/\d+"))  # the progress bar, passages n/m
        outcome = page.locator("#rq-outcome")
        expect(outcome).to_contain_text(f"✓ {FILE_NAME}：《{TITLE}》", timeout=TIMEOUT_MS)
        expect(outcome).to_contain_text("文库现有 3 篇报告")
        expect(page.locator("#rq-library")).to_contain_text(FILE_NAME)
        expect(page.locator("#rq-library-count")).to_contain_text("3 篇报告")

        open_tab(page, "搜索")
        choose(page, "rq-search-place", "婺源县（区县级）")  # the filters know the new place at once

        reply = ask(page, QUESTION)
        answer = reply.locator(".rq-answer")
        expect(answer).to_contain_text("2680")
        expect(answer.locator("a.rq-cite").first).to_have_text("[1]")
        expect(reply).to_contain_text(TITLE)

        open_tab(page, "文库")
        choose(page, "rq-doc", f"{TITLE}（{FILE_NAME}）")
        page.locator("#rq-read").click()
        reader = page.locator("#rq-reader")
        expect(reader).to_contain_text("全年接待游客2680万人次")
        expect(reader.locator("nav")).to_contain_text("文旅融合发展")

        page.locator("#rq-remove").click()
        confirm = page.locator("#rq-confirm")
        expect(confirm).to_contain_text(f"确定从文库移除《{TITLE}》")
        page.locator("#rq-remove-yes").click()
        expect(outcome).to_contain_text(f"已移除《{TITLE}》", timeout=TIMEOUT_MS)
        expect(page.locator("#rq-library-count")).to_contain_text("2 篇报告")
        expect(page.locator("#rq-library")).not_to_contain_text(FILE_NAME)

        reply = ask(page, QUESTION)
        expect(reply.locator(".rq-answer")).to_contain_text("无法从文档中找到")
        expect(reply.locator(".rq-answer")).not_to_contain_text("2680")


def test_removing_asks_first_and_cancel_keeps_the_report(chromium, library_app_url):
    with open_app_page(chromium, library_app_url) as page:
        open_tab(page, "文库")
        choose(page, "rq-doc", "2021年松江区人民政府工作报告（songjiang.txt）")
        page.locator("#rq-remove").click()
        expect(page.locator("#rq-confirm")).to_be_visible()
        page.locator("#rq-remove-no").click()
        expect(page.locator("#rq-confirm")).to_be_hidden()
        expect(page.locator("#rq-library")).to_contain_text("songjiang.txt")
        expect(page.locator("#rq-library-count")).to_contain_text("2 篇报告")
