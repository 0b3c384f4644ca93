"""The 文库 page: the reports in the library, added by upload, removed, and read whole.

``library_tab`` lays it out and wires it to ``reportqa.ui.library.Library``:
an upload goes through reading, embedding and writing with a progress bar,
then a result per file (the reports found and their passages, or why it was
refused) while the table and every page's 地区 / 报告年份 / 文档类型 filters
take the new index at once. 移除 asks before it removes. One change runs
at a time (the others wait in the queue); searches and answers go on with the
previous index until the new one is swapped in. When the app has a token,
adding and removing ask for it (管理口令).
"""

from __future__ import annotations

import hmac
import html
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import gradio as gr

from reportqa.errors import IndexBusy, ReportqaError
from reportqa.ingest.loaders import SUPPORTED_SUFFIXES
from reportqa.ui.catalogue import EMPTY, MISSING, SIZE, TYPE, FileOutcome
from reportqa.ui.library import Change, Library, Upload
from reportqa.ui.reader import document_html

COLUMNS = ["标题", "文件", "地区", "级别", "年份", "类型", "段落数", "加入时间", "并入的副本", "说明"]
# Shares of the table's width, so every column shows at 1280 px (long titles and notes wrap).
COLUMN_WIDTHS = ["20%", "16%", "7%", "6%", "5%", "9%", "6%", "10%", "9%", "12%"]
STAGES = {"read": ("读取和解析", "个文件"), "embed": ("计算向量", "段文本"), "write": ("写入索引", "步")}
# Seconds a change waits for another process's ingest of the same index before it says the index is busy.
WAIT_FOR_OTHER_INGEST = 60.0


