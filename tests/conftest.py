"""Shared helpers for the tests: small report texts, the indexes built from them, the browser fixtures."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CORPUS = ROOT / "data" / "reports"

SMALL_REPORT = """2021年上海市示例区人民政府工作报告

——2021年1月20日在上海市嘉定区第六届人民代表大会第八次会议上

各位代表：

现在，我代表嘉定区人民政府，向大会报告工作，请予审议。

一、2020年工作回顾

过去一年，全区经济稳步恢复。一般公共预算收入完成220.4亿元，同比下降18.6%。

（一）坚持人民至上，始终绷紧疫情防控之弦

实践形成“政府主导、办企合 一、市场化运作”的开发机制。推进区属 二、三级企业改革。新增养老床位774张。

（二）抓牢发展第一要务

全区增加值完成2488.4亿元。新增上市企业4家。

二、2021年主要任务

2021年是“十四五”规划开局之年。主要预期目标是：增加值比上年增长6%以上。

（一）着力推动新旧动能转换

加快建设汽车产业集群。
"""
# A section heading of SMALL_REPORT as written (the index keeps its match form 「(一)…,」).
SECTION_AS_WRITTEN = "（一）坚持人民至上，始终绷紧疫情防控之弦"


@pytest.fixture
def write_file(tmp_path):
    """Write text (or bytes) to a file under tmp_path and return its path."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode(encoding))
        return path

    return write


OTHER_REPORT = """2021年松江区人民政府工作报告

——2021年1月19日在上海市松江区第五届人民代表大会第六次会议上

各位代表：

一、2020年工作回顾

过去一年，松江区地区生产总值完成1688亿元。新增上市企业6家，G60科创走廊建设加快。

（一）长三角G60科创走廊建设全面提速

对口帮扶的云南省五个县全部提前脱贫摘帽。新建公园绿地120公顷。

二、2021年主要任务

主要预期目标是：地区生产总值增长7%左右，一般公共预算收入增长4%。
"""

# A third report, for adding to an index: a county none of the others names, with figures only it has.
COUNTY_REPORT = """2024年婺源县人民政府工作报告
——2024年1月10日在婺源县第十八届人民代表大会第四次会议上
各位代表：
现在，我代表县人民政府，向大会报告工作，请予审议。
一、2023年工作回顾
过去一年，全县地区生产总值完成186.5亿元，同比增长5.2%。全年接待游客2680万人次。
（一）文旅融合发展
新增国家A级旅游景区3家，乡村旅游带动就业1.2万人。
二、2024年主要任务
主要预期目标是：地区生产总值增长6%左右。
"""


def write_docx(path: Path, text: str) -> Path:
    """A .docx whose paragraphs are the lines of ``text``."""
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


@contextmanager
def writer_held(index: Path | str) -> Iterator[threading.Event]:
    """Hold ``index``'s writer lock in another thread (as another ingest would) until the block ends or the
    yielded event is set."""
    from reportqa.indexing.writing import writer_lock

    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with writer_lock(index):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        yield release
    finally:
        release.set()
        holder.join()


def build_index(reports: Path, index: Path) -> Path:
    """Index the report files in the folder ``reports`` at ``index`` with the fake embedder."""
    from fakes import BigramEmbedder

    import ingest

    assert ingest.main([str(reports), "--index", str(index)], embedder=BigramEmbedder()) == 0
    return index


def copy_index(folder: Path, target: Path) -> Path:
    """Copy ``folder``'s ``reports`` and ``index`` into ``target``; returns the copied index.

    The index records its sources relative to the folder holding it, so the
    copy is what ingesting ``target / "reports"`` into ``target / "index"``
    would have written, ids included.
    """
    shutil.copytree(folder / "reports", target / "reports")
    shutil.copytree(folder / "index", target / "index")
    return target / "index"


@pytest.fixture
def parts(tmp_path):
    """Three small part files that join into a fake GGUF file, b"GGUF-head-middle-tail"."""
    paths = []
    for number, content in enumerate([b"GGUF-head-", b"middle-", b"tail"], start=1):
        path = tmp_path / "parts" / f"part{number}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def shared_small_index(tmp_path_factory) -> Path:
    """An index of two small reports (嘉定区 and 松江区, 2021; SMALL_REPORT and OTHER_REPORT in the
    ``reports`` folder beside it), built once per session with the fake embedder.

    Shared by every test that asks for it: read it, never change it (``small_index`` is a copy of
    your own).
    """
    folder = tmp_path_factory.mktemp("small")
    (folder / "reports").mkdir()
    (folder / "reports" / "jiading.txt").write_text(SMALL_REPORT, encoding="utf-8")
    (folder / "reports" / "songjiang.txt").write_text(OTHER_REPORT, encoding="utf-8")
    return build_index(folder / "reports", folder / "index")


