"""The reportqa web app: ``python app.py [--index DIR] [--host 127.0.0.1] [--port 7860]``.

A search page (question box, district / year / type filters filled from the
index, result cards with the query terms marked and the passage in its
context) and a library page listing every indexed document. The embedding
model loads once, in the background, while the page is already served.
"""

from __future__ import annotations

import argparse
import sys
import threading

import gradio as gr

from reportqa.offline_model import ModelUnavailable
from reportqa.render import STYLE, results_html
from reportqa.retrieval import Retriever
from reportqa.search import SearchFilters, SearchIndex
from reportqa.settings import Settings
from reportqa.store import IndexUnusable

ALL = "全部"
LIBRARY_COLUMNS = ["标题", "区", "年份", "类型", "段落数", "来源文件", "其他副本", "说明"]


def library_rows(index: SearchIndex) -> list[list]:
    return [[d["title"], d["district"] or "", d["year"] or "", d["doc_type"], d["n_chunks"], d["source_file"],
             "、".join(d["also_in"]), "；".join(d["notes"])] for d in index.manifest["documents"]]


def filter_choices(index: SearchIndex) -> tuple[list[str], list[str], list[str]]:
    documents = index.manifest["documents"]
    years = sorted({str(d["year"]) for d in documents if d["year"]}, reverse=True)
    types = sorted({d["doc_type"] for d in documents})
    return [ALL, *index.districts()], [ALL, *years], [ALL, *types]


def make_search(retriever: Retriever):
    def search(query: str, district: str, year: str, doc_type: str, k: float) -> str:
        if not query.strip():
            return '<p class="rq-empty">请输入问题或关键词。</p>'
        filters = SearchFilters(None if district == ALL else district, None if year == ALL else int(year),
                                None if doc_type == ALL else doc_type)
        retrieval = retriever.retrieve(query, int(k), filters)
        return results_html(retrieval.hits, query, retrieval.understanding.describe(), retrieval.relevant)

    return search


def build_app(index: SearchIndex) -> gr.Blocks:
    districts, years, types = filter_choices(index)
    search = make_search(Retriever(index))
    with gr.Blocks(title="reportqa · 政府工作报告检索") as demo:
        gr.Markdown("## reportqa · 政府工作报告与规划纲要检索")
        with gr.Tab("搜索"):
            with gr.Row():
                query = gr.Textbox(label="问题或关键词", placeholder="例如：嘉定区2020年一般公共预算收入是多少？",
                                   elem_id="rq-query", scale=5)
                button = gr.Button("搜索", variant="primary", elem_id="rq-search", scale=1)
            with gr.Row():
                district = gr.Dropdown(districts, value=ALL, label="区")
                year = gr.Dropdown(years, value=ALL, label="报告年份")
                doc_type = gr.Dropdown(types, value=ALL, label="文档类型")
                k = gr.Slider(1, 20, value=8, step=1, label="结果数")
            results = gr.HTML(elem_id="rq-results")
            inputs = [query, district, year, doc_type, k]
            button.click(search, inputs, results)
            query.submit(search, inputs, results)
        with gr.Tab("文库"):
            gr.Markdown(f"{len(index.manifest['documents'])} 篇文档，{len(index.chunks)} 个段落。")
            gr.Dataframe(value=library_rows(index), headers=LIBRARY_COLUMNS, interactive=False,
                         elem_id="rq-library")
    return demo


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: REPORTQA_INDEX_DIR, index)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        index = SearchIndex.open(Settings.from_env(index_dir=args.index))
    except (IndexUnusable, ModelUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    threading.Thread(target=index.warm_up, name="warm-up", daemon=True).start()
    build_app(index).queue().launch(server_name=args.host, server_port=args.port, css=STYLE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
