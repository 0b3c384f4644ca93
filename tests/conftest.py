"""Shared helpers for the tests: small report texts written to tmp files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