def library_rows(entries: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """The table's rows: one report a row, its file named as uploaded (「（第2篇，共9篇）」 when a file holds
    several reports)."""
    rows = []
    for entry in entries:
        number, of = entry["part"]
        file_name = entry["file_name"] + (f"（第{number}篇，共{of}篇）" if of > 1 else "")
        added = local_time(entry["added"])
        rows.append([entry["title"], file_name, entry["place"] or "", entry["level_name"] or "", entry["year"] or "",
                     entry["doc_type"], entry["passages"], added, "、".join(entry["also_in"]),
                     "；".join(entry["notes"])])
    return rows


def local_time(stamp: str | None) -> str:
    """An ISO 8601 time (UTC) as this machine's local time, to the minute: 「2026-12-01 18:45」."""
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def document_choices(entries: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """The report chooser's (label, doc_id) pairs: title and file name."""
    return [(f"{entry['title']}（{entry['file_name']}）", entry["doc_id"]) for entry in entries]


def summary(entries: Sequence[dict[str, Any]]) -> str:
    files = len({entry["source_file"] for entry in entries})
    return f"{len(entries)} 篇报告（{files} 个文件），{sum(entry['passages'] for entry in entries)} 个段落。"


def outcome_html(change: Change) -> str:
    """What an add or remove did, a line a file (✓ the reports found, or ✗ why it was refused)."""
    items = []
    for outcome in change.files:
        name = html.escape(outcome.name)
        if outcome.error:
            items.append(f'<li class="rq-refused">✗ {name}：未加入，{html.escape(_refusal(outcome))}</li>')
        elif outcome.folded_into:
            items.append(f'<li class="rq-added">✓ {name}：与《{html.escape("》《".join(outcome.folded_into))}》'
                         "内容相同，作为它的副本记录</li>")
        else:
            found = "、".join(f"《{html.escape(d['title'])}》{d['passages']}段" for d in outcome.documents)
            items.append(f'<li class="rq-added">✓ {name}：{found}</li>')
    items.extend(f'<li class="rq-removed">已移除《{html.escape(entry["title"])}》'
                 f'（{html.escape(entry["file_name"])}）</li>' for entry in change.removed)
    total = f"文库现有 {change.documents} 篇报告、{change.passages} 个段落（用时 {change.seconds:.1f} 秒）。"
    return f'<ul class="rq-outcome">{"".join(items)}</ul><p class="rq-outcome-total">{total}</p>'


def _refusal(outcome: FileOutcome) -> str:
    """Why a file was refused, in Chinese, with the reader's own words kept for an unreadable file."""
    said = {TYPE: "不是可以导入的报告格式（txt、html、pdf、docx）。", MISSING: "上传的文件不见了，请重新上传。",
            SIZE: "超过了单个文件的大小上限（REPORTQA_MAX_FILE_MB），请拆分后再上传。",
            EMPTY: "文件里没有找到报告正文。"}
    return said.get(outcome.code or "", f"无法读取：{outcome.error}")


def error_html(error: Exception) -> str:
    if isinstance(error, IndexBusy):
        message = "另一个导入正在更新索引，请稍后再试。"
    else:
        message = "未能完成。"
    return f'<p class="rq-refused">{message}{html.escape(str(error))}</p>'


def library_tab(library: Library, token: str, read_only: bool,
                refresh_filters: Callable[[], list[Any]], filter_outputs: Sequence[Any]) -> None:
    """The 文库 tab.

    Args:
        library: the reports served and changed.
        token: the app's token ("" for none): adding and removing ask for it.
        read_only: no adding or removing.
        refresh_filters: updates for ``filter_outputs`` from the library's current index.
        filter_outputs: the other pages' filter dropdowns, refreshed after a change.
    """
    page = _layout(library.documents(), token, read_only)
    handlers = _Handlers(library, token, refresh_filters, len(filter_outputs))
    changed = [page["outcome"], page["count"], page["table"], page["chosen"], *filter_outputs]
    hidden = {"api_visibility": "undocumented"}
    one_change = {"concurrency_limit": 1, "concurrency_id": "library", "show_progress_on": page["outcome"], **hidden}
    page["add"].click(handlers.adding, [page["files"], page["secret"]], changed, api_name="library_add",
                      **one_change).then(lambda: None, None, page["files"], **hidden)
    page["remove"].click(handlers.asking, page["chosen"], [page["confirm"], page["question"]],
                         api_name="library_confirm", **hidden)
    page["no"].click(lambda: gr.update(visible=False), None, page["confirm"], api_name="library_cancel", **hidden)
    page["yes"].click(handlers.removing, [page["chosen"], page["secret"]], [*changed, page["confirm"], page["reader"]],
                      api_name="library_remove", **one_change)
    page["read"].click(handlers.reading, page["chosen"], page["reader"], api_name="library_read", **hidden)
    page["table"].select(_row_chosen(library), None, page["chosen"], api_name="library_choose", **hidden)


def _layout(entries: Sequence[dict[str, Any]], token: str, read_only: bool) -> dict[str, Any]:
    """The tab's components, by name: count, upload (files, secret, add), outcome, table, chooser (chosen,
    read, remove), the removal question (confirm, question, yes, no) and the reader."""
    page: dict[str, Any] = {"count": gr.Markdown(summary(entries), elem_id="rq-library-count")}
    with gr.Group(visible=not read_only):
        page["files"] = gr.File(label="添加报告：txt、html、pdf、docx，可拖放多个文件", file_count="multiple",
                                file_types=sorted(SUPPORTED_SUFFIXES), type="filepath", height=140,
                                elem_id="rq-upload")
        with gr.Row():
            page["secret"] = gr.Textbox(label="管理口令", type="password", visible=bool(token), elem_id="rq-token",
                                        scale=3)
            page["add"] = gr.Button("加入文库", variant="primary", elem_id="rq-add", scale=1)
    page["outcome"] = gr.HTML(elem_id="rq-outcome")
    page["table"] = gr.Dataframe(value=library_rows(entries), headers=COLUMNS, interactive=False, wrap=True,
                                 column_widths=COLUMN_WIDTHS, max_height=420, elem_id="rq-library")
    with gr.Row():
        page["chosen"] = gr.Dropdown(document_choices(entries), label="选择报告", elem_id="rq-doc", scale=4)
        page["read"] = gr.Button("阅读全文", elem_id="rq-read", scale=1)
        page["remove"] = gr.Button("移除", variant="stop", elem_id="rq-remove", scale=1, visible=not read_only)
    with gr.Row(visible=False, elem_id="rq-confirm") as page["confirm"]:
        page["question"] = gr.Markdown()
        page["yes"] = gr.Button("确定移除", variant="stop", elem_id="rq-remove-yes", scale=0)
        page["no"] = gr.Button("取消", elem_id="rq-remove-no", scale=0)
    page["reader"] = gr.HTML(elem_id="rq-reader")
    return page


class _Handlers:
    """What the tab's buttons do. A change's outputs: outcome, count, table, chooser, then the filters."""

    def __init__(self, library: Library, token: str, refresh_filters: Callable[[], list[Any]], filters: int) -> None:
        self.library = library
        self.token = token
        self.refresh_filters = refresh_filters
        self.unchanged = [gr.update()] * (3 + filters)

    def refreshed(self, note: str) -> list[Any]:
        now = self.library.documents()
        return [note, summary(now), library_rows(now), gr.update(choices=document_choices(now), value=None),
                *self.refresh_filters()]

    def adding(self, paths: list[str] | None, given: str, progress=gr.Progress()) -> list[Any]:  # noqa: B008
        if not _allowed(self.token, given):
            return [_bad_token(), *self.unchanged]
        uploads = [Upload(path, os.path.basename(path)) for path in paths or []]
        most = self.library.settings.max_upload_files
        if not uploads or len(uploads) > most:
            said = f"一次最多加入 {most} 个文件，请分几次上传。" if uploads else "请先选择或拖入报告文件。"
            return [f'<p class="rq-refused">{said}</p>', *self.unchanged]
        try:
            change = self.library.add(uploads, wait=WAIT_FOR_OTHER_INGEST, progress=_progress(progress))
        except ReportqaError as error:
            return [error_html(error), *self.unchanged]
        return self.refreshed(outcome_html(change))

    def removing(self, doc_id: str | None, given: str) -> list[Any]:
        closed = [gr.update(visible=False), ""]
        if not _allowed(self.token, given):
            return [_bad_token(), *self.unchanged, *closed]
        try:
            change = self.library.remove([doc_id] if doc_id else [], wait=WAIT_FOR_OTHER_INGEST)
        except ReportqaError as error:
            return [error_html(error), *self.unchanged, *closed]
        return [*self.refreshed(outcome_html(change)), *closed]

    def asking(self, doc_id: str | None) -> tuple[Any, str]:
        entries = {entry["doc_id"]: entry for entry in self.library.documents()}
        if doc_id not in entries:
            return gr.update(visible=False), ""
        entry = entries[doc_id]
        others = entry["part"][1] - 1
        also = f"同一文件中的另外 {others} 篇报告也会一并移除。" if others else ""
        return gr.update(visible=True), (f"确定从文库移除《{entry['title']}》（{entry['file_name']}）吗？{also}"
                                         "移除后它不再被检索和引用。")

    def reading(self, doc_id: str | None) -> str:
        return document_html(self.library.current().index, doc_id) if doc_id else ""


def _row_chosen(library: Library) -> Callable[[gr.SelectData], Any]:
    def chosen(event: gr.SelectData) -> Any:
        entries = library.documents()
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        return entries[row]["doc_id"] if 0 <= row < len(entries) else gr.update()
    return chosen


def _progress(progress: gr.Progress) -> Callable[[str, int, int], None]:
    def tell(stage: str, done: int, total: int) -> None:
        label, unit = STAGES[stage]
        progress((done, max(total, 1)), desc=f"{label} {done}/{total}", unit=unit)
    return tell


def _allowed(token: str, given: str | None) -> bool:
    return not token or hmac.compare_digest((given or "").encode(), token.encode())


def _bad_token() -> str:
    return '<p class="rq-refused">管理口令不对：添加和移除报告需要启动时设定的口令（REPORTQA_API_TOKEN）。</p>'
