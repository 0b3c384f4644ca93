from reportqa.ingest.splitting import split_documents
from reportqa.records import SourceText

LISTING = """  • 【甲区招商】2021年甲区政府工作报告

    2021年甲区政府工作报告各位代表:现在,我代表甲区人民政府,向大会报告工作。 一、2020年工作回顾过去一年,新增养老床位100张。

    2025-07-08

  • 【乙区招商】2021年乙区政府工作报告

    各位代表:现在,我代表乙区人民政府报告工作。 一、2020年工作回顾新增养老床位550张。

    2025-07-08

  • 【上海招商】某集团深化科技强港战略

    某集团将科技创新作为核心动力。 (一)核心突破。集团取得关键进展。

    2025-07-07

有想补充的信息?点我投稿
共 28 页
一、产业园区网投稿信息内容规范
1)反对宪法确定的基本原则的;
投资咨询热线
400-162-2002
"""


def test_listing_page_yields_one_document_per_entry_and_drops_boilerplate():
    source = SourceText("listing.txt", LISTING, "utf-8")
    documents = split_documents(source)
    assert [d.listing_title for d in documents] == [
        "【甲区招商】2021年甲区政府工作报告",
        "【乙区招商】2021年乙区政府工作报告",
        "【上海招商】某集团深化科技强港战略",
    ]
    bodies = [LISTING[d.start:d.end] for d in documents]
    assert bodies[0].startswith("2021年甲区政府工作报告各位代表") and bodies[0].endswith("100张。")
    assert "2025-07-08" not in "".join(bodies)
    for noise in ("投稿", "共 28 页", "400-162-2002", "宪法"):
        assert all(noise not in body for body in bodies)
    assert [d.ordinal for d in documents] == [1, 2, 3]


def test_plain_file_is_one_document_without_surrounding_blank_lines():
    text = "\n\n  标题\n\n正文。\n\n"
    (document,) = split_documents(SourceText("a.txt", text, "utf-8"))
    assert text[document.start:document.end] == "标题\n\n正文。"
    assert document.listing_title is None


def test_a_single_bullet_line_is_not_a_listing():
    text = "• 一条说明\n\n正文内容。\n\n2025-07-08\n"
    documents = split_documents(SourceText("a.txt", text, "utf-8"))
    assert len(documents) == 1 and documents[0].start == 0
