"""The web app in a real browser: Debian's chromium through Playwright, on the small index.

The fixtures (``chromium``, ``small_app_url``, ``app_page``) live in conftest.py
so other pages can be tested the same way.
"""

import pytest
from browser import (
    TIMEOUT_MS,
    app_on,
    ask,
    choose,
    contrast_ratio,
    open_app_page,
    open_citation,
    open_context,
    search,
    serve,
)
from playwright.sync_api import expect

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


def test_chat_is_the_first_tab(app_page):
    expect(app_page.get_by_role("tab").first).to_have_text("问答")
    expect(app_page.locator("#rq-generator input")).to_have_value("原文摘录")


def test_chat_answers_with_a_citation_that_opens_the_passage_in_context(app_page):
    reply = ask(app_page, "嘉定2020年新增了多少张养老床位？")
    answer = reply.locator(".rq-answer")
    expect(answer).to_contain_text("774")
    expect(reply.locator(".rq-draft")).to_have_count(0)  # the draft was replaced by the checked answer
    cite = answer.locator("a.rq-cite").first
    expect(cite).to_have_text("[1]")
    source = app_page.locator("#rq-src-1-1")
    expect(source.locator(".rq-context")).to_be_hidden()

    context = open_citation(reply, 1)
    expect(context).to_be_visible()
    expect(context.locator("mark.passage")).to_contain_text("新增养老床位774张")
    figure = context.locator("mark.passage mark")
    expect(figure).to_have_text("774张")
    expect(figure).to_be_in_viewport()  # scrolled to, inside the context box and the page
    expect(source.locator(".rq-crumbs")).to_contain_text("2021年上海市示例区人民政府工作报告")


def test_chat_follow_up_is_understood_from_the_earlier_question(app_page):
    ask(app_page, "嘉定2020年新增上市企业几家？")
    reply = ask(app_page, "那松江呢？")
    expect(reply.locator(".rq-understood")).to_have_text("理解为：松江区2020年新增上市企业几家？")
    expect(reply.locator(".rq-answer")).to_contain_text("6家")
    expect(app_page.locator("#rq-chat section.rq-turn")).to_have_count(2)


# WCAG AA for body text.
MIN_CONTRAST = 4.5
BEDS_SECTION = "（一）坚持人民至上，始终绷紧疫情防控之弦"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_is_readable_in_the_light_and_the_dark_theme(chromium, small_app_url, theme):
    with open_app_page(chromium, small_app_url, theme) as page:
        assert page.evaluate("document.body.classList.contains('dark')") == (theme == "dark")
        hint = ask(page, "那松江呢？").locator(".rq-notice")  # a follow-up asked first
        expect(hint).to_contain_text("「那松江呢？」是一个追问")
        shown = {"hint": contrast_ratio(hint)}
        page.locator("#rq-clear").click()
        expect(page.locator("#rq-chat section.rq-turn")).to_have_count(0)
        reply = ask(page, "嘉定2020年新增了多少张养老床位？")
        context = open_citation(reply, 1)
        chat = {"answer": reply.locator(".rq-answer"), "source": reply.locator(".rq-source .rq-passage").first,
                "breadcrumb": reply.locator(".rq-source .rq-crumbs").first, "meta": reply.locator(".rq-meta").first,
                "context": context, "figure": context.locator("mark.passage mark"),
                "passage": context.locator("mark.passage")}
        shown |= {name: contrast_ratio(element) for name, element in chat.items()}
        card = search(page, "嘉定新增养老床位")
        found = {"card": card.locator(".rq-passage"), "term": card.locator(".rq-passage mark").first,
                 "understood": page.locator("#rq-results .rq-understood"),
                 "card context": open_context(card)}
        shown |= {name: contrast_ratio(element) for name, element in found.items()}
    assert {name: ratio for name, ratio in shown.items() if ratio < MIN_CONTRAST} == {}, shown


def test_chat_says_when_the_place_filter_overrides_the_question(app_page):
    choose(app_page, "rq-chat-place", "嘉定区（区县级）")
    reply = ask(app_page, "松江新增上市企业几家？")
    expect(reply.locator(".rq-notice")).to_have_text(
        "已按筛选条件「地区：嘉定区」检索，问题问的是「松江区」；要按问题检索，请把地区改为「全部」。")
    # 嘉定's passages do not answer for 松江: the notice says why and how to search as asked.
    expect(reply.locator(".rq-answer")).to_have_text("无法从文档中找到")
    expect(reply.locator(".rq-source .rq-meta").first).to_contain_text("嘉定区")


def test_copy_puts_the_answer_and_its_numbered_sources_on_the_clipboard(app_page):
    reply = ask(app_page, "嘉定2020年新增了多少张养老床位？")
    expect(reply.locator(".rq-source .rq-crumbs").first).to_contain_text(BEDS_SECTION)  # the source's own 「（一），」
    reply.locator("button.rq-copy").click()
    expect(reply.locator("button.rq-copy")).to_have_text("已复制")
    copied = app_page.evaluate("navigator.clipboard.readText()")
    answer = reply.locator(".rq-answer").inner_text()
    assert copied.startswith(f"{answer}\n\n来源：\n\n[1] 2021年上海市示例区人民政府工作报告 · 一、2020年工作回顾 › "
                             f"{BEDS_SECTION}：")
    assert "新增养老床位774张。" in copied