@pytest.fixture(scope="session")
def hostile_index(tmp_path_factory) -> Path:
    """The small report with markup in a passage: a script and an image tag inside its 养老床位 sentence."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "reports").mkdir()
    hostile = SMALL_REPORT.replace("新增养老床位774张。", "新增养老床位774张<script>alert('x')</script><img src=x onerror=1>。")
    (folder / "reports" / "hostile.txt").write_text(hostile, encoding="utf-8")
    return build_index(folder / "reports", folder / "index")


def open_index(index: Path):
    """The ``SearchIndex`` at ``index`` with the fake embedder it was built with, default settings otherwise."""
    from fakes import BigramEmbedder

    from reportqa.search.hybrid import SearchIndex
    from reportqa.settings import Settings

    return SearchIndex.open(Settings.from_env(index_dir=str(index)), BigramEmbedder())


@pytest.fixture
def small_index(shared_small_index, tmp_path) -> Path:
    """A copy of ``shared_small_index`` for one test to change: ``tmp_path / "index"``, with its
    reports in ``tmp_path / "reports"``."""
    return copy_index(shared_small_index.parent, tmp_path)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """The bundled corpus (``data/reports``) indexed once per session with the fake embedder; read only."""
    return build_index(CORPUS, tmp_path_factory.mktemp("corpus") / "index")


@pytest.fixture(scope="session")
def real_embedder():
    """The default embedding model as the product runs it (its int8 ONNX build, made once into the cache),
    loaded once per session."""
    from reportqa.indexing.embedding import make_embedder
    from reportqa.settings import Settings

    model = make_embedder(Settings.from_env())
    model.load()
    return model


@pytest.fixture(scope="session")
def torch_embedder():
    """The default embedding model on torch (converted once into the cache), loaded once per session."""
    from reportqa.indexing.embedding import SentenceTransformerEmbedder
    from reportqa.indexing.offline_model import OFFLINE_MODEL_NAME
    from reportqa.settings import Settings

    model = SentenceTransformerEmbedder(OFFLINE_MODEL_NAME, Settings.from_env().cache_dir)
    model.load()
    return model


@pytest.fixture(scope="session")
def real_index(real_embedder, tmp_path_factory) -> Path:
    """Two bundled reports (金山区 2021 infographic and 2020 report) indexed once per session with the real
    model by ``ingest.py``; read only."""
    import ingest

    index = tmp_path_factory.mktemp("real") / "index"
    files = [CORPUS / "000_3a508674bb74eac6.txt", CORPUS / "001_06f3b45a9119657a.txt"]
    assert ingest.main([*map(str, files), "--index", str(index)], embedder=real_embedder) == 0
    return index


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless chromium through Playwright; fails (never skips) with how to install it."""
    from browser import BrowserMissing, browser_session

    try:
        with browser_session() as browser:
            yield browser
            return
    except BrowserMissing as error:
        missing = str(error)
    pytest.fail(missing, pytrace=False)


@pytest.fixture(scope="module")
def small_app_url(shared_small_index):
    """The web app on ``shared_small_index`` (fake embedder), served in this process on a free port.

    The chat's default generator is the extractive one (no model), and the
    relevance threshold is 0: the fake embedder's cosines are far below the
    real model's, so any other threshold would refuse every question.
    """
    from browser import app_on, serve
    from fakes import BigramEmbedder

    from reportqa.search.hybrid import SearchIndex
    from reportqa.settings import Settings

    settings = Settings.from_env(index_dir=str(shared_small_index), relevance_threshold=0.0, generator="extractive")
    index = SearchIndex.open(settings, BigramEmbedder())
    with serve(app_on(index)) as url:
        yield url


@pytest.fixture
def app_page(chromium, small_app_url):
    """A fresh browser page on the small app, loaded and ready for input."""
    from browser import open_app_page

    with open_app_page(chromium, small_app_url) as page:
        yield page
