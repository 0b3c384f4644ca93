from reportqa.ingest.cleaning import LineKind, classify_lines

# A PDF-style extraction: lines wrapped at one width with blank lines between.
WRAPPED = "\n\n".join([
    "深入实施创新驱动发展战略，坚持引进和培育双向发力，强",
    "化传统产业转型发展和新兴产业集聚发展双轮驱动，深化制造",
    "业和服务业融合发展，全社会固定资产投资累计完成 1233.5",
    "- 25 -",
    "亿元，较“十二五”增加 349.8 亿元。金山经济实力显著提升。",
    "图 1 区级地方财政收入、全社会固定资产投资、",
    "属地规模以上工业产值（亿元）",
    "坚持协调发展，城乡统筹发展展现新面貌。城镇品质加快提",
    "升。开展新一轮总体规划编制工作，规划体系基本形成。人均",
    "公园绿地面积达到十平方米，较“十二五”末有所提高，城市",
    "https://baike.baidu.com/item/IETF/2800318",
    "功能进一步完善。",
])


def kinds(layout):
    return [(line.kind, line.reason) for line in layout.lines if line.kind is not LineKind.BLANK]


def test_wrapped_layout_is_detected_and_lines_run_on():
    layout = classify_lines(WRAPPED, 0, len(WRAPPED))
    assert layout.wrapped
    first = next(line for line in layout.lines if line.kind is LineKind.BODY)
    assert first.continues


def test_footer_caption_with_its_second_line_and_url_are_noise():
    layout = classify_lines(WRAPPED, 0, len(WRAPPED))
    noise = {line.text.strip(): line.reason for line in layout.lines if line.kind is LineKind.NOISE}
    assert noise == {
        "- 25 -": "page footer",
        "图 1 区级地方财政收入、全社会固定资产投资、": "figure caption",
        "属地规模以上工业产值（亿元）": "figure caption",
        "https://baike.baidu.com/item/IETF/2800318": "stray URL",
    }


def test_infographic_figure_and_label_lines_and_repeated_blocks_are_noise():
    text = "\n\n".join([
        "2020年工作回顾", "23亿", "减免税收", "不折不扣落实减税降费政策，减免企业税收2.3亿元。",
        "始终把稳增长作为第一要务", "始终把稳增长作为第一要务", "成功创建全国文明城区。",
    ])
    layout = classify_lines(text, 0, len(text))
    noise = [(line.text, line.reason) for line in layout.lines if line.kind is LineKind.NOISE]
    assert noise == [("23亿", "infographic figure"), ("减免税收", "infographic label"),
                     ("始终把稳增长作为第一要务", "repeated block")]
    assert not layout.wrapped


def test_long_line_cut_by_a_page_break_runs_on_but_a_finished_one_does_not():
    cut = "今年是全面建成小康社会和“十三五”规划收官之年。做好今年工作，要坚持稳中求进工作总基调，坚定不移贯彻新发展理念，着力提升城市能级，"
    done = "不断提高城市治理能力和治理水平，确保全面建成小康社会和“十三五”规划圆满收官，确保经济持续健康发展和社会大局稳定而不懈奋斗。"
    text = cut + "\n\n" + done
    layout = classify_lines(text, 0, len(text))
    body = [line for line in layout.lines if line.kind is LineKind.BODY]
    assert [line.continues for line in body] == [True, False]


def test_a_licence_notice_at_the_end_is_noise_to_the_end():
    text = ("各位代表：\n我们要不懈奋斗！\n\n本作品是中华人民共和国的\n法律\n、\n法规\n，属于\n公有领域\n。\n"
            "Public domain\nfalse\n")
    kinds = [(line.text, line.kind) for line in classify_lines(text, 0, len(text)).lines if line.text.strip()]
    assert kinds[:2] == [("各位代表：", LineKind.BODY), ("我们要不懈奋斗！", LineKind.BODY)]
    assert {kind for _, kind in kinds[2:]} == {LineKind.NOISE}


def test_a_licence_phrase_far_from_the_end_is_body():
    text = "本作品采用许可协议发布。\n" + "".join(f"第{n}段正文内容。\n" for n in range(60))
    assert classify_lines(text, 0, len(text)).lines[0].kind is LineKind.BODY