def test_the_conversation_survives_a_reload_and_exports_as_markdown(app_page):
    ask(app_page, "嘉定2020年新增上市企业几家？")
    app_page.reload()
    turns = app_page.locator("#rq-chat section.rq-turn")
    expect(turns).to_have_count(1)
    expect(turns.first.locator(".rq-answer")).to_contain_text("4家")
    reply = ask(app_page, "那松江呢？")  # the restored conversation is the follow-up's history too
    expect(reply.locator(".rq-understood")).to_have_text("理解为：松江区2020年新增上市企业几家？")

    with app_page.expect_download() as download:
        app_page.locator("#rq-export").click()
    assert download.value.suggested_filename.startswith("reportqa-对话-")
    exported = open(download.value.path(), encoding="utf-8").read()
    assert exported.startswith("# reportqa 对话记录\n\n## 问：嘉定2020年新增上市企业几家？\n\n新增上市企业4家[1]。")
    assert "## 问：那松江呢？\n\n（理解为：松江区2020年新增上市企业几家？）\n\n" in exported

    app_page.locator("#rq-clear").click()
    expect(turns).to_have_count(0)
    app_page.reload()
    expect(app_page.locator("#rq-chat .rq-empty")).to_be_visible()
    expect(turns).to_have_count(0)


@pytest.fixture(scope="module")
def slow_app_url(shared_small_index):
    """The app with a fake chat model that writes one character every 0.4 s (about 6 s an answer)."""
    from fakes import BigramEmbedder
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from reportqa.answer.generation import ChatGenerator, GeneratorChoice, make_generator
    from reportqa.search.hybrid import SearchIndex
    from reportqa.settings import Settings
    from reportqa.ui.handlers import GeneratorPool

    settings = Settings.from_env(index_dir=str(shared_small_index), relevance_threshold=0.0, generator="local")
    index = SearchIndex.open(settings, BigramEmbedder())

    def slow(name, _settings):
        if name != "local":
            return make_generator(name, _settings)
        return GeneratorChoice(ChatGenerator(name, FakeListChatModel(responses=["新增养老床位774张[1]。"], sleep=0.4)))

    with serve(app_on(index, GeneratorPool(settings, slow))) as url:
        yield url


def test_the_draft_streams_while_search_stays_responsive(chromium, slow_app_url):
    with open_app_page(chromium, slow_app_url) as page:
        page.locator("#rq-ask textarea").fill("嘉定2020年新增了多少张养老床位？")
        page.locator("#rq-send").click()
        draft = page.locator("#rq-chat .rq-draft")
        expect(draft).to_contain_text("草稿，核对中…")
        expect(draft).to_contain_text("新增")

        card = search(page, QUERY)  # while the answer is still being written
        expect(card).to_contain_text(PASSAGE)
        page.get_by_role("tab", name="问答").click()
        expect(draft).to_have_count(1)  # still a draft: the search did not wait for the answer

        answer = page.locator("#rq-chat .rq-answer")
        expect(answer).to_contain_text("774", timeout=TIMEOUT_MS)
        expect(answer.locator("a.rq-cite")).to_have_text("[1]")
        expect(draft).to_have_count(0)


def test_stop_cancels_the_answer_being_written(chromium, slow_app_url):
    with open_app_page(chromium, slow_app_url) as page:
        page.locator("#rq-ask textarea").fill("嘉定2020年新增了多少张养老床位？")
        page.locator("#rq-send").click()
        draft = page.locator("#rq-chat .rq-draft")
        expect(draft).to_contain_text("新增")
        page.locator("#rq-stop").click()
        expect(page.locator("#rq-ask textarea")).to_have_value("")
        page.locator("#rq-ask textarea").fill("嘉定2020年新增了多少张养老床位？")
        stopped = page.locator("#rq-chat section.rq-turn").last
        expect(stopped.locator(".rq-notice")).to_have_text("已停止回答。")
        expect(stopped.locator(".rq-user")).to_have_text("嘉定2020年新增了多少张养老床位？")
        page.wait_for_timeout(1500)  # no update of the stopped answer arrives after it
        expect(draft).to_have_count(0)

        page.locator("#rq-send").click()  # the answer queue is free again; nothing is kept of the stopped one
        expect(page.locator("#rq-chat .rq-answer")).to_contain_text("774", timeout=TIMEOUT_MS)
        expect(page.locator("#rq-chat section.rq-turn")).to_have_count(1)


def test_passages_show_at_once_and_an_extractive_answer_does_not_wait_for_the_local_one(chromium, slow_app_url):
    with open_app_page(chromium, slow_app_url) as first, open_app_page(chromium, slow_app_url) as second:
        first.locator("#rq-ask textarea").fill("嘉定2020年新增了多少张养老床位？")
        first.locator("#rq-send").click()
        evidence = first.locator("#rq-chat .rq-evidence")
        expect(evidence).to_contain_text("新增养老床位774张")  # the passages, before the model has written
        expect(first.locator("#rq-chat .rq-draft")).to_contain_text("新增")

        second.locator("#rq-ask textarea").fill("嘉定2020年新增了多少张养老床位？")  # a second local answer waits
        second.locator("#rq-send").click()
        expect(second.locator("#rq-chat .rq-waiting")).to_contain_text("前面还有 1 个")
        expect(second.locator("#rq-chat .rq-evidence")).to_contain_text("新增养老床位774张")

        with open_app_page(chromium, slow_app_url) as third:
            choose(third, "rq-generator", "原文摘录")
            expect(third.locator("#rq-generator input")).to_have_value("原文摘录")
            reply = ask(third, "松江新增上市企业几家？")
            expect(reply.locator(".rq-answer")).to_contain_text("6家")
            card = search(third, QUERY)
            expect(card).to_contain_text(PASSAGE)
        # Both done while the second local answer still waits for the first or is being written.
        expect(second.locator("#rq-chat .rq-answer")).to_have_count(0)

        expect(first.locator("#rq-chat .rq-answer")).to_contain_text("774", timeout=TIMEOUT_MS)
        expect(second.locator("#rq-chat .rq-answer")).to_contain_text("774", timeout=TIMEOUT_MS)
