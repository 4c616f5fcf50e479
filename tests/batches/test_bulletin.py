"""The announcement parser on the seed and on documents of other layouts. No database needed."""

import datetime
import json

import pytest
from django.conf import settings

from batches.bulletin import BulletinError, chinese_number, decode, parse, scope_of
from practices.text import Known

FIXTURES = settings.BASE_DIR / "fixtures"
SEED = FIXTURES / "seeds" / "shaanxi-2022-2.txt"
BULLETINS = FIXTURES / "bulletins"


def known(name):
    rows = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return [
        Known(row["fields"]["name"], (row["fields"].get("short_name", ""), *row["fields"]["aliases"])) for row in rows
    ]


def read(text: str):
    return parse(text, cities=known("cities"), indicators=known("indicators"))


def codes(notes):
    return [note.code for note in notes]


# ---------------------------------------------------------------------------------------------------------------
# The seed, as issue 3 describes it

SEED_CITIES = (
    "西安 安康 渭南 安康 汉中 延安 宝鸡 榆林 西安 咸阳 西安 榆林 西安 铜川 汉中 西安 商洛 铜川 西安 杨凌示范区 延安"
)
SEED_INDICATORS = (
    ["“一把手走流程、坐窗口、跟执法、处投诉”活动", "投诉举报处理"]
    + ["开办企业"] * 2
    + ["办理建筑许可"] * 2
    + ["获得电力"] * 2
    + ["获得用水用气"] * 2
    + ["登记财产"] * 2
    + ["纳税"] * 2
    + ["跨境贸易"] * 2
    + ["办理破产"] * 2
    + ["获得信贷"] * 2
    + ["保护中小投资者"]
)
# Written out by hand in Simplified from the Traditional original.
SEED_TITLES = [
    "西安市常态化开展“一把手走流程、坐窗口、跟执法、处投诉”活动 着力提升企业群众满意度和获得感",
    "安康市12345热线“四个一”助推营商环境优化提升",
    "渭南市探索推行企业开办“一表申报、一窗出件”新模式",
    "安康市“开办企业”标准化激发市场主体活力",
    "汉中市推行“多规合一”提升项目审批效率",
    "延安市推行“拿地即开工”审批模式助力工程建设项目快速落地",
    "宝鸡市创新打造“六个办”服务新模式",
    "榆林市持续优化电力营商环境 用户办电省时省心省钱",
    "西安市优化用水前置服务 打造“四零”供水服务标杆",
    "咸阳市打造“智慧燃气” 提升用气营商环境",
    "西安市多措并举提升不动产登记服务质效",
    "榆林市全面推行“交地即交证”改革持续优化不动产登记营商环境",
    "西安市探索推行税收网格化管理机制实现多维度“以税资政”",
    "铜川市打造服务“样板间” 进一步提升纳税人满意度",
    "汉中市建立“5+X”工作机制精准服务外贸企业",
    "西安市创新中欧班列跨境运输新模式,助推跨境运输服务加快转型升级",
    "商洛市持续完善破产案件常态化府院合作机制",
    "铜川市着力推进“办理破产”数字化,助力法治营商环境建设",
    "西安市聚焦打通普惠金融发展堵点,为中小微企业打造“保姆式”金融服务体系",
    "杨凌示范区以金融活水精准“滴灌”农业农村发展",
    "延安市深化“两个一站式”建设",
]
DAMAGED_ITEMS = {3, 4, 11, 13, 19}


@pytest.fixture(scope="module")
def seed():
    text, encoding = decode(SEED.read_bytes())
    assert encoding == "utf-8"
    return read(text)


def test_seed_items_numbers_cities_indicators_titles(seed):
    full_names = {c.name for c in known("cities")}
    expected_cities = [name if name in full_names else f"{name}市" for name in SEED_CITIES.split()]
    assert [item.number for item in seed.items] == list(range(1, 22))
    assert [item.city for item in seed.items] == expected_cities
    assert [item.indicator for item in seed.items] == SEED_INDICATORS
    assert [item.title for item in seed.items] == SEED_TITLES


def test_seed_lead_and_declared_total(seed):
    assert seed.title == ""
    assert seed.declared_total == 36
    assert len(seed.lead) == 2
    assert seed.lead[1].startswith("此次推出的36项典型经验做法中,西安市8项;汉中市、安康市各4项")
    assert "陕西省委" in seed.lead[0] and "陜" not in "".join(seed.lead)


def test_seed_damage_is_flagged_exactly_where_it_is(seed):
    damaged = {item.number for item in seed.items if "damaged_text" in codes(item.warnings)}
    assert damaged == DAMAGED_ITEMS
    spans = [note for item in seed.items for note in item.warnings if note.code == "damaged_text"]
    assert len(spans) == 8
    assert all("?" in note.fragment for note in spans)
    assert any("“一窗出件”?!" in note.fragment for note in spans)


def test_seed_clean_items_carry_no_warnings(seed):
    for item in seed.items:
        if item.number not in DAMAGED_ITEMS and item.number != 21:
            assert item.warnings == [], item.number


def test_seed_glued_heading_is_split_off(seed):
    item8, item9 = seed.items[7], seed.items[8]
    assert item8.paragraphs[-1].endswith("方便客户查询。")
    assert item8.indicator == "获得电力" and item9.indicator == "获得用水用气"
    assert "glued_heading" in codes(seed.warnings)


def test_seed_is_cut_off_inside_item_21(seed):
    last = seed.items[-1]
    assert {"truncated", "count_mismatch"} <= set(codes(last.warnings))
    assert {"truncated", "count_mismatch"} <= set(codes(seed.warnings))


def test_seed_keeps_the_original_script_beside(seed):
    assert seed.items[0].original_title.startswith("西安市常態化開展")
    assert seed.items[0].title.startswith("西安市常态化开展")
    assert seed.original_text.startswith("近日,陜西省委")


def test_item_title_stops_at_the_first_full_stop(seed):
    item = seed.items[1]
    assert item.title == "安康市12345热线“四个一”助推营商环境优化提升"
    assert item.paragraphs[0].startswith("安康12345热线坚持以人民为中心")


# ---------------------------------------------------------------------------------------------------------------
# Other layouts

TITLE_ONLY = """陕西省2023年第一批优化营商环境
典型经验做法清单（共3项）
1.陕西省西安市推行企业开办全程网办
2.陕西省汉中市打造“汉中通”一站式办事平台
3.陕西省宝鸡市推进不动产登记“一窗办理”
"""


def test_title_only_list_with_a_province_prefix_and_wrapped_title():
    doc = read(TITLE_ONLY)
    assert doc.title == "陕西省2023年第一批优化营商环境典型经验做法清单（共3项）"
    assert doc.declared_total == 3
    assert [(i.number, i.city, i.paragraphs) for i in doc.items] == [
        (1, "西安市", []),
        (2, "汉中市", []),
        (3, "宝鸡市", []),
    ]
    assert doc.items[0].title == "陕西省西安市推行企业开办全程网办"
    assert doc.warnings == [] and all(i.warnings == [] for i in doc.items)


SECTIONS = """关于推广第三批优化营商环境典型案例的通知
各市（区）人民政府：
现将第三批优化营商环境典型案例（共4项）印发给你们，请结合实际学习借鉴。
一、开办企业方面（共2项）
（1）西安市推行企业开办“一日办结”。西安市整合设立登记、公章刻制等环节。
实现一日内领齐执照、印章和发票。
（2）咸阳市推行“证照联办”。咸阳市将营业执照与许可证同步办理。
二、纳税方面（共1项）
（3）渭南市推行“非接触式”办税。渭南市主要涉税事项全程网上办。
三、数字乡村方面（共1项）
（4）商洛市建设数字乡村服务平台。商洛市建成覆盖全市的乡村服务平台。
"""


def test_numbered_section_headings_with_counts():
    doc = read(SECTIONS)
    assert doc.title == "关于推广第三批优化营商环境典型案例的通知"
    assert doc.declared_total == 4
    assert [(i.number, i.city, i.indicator) for i in doc.items] == [
        (1, "西安市", "开办企业"),
        (2, "咸阳市", "开办企业"),
        (3, "渭南市", "纳税"),
        (4, "商洛市", None),
    ]
    assert doc.items[0].title == "西安市推行企业开办“一日办结”"
    assert doc.items[0].paragraphs == ["西安市整合设立登记、公章刻制等环节。", "实现一日内领齐执照、印章和发票。"]
    assert codes(doc.warnings) == ["unknown_indicator"]
    assert "数字乡村" in doc.warnings[0].message
    # Each item keeps the heading it stands under: the indicator it names, else as written.
    assert [i.heading for i in doc.items] == ["开办企业", "开办企业", "纳税", "数字乡村方面"]


def test_section_count_that_does_not_match_is_reported():
    doc = read(SECTIONS.replace("纳税方面（共1项）", "纳税方面（共2项）"))
    assert "section_count_mismatch" in codes(doc.warnings)


NO_HEADINGS = """2021年第一批典型经验做法
1、西安市推行“拿地即开工”。西安市对社会投资项目实行告知承诺。
2、延安市推行“交房即交证”。延安市在交房现场发放不动产权证书。
"""


def test_document_without_headings():
    doc = read(NO_HEADINGS)
    assert [(i.city, i.indicator) for i in doc.items] == [("西安市", None), ("延安市", None)]
    assert doc.warnings == []


def test_numbering_gap_repeat_and_disorder_are_reported_never_renumbered():
    doc = read(
        NO_HEADINGS
        + "4、商洛市推行“一件事一次办”。正文。\n4、铜川市推行“一网通办”。正文。\n3、汉中市推行“好差评”。正文。\n"
    )
    assert [i.number for i in doc.items] == [1, 2, 4, 4, 3]
    assert [codes(i.warnings) for i in doc.items[2:]] == [["number_gap"], ["repeated_number"], ["out_of_order"]]
    assert "3" in doc.items[2].warnings[0].message


def test_zero_padded_numbers_fused_to_the_title():
    doc = read("01西安市推行企业开办全程网办\n02汉中市打造一站式办事平台\n")
    assert [(i.number, i.city) for i in doc.items] == [(1, "西安市"), (2, "汉中市")]


def test_unknown_city_is_null_with_a_warning():
    doc = read("1、某市推行“最多跑一次”改革。正文。\n")
    assert doc.items[0].city is None
    assert codes(doc.items[0].warnings) == ["unknown_city"]


def test_sub_points_in_another_numbering_style_stay_in_the_body():
    doc = read("1、西安市推行一网通办。正文。\n（1）统一入口。\n（2）统一认证。\n2、汉中市推行好差评。正文。\n")
    assert [i.number for i in doc.items] == [1, 2]
    assert doc.items[0].paragraphs == ["正文。", "（1）统一入口。", "（2）统一认证。"]


def test_traditional_text_reads_the_same_as_simplified():
    simplified = read(NO_HEADINGS)
    traditional = read(
        "2021年第一批典型經驗做法\n1、西安市推行“拿地即開工”。西安市對社會投資項目實行告知承諾。\n"
        "2、延安市推行“交房即交證”。延安市在交房現場發放不動產權證書。\n"
    )
    assert [i.as_dict() for i in traditional.items] == [i.as_dict() for i in simplified.items]
    assert traditional.title == simplified.title


def test_a_sentence_with_a_question_mark_is_not_damage():
    doc = read("1、西安市推行一网通办。是否需要?请联系12345热线。\n")
    assert doc.items[0].warnings == []


def test_a_line_of_utf8_read_as_latin1_is_repaired_and_says_so():
    body = "企业开办时间压缩至一个工作日内完成。"
    misread = body.encode("utf-8").decode("latin-1")
    doc = read(f"1、西安市推行企业开办全程网办。\n{misread}\n")
    assert codes(doc.items[0].warnings) == ["repaired_text"]
    assert doc.items[0].paragraphs == [body]


def test_damage_that_lost_bytes_is_never_repaired(seed):
    item3 = seed.items[2]
    assert "repaired_text" not in codes(item3.warnings)
    assert any("?!" in paragraph for paragraph in item3.paragraphs)


# ---------------------------------------------------------------------------------------------------------------
# Bytes


def test_gb18030_and_big5_bytes_are_detected():
    gb_text, gb = decode(SECTIONS.encode("gb18030"))
    big5_text, big5 = decode("1、西安市推行“拿地即開工”。西安市對社會投資項目實行告知承諾。\n".encode("big5"))
    assert (gb, gb_text) == ("gb18030", SECTIONS)
    assert big5 == "big5" and big5_text.startswith("1、西安市推行“拿地即開工”")


def test_utf8_with_bom_and_windows_line_ends():
    text, encoding = decode(("\ufeff" + NO_HEADINGS.replace("\n", "\r\n")).encode("utf-8"))
    assert encoding == "utf-8" and text.startswith("2021年")
    assert [i.title for i in read(text).items] == [i.title for i in read(NO_HEADINGS).items]


def test_a_chosen_encoding_that_does_not_fit_names_the_line():
    data = b"line one\nline two\n" + "第三行：西安市".encode("gb18030")
    with pytest.raises(BulletinError, match=r"第3行.*utf-8"):
        decode(data, "utf-8")


def test_decode_reads_plain_text_only():
    # Word files, web pages and PDFs are read by batches.documents before their text gets here.
    with pytest.raises(BulletinError, match="不是纯文本"):
        decode(b"PK\x03\x04" + b"\x00" * 20)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_its_bom_is_detected(codec):
    text, encoding = decode(("\ufeff" + SECTIONS).encode(codec))
    assert (encoding, text) == ("utf-16", SECTIONS)


def test_a_utf16_bom_before_what_is_not_text_is_not_believed():
    with pytest.raises(BulletinError, match="无法识别文件编码"):
        decode(b"\xff\xfe" + "西安".encode("gb18030") + b"\xfa\xfb\xff" * 20)


def test_undecodable_bytes_are_refused():
    with pytest.raises(BulletinError, match="无法识别文件编码"):
        decode(b"\xff\xfe\xfa\xfb" * 10)


def test_a_document_without_items_is_refused():
    with pytest.raises(BulletinError, match="没有找到编号条目"):
        read("只有一段说明文字，没有任何编号条目。\n")


@pytest.mark.parametrize("text, number", [("36", 36), ("三十六", 36), ("一百三十", 130), ("十二", 12), ("两", 2)])
def test_chinese_numbers(text, number):
    assert chinese_number(text) == number


@pytest.mark.parametrize("marker", ["{n}、", "{n}.", "{n}．", "{n}. ", "（{n}）", "({n})", "0{n}"])
def test_every_item_marker_style(marker):
    lines = [f"{marker.format(n=n)}{city}推行一网通办。正文。" for n, city in ((1, "西安市"), (2, "汉中市"))]
    doc = read("\n".join(lines))
    assert [(i.number, i.city, i.title) for i in doc.items] == [
        (1, "西安市", "西安市推行一网通办"),
        (2, "汉中市", "汉中市推行一网通办"),
    ]


def test_decimal_numbers_in_a_body_are_not_items():
    doc = read("1、西安市推行一网通办。正文。\n3.5亿元资金已到位。\n2、汉中市推行好差评。正文。\n")
    assert [i.number for i in doc.items] == [1, 2]
    assert doc.items[0].paragraphs == ["正文。", "3.5亿元资金已到位。"]


# ---------------------------------------------------------------------------------------------------------------
# Layouts of other provinces' notices


def test_text_between_a_heading_and_its_first_item_stays_out_of_the_lead():
    doc = read(
        "2023年第一批典型做法\n推出了3项做法。\n获得电力\n近年来，各地持续提升办电便利度。\n1、西安市推行低压办电。正文。\n"
    )
    assert doc.lead == ["推出了3项做法。"]
    assert codes(doc.warnings) == ["unassigned_text", "count_mismatch"]
    assert doc.items[0].indicator == "获得电力"


def test_a_sub_heading_inside_a_body_is_not_an_indicator_heading_when_headings_are_bare():
    doc = read(
        "获得电力\n1、西安市推行低压办电。正文。\n（一）政务服务\n西安市将办电纳入政务服务。\n2、汉中市推行好差评。正文。\n"
    )
    assert [i.indicator for i in doc.items] == ["获得电力", "获得电力"]
    assert doc.items[0].paragraphs == ["正文。", "（一）政务服务", "西安市将办电纳入政务服务。"]


def test_digit_numbered_headings_above_parenthesised_items():
    doc = read(
        "1、开办企业\n（1）西安市推行一网通办。正文。\n（2）汉中市推行一日办结。正文。\n2、纳税\n（3）渭南市推行非接触办税。正文。\n"
    )
    assert [(i.number, i.city, i.indicator) for i in doc.items] == [
        (1, "西安市", "开办企业"),
        (2, "汉中市", "开办企业"),
        (3, "渭南市", "纳税"),
    ]


@pytest.mark.parametrize("heading", ["一、开办企业方面（5项）", "（一）开办企业（2项）", "一、开办企业方面（共2项）"])
def test_section_counts_with_or_without_gong(heading):
    doc = read(f"{heading}\n1、西安市推行一网通办。正文。\n2、汉中市推行一日办结。正文。\n")
    assert [i.indicator for i in doc.items] == ["开办企业", "开办企业"]


@pytest.mark.parametrize(
    "lead, total",
    [
        ("此次推出的典型做法中，西安市共2项。经评审推出了今年第一批3项做法。", 3),
        ("对各地报送的共62项做法进行了评审，遴选出3项。", 3),
        ("通过数据共享，打通3个系统。", None),
        ("现将典型案例（共3项）印发给你们。", 3),
    ],
)
def test_declared_total_is_read_from_the_strongest_phrase(lead, total):
    doc = read(f"{lead}\n1、西安市推行一网通办。正文。\n2、汉中市推行一日办结。正文。\n3、渭南市推行好差评。正文。\n")
    assert doc.declared_total == total
    assert "count_mismatch" not in codes(doc.warnings)


def test_closing_lines_are_kept_apart_from_the_last_item():
    doc = read("1、西安市推行一网通办。正文。\n（来源：陕西省发改委）\n陕西省营商办\n2023年5月10日\n")
    assert doc.items[0].paragraphs == ["正文。"]
    assert codes(doc.warnings) == ["closing_text"] * 3
    assert "truncated" not in codes(doc.items[0].warnings)


def test_notice_front_matter_number_and_attachment():
    doc = read(
        "陕西省优化营商环境工作领导小组办公室关于推广典型经验做法的通知\n陕营商办发〔2023〕5号\n"
        "各设区市人民政府：现将第一批典型经验做法（共2项）印发给你们。\n附件\n"
        "陕西省2023年第一批优化营商环境\n典型经验做法\n1、西安市推行一网通办。正文。\n2、汉中市推行一日办结。正文。\n"
    )
    assert doc.title == "陕西省2023年第一批优化营商环境典型经验做法"
    assert doc.declared_total == 2
    assert not any("〔2023〕" in paragraph for paragraph in doc.lead)


def test_a_number_alone_on_its_line_takes_the_next_line_as_title():
    doc = read("1、西安市推行一网通办。正文。\n2、\n汉中市推行一日办结。正文。\n")
    assert [(i.number, i.title, i.paragraphs) for i in doc.items] == [
        (1, "西安市推行一网通办", ["正文。"]),
        (2, "汉中市推行一日办结", ["正文。"]),
    ]


def test_an_item_without_a_title_is_reported():
    doc = read("1、西安市推行一网通办。正文。\n2、。正文。\n")
    assert codes(doc.items[1].warnings) == ["empty_title"]


def test_a_heading_glued_to_an_item_line_is_split_off():
    doc = read("1、西安市推行一网通办。正文完。获得电力\n2、汉中市推行低压办电。正文。\n")
    assert doc.items[0].paragraphs == ["正文完。"]
    assert doc.items[1].indicator == "获得电力"


def test_a_title_only_list_cut_inside_a_quotation_is_truncated():
    doc = read("1.西安市推行一网通办\n2.延安市深化“两个一\n")
    assert "truncated" in codes(doc.items[-1].warnings)


def test_a_heading_without_items_is_reported():
    doc = read("开办企业\n纳税\n1、西安市推行非接触办税。正文。\n获得电力\n")
    assert codes(doc.warnings) == ["empty_section", "empty_section"]
    assert doc.items[0].indicator == "纳税"


def test_a_list_inside_a_body_after_a_colon_is_not_renumbering():
    doc = read("1.西安市推行一网通办。主要做法：\n1.统一入口。\n2.统一认证。\n2.汉中市推行好差评。正文。\n")
    assert [i.number for i in doc.items] == [1, 2]
    assert doc.items[0].paragraphs == ["主要做法：", "1.统一入口。", "2.统一认证。"]


def test_half_parenthesis_items():
    doc = read("1）西安市推行一网通办。正文。\n2）汉中市推行好差评。正文。\n")
    assert [i.city for i in doc.items] == ["西安市", "汉中市"]


def test_utf8_cut_inside_its_last_character_is_read_and_reported():
    data = "1、西安市推行一网通办。正文到此".encode()[:-1]
    text, encoding = decode(data)
    assert encoding == "utf-8"
    assert "truncated" in codes(read(text).items[0].warnings)


# ---------------------------------------------------------------------------------------------------------------
# What a document says of itself: its date, and how many items it announces


def test_the_seed_bears_no_date_and_announces_36_items(seed):
    assert seed.date is None
    assert (seed.announced_total, len(seed.items)) == (36, 21)


@pytest.mark.parametrize(
    "signature, date",
    [
        ("2023年5月10日", datetime.date(2023, 5, 10)),
        ("2023 年 5 月 10 日", datetime.date(2023, 5, 10)),
        ("二〇二三年五月十日", datetime.date(2023, 5, 10)),
        ("二〇二三年十二月三十一日", datetime.date(2023, 12, 31)),
        ("（2023年12月1日）", datetime.date(2023, 12, 1)),
    ],
)
def test_the_date_under_the_signature_dates_the_document(signature, date):
    doc = read(f"1、西安市推行一网通办。正文。\n陕西省营商办\n{signature}\n")
    assert doc.date == date
    assert doc.items[0].paragraphs == ["正文。"] and codes(doc.warnings) == ["closing_text"] * 2


def test_a_web_pages_date_under_the_title_dates_the_document_and_is_neither_title_nor_lead():
    doc = read(
        "2023年第一批优化营商环境典型经验做法\n发布时间：2023-06-02 09:30\n"
        "近日，推出了第一批2项典型经验做法。\n1、西安市推行一网通办。正文。\n2、汉中市推行一日办结。正文。\n"
    )
    assert doc.date == datetime.date(2023, 6, 2)
    assert doc.title == "2023年第一批优化营商环境典型经验做法"
    assert doc.lead == ["近日，推出了第一批2项典型经验做法。"]


def test_the_signature_wins_over_a_date_above_and_an_impossible_date_is_none():
    doc = read("2023-06-02\n1、西安市推行一网通办。正文。\n陕西省营商办\n2023年6月1日\n")
    assert doc.date == datetime.date(2023, 6, 1)
    assert read("1、西安市推行一网通办。正文。\n2023年2月30日\n").date is None
    assert read(NO_HEADINGS).date is None


def test_without_a_declared_total_the_highest_number_is_what_was_announced():
    doc = read("1、西安市推行一网通办。正文。\n2、汉中市推行一日办结。正文。\n5、宝鸡市推行六个办。正文。\n")
    assert (doc.declared_total, doc.announced_total, len(doc.items)) == (None, 5, 3)
    whole = read("1、西安市推行一网通办。正文。\n2、汉中市推行一日办结。正文。\n")
    assert (whole.declared_total, whole.announced_total) == (None, None)


# ---------------------------------------------------------------------------------------------------------------
# Numberings other than 1、 1. （1）


def items_of(doc):
    return [(i.number, i.city, i.title) for i in doc.items]


def test_items_numbered_as_cases():
    doc = read(
        "陕西省优化营商环境典型案例汇编（第二辑）\n"
        "案例1：西安市推行“企业开办一件事”集成办理\n"
        "西安市将设立登记、公章刻制、申领发票、社保登记等事项整合为“一件事”，实现一表申请、一日办结。\n"
        "案例2：宝鸡市建立重点企业“首席服务官”制度\n"
        "宝鸡市为重点企业和项目配备首席服务官，全程跟踪解决企业诉求。\n"
        "案例3 铜川市推行工程建设项目“容缺+承诺”审批\n"
        "铜川市对非关键要件实行容缺受理，企业承诺后先行审批。\n"
    )
    assert items_of(doc) == [
        (1, "西安市", "西安市推行“企业开办一件事”集成办理"),
        (2, "宝鸡市", "宝鸡市建立重点企业“首席服务官”制度"),
        (3, "铜川市", "铜川市推行工程建设项目“容缺+承诺”审批"),
    ]
    assert doc.items[1].paragraphs == ["宝鸡市为重点企业和项目配备首席服务官，全程跟踪解决企业诉求。"]
    assert doc.title == "陕西省优化营商环境典型案例汇编（第二辑）"


def test_items_numbered_as_a_ranking():
    doc = read(
        "2023年度陕西省营商环境评价“获得电力”指标优秀做法（按得分排序）\n"
        "排名1：榆林市推行低压小微企业“三零”接电服务\n"
        "排名2：宝鸡市打造阳光办电“六个办”服务模式\n"
        "排名3：渭南市推行居民用电报装“一证办”\n"
    )
    assert items_of(doc) == [
        (1, "榆林市", "榆林市推行低压小微企业“三零”接电服务"),
        (2, "宝鸡市", "宝鸡市打造阳光办电“六个办”服务模式"),
        (3, "渭南市", "渭南市推行居民用电报装“一证办”"),
    ]


def test_items_numbered_with_chinese_numerals_in_parentheses():
    doc = read(
        "关于推广第四批优化营商环境典型经验做法的通知\n"
        "（一）西安市推行“交房即交证”改革。西安市在交房现场同步发放不动产权证书，实现“拿钥匙即拿证”。\n"
        "（二）咸阳市打造“15分钟政务服务圈”。咸阳市将高频事项下沉至镇街便民服务中心。\n"
        "（三）榆林市推行惠企政策“免申即享”。榆林市通过数据比对主动兑现惠企资金。\n"
    )
    assert items_of(doc) == [
        (1, "西安市", "西安市推行“交房即交证”改革"),
        (2, "咸阳市", "咸阳市打造“15分钟政务服务圈”"),
        (3, "榆林市", "榆林市推行惠企政策“免申即享”"),
    ]
    assert doc.warnings == []


def test_chinese_numerals_in_parentheses_under_chinese_numbered_headings():
    doc = read(
        "一、开办企业方面（共2项）\n"
        "（一）西安市推行企业开办“一日办结”。西安市整合设立登记、公章刻制等环节。\n"
        "（二）咸阳市推行“证照联办”。咸阳市将营业执照与许可证同步办理。\n"
        "二、纳税方面（共1项）\n"
        "（三）渭南市推行“非接触式”办税。渭南市主要涉税事项全程网上办。\n"
    )
    assert [(i.number, i.city, i.indicator) for i in doc.items] == [
        (1, "西安市", "开办企业"),
        (2, "咸阳市", "开办企业"),
        (3, "渭南市", "纳税"),
    ]
    assert doc.warnings == []


def test_items_numbered_with_chinese_numerals():
    doc = read(
        "2022年第三批优化营商环境典型经验做法\n"
        "一、安康市推行“小院议事”化解涉企纠纷。安康市在园区设立议事小院，邀请企业代表共商共议。\n"
        "二、商洛市推行破产案件“府院联动”。商洛市建立府院联席会议制度：\n"
        "1.每季度召开一次联席会议。\n"
        "2.建立破产费用保障资金。\n"
        "三、汉中市建立外贸企业“5+X”服务机制。汉中市组建专班服务外贸企业。\n"
    )
    assert items_of(doc) == [
        (1, "安康市", "安康市推行“小院议事”化解涉企纠纷"),
        (2, "商洛市", "商洛市推行破产案件“府院联动”"),
        (3, "汉中市", "汉中市建立外贸企业“5+X”服务机制"),
    ]
    assert doc.items[1].paragraphs[-2:] == ["1.每季度召开一次联席会议。", "2.建立破产费用保障资金。"]


def test_chinese_numbered_sections_of_a_notice_are_not_its_items():
    doc = read(
        "关于复制推广第一批优化营商环境典型经验做法的通知\n"
        "一、充分认识复制推广工作的重要意义\n"
        "各地要把复制推广典型经验做法作为优化营商环境的重要抓手。\n"
        "二、认真抓好复制推广工作\n"
        "各地要结合实际制定复制推广工作方案，明确责任单位和完成时限。\n"
        "附件\n"
        "第一批优化营商环境典型经验做法\n"
        "1．西安市推行企业开办全程网办\n"
        "2．汉中市打造“汉中通”一站式办事平台\n"
        "3．宝鸡市推进不动产登记“一窗办理”\n"
    )
    assert [(i.number, i.city) for i in doc.items] == [(1, "西安市"), (2, "汉中市"), (3, "宝鸡市")]
    assert doc.title == "第一批优化营商环境典型经验做法"
    assert "二、认真抓好复制推广工作" in doc.lead


def test_items_numbered_with_circled_numbers():
    doc = read(
        "2023年第二批优化营商环境典型经验做法清单\n"
        "①西安市推行“标准地+承诺制”改革\n"
        "②延安市推行“拿地即开工”审批模式\n"
        "③安康市推行“开办企业”标准化服务\n"
    )
    assert items_of(doc) == [
        (1, "西安市", "西安市推行“标准地+承诺制”改革"),
        (2, "延安市", "延安市推行“拿地即开工”审批模式"),
        (3, "安康市", "安康市推行“开办企业”标准化服务"),
    ]


def test_items_numbered_with_a_full_width_stop():
    doc = read(
        "陕西省2023年第一批优化营商环境典型经验做法（共3项）\n"
        "1．西安市推行税费业务“全程网办”。西安市主要涉税事项实现网上办理，网办率达到98．5%。\n"
        "2．铜川市打造纳税服务“样板间”。铜川市在办税服务厅设立体验区。\n"
        "3．宝鸡市推行“交地即交证”。宝鸡市在土地交付时同步颁发不动产权证书。\n"
    )
    assert [(i.number, i.city, i.paragraphs[0][:3]) for i in doc.items] == [
        (1, "西安市", "西安市"),
        (2, "铜川市", "铜川市"),
        (3, "宝鸡市", "宝鸡市"),
    ]
    assert doc.warnings == [] and doc.declared_total == 3


def test_items_numbered_by_a_number_and_a_space():
    doc = read(
        "2023年第一批优化营商环境典型经验做法\n"
        "2 月份以来，各地围绕企业全生命周期推出了一批改革举措，现择优推出3项。\n"
        "1 西安市推行企业开办全程网办\n"
        "2\u3000汉中市打造“汉中通”一站式办事平台\n"
        "3 宝鸡市推进不动产登记“一窗办理”\n"
    )
    assert items_of(doc) == [
        (1, "西安市", "西安市推行企业开办全程网办"),
        (2, "汉中市", "汉中市打造“汉中通”一站式办事平台"),
        (3, "宝鸡市", "宝鸡市推进不动产登记“一窗办理”"),
    ]
    assert doc.lead[0].startswith("2 月份以来") and doc.declared_total == 3


# ---------------------------------------------------------------------------------------------------------------
# Titles wrapped over two lines


def test_a_title_only_list_joins_a_title_wrapped_over_two_lines():
    doc = read(
        "陕西省2022年第二批优化营商环境典型经验做法\n"
        "1.西安市常态化开展“一把手走流程、坐窗口、跟执法、处投诉”活动\n"
        "着力提升企业群众满意度和获得感\n"
        "2.安康市12345热线“四个一”助推营商环境优化提升\n"
        "3.渭南市探索推行企业开办“一表申报、\n"
        "一窗出件”新模式\n"
    )
    assert [(i.title, i.paragraphs) for i in doc.items] == [
        ("西安市常态化开展“一把手走流程、坐窗口、跟执法、处投诉”活动着力提升企业群众满意度和获得感", []),
        ("安康市12345热线“四个一”助推营商环境优化提升", []),
        ("渭南市探索推行企业开办“一表申报、一窗出件”新模式", []),
    ]
    assert all(i.warnings == [] for i in doc.items) and doc.warnings == []
    assert doc.items[0].original_lines[1] == "着力提升企业群众满意度和获得感"


def test_a_title_sentence_finished_on_the_next_line_is_joined_and_the_body_follows():
    doc = read(
        "1、西安市常态化开展“一把手走流程、坐窗口、跟执法、处投诉”活动 着力提升企业\n"
        "群众满意度和获得感。\n"
        "西安市以企业群众满意度和获得感为检验标准，常态化组织各级负责同志深入一线体验办事流程。\n"
        "2、安康市12345热线“四个一”助推营商环境优化提升。\n"
        "安康12345热线坚持以人民为中心，打通便民利企的“最后一公里”。\n"
        "3、渭南市探索推行企业开办“一表申报、\n"
        "一窗出件”新模式。渭南市将“五险一金”办理纳入企业开办环节。\n"
    )
    first, _second, third = doc.items
    assert first.title == "西安市常态化开展“一把手走流程、坐窗口、跟执法、处投诉”活动 着力提升企业群众满意度和获得感"
    assert first.paragraphs[0].startswith("西安市以企业群众满意度")
    assert third.title == "渭南市探索推行企业开办“一表申报、一窗出件”新模式"
    assert third.paragraphs == ["渭南市将“五险一金”办理纳入企业开办环节。"]


def test_a_body_below_a_title_without_a_full_stop_is_not_joined():
    doc = read(
        "1、西安市推行企业开办“一日办结”\n"
        "西安市整合设立登记、公章刻制等环节，实现一日内领齐执照、印章和发票。\n"
        "2、咸阳市推行“证照联办”\n"
        "成效明显。咸阳市将营业执照与许可证同步办理。\n"
        "3、延安市推行“拿地即开工”审批模式\n"
        "主要做法：\n"
        "一是容缺受理。二是告知承诺。\n"
    )
    assert [i.title for i in doc.items] == [
        "西安市推行企业开办“一日办结”",
        "咸阳市推行“证照联办”",
        "延安市推行“拿地即开工”审批模式",
    ]
    assert doc.items[1].paragraphs == ["成效明显。咸阳市将营业执照与许可证同步办理。"]
    assert doc.items[2].paragraphs == ["主要做法：", "一是容缺受理。二是告知承诺。"]


def test_a_short_body_sentence_naming_its_city_is_not_joined_to_the_title():
    """Where titles mostly end with a full stop, a short sentence below a title without one may look like its end;
    one that starts by naming a city again is the body."""
    doc = read(
        "1、西安市推行企业开办“一网通办”。西安市实现企业开办全程网上办理。\n"
        "2、宝鸡市推行“一证办电”。宝鸡市居民用户凭身份证即可办理用电报装。\n"
        "3、汉中市推行“非接触式”办税缴费\n"
        "汉中市主要涉税事项实现全程网上办、掌上办。\n"
    )
    assert doc.items[2].title == "汉中市推行“非接触式”办税缴费"
    assert doc.items[2].paragraphs == ["汉中市主要涉税事项实现全程网上办、掌上办。"]


def test_a_line_below_a_title_only_item_that_is_not_followed_by_an_item_is_not_joined():
    doc = read(
        "1.西安市推行企业开办全程网办\n"
        "（西安市市场监管局）\n"
        "2.汉中市打造“汉中通”一站式办事平台\n"
        "汉中市整合全市政务服务事项\n"
        "上线“汉中通”移动端\n"
        "3.宝鸡市推进不动产登记“一窗办理”\n"
    )
    assert [i.title for i in doc.items] == [
        "西安市推行企业开办全程网办",
        "汉中市打造“汉中通”一站式办事平台",
        "宝鸡市推进不动产登记“一窗办理”",
    ]
    assert doc.items[0].paragraphs == ["（西安市市场监管局）"]
    assert doc.items[1].paragraphs == ["汉中市整合全市政务服务事项", "上线“汉中通”移动端"]


# ---------------------------------------------------------------------------------------------------------------
# Tables, flattened to text: a cell a line, the header row first


@pytest.fixture(scope="module")
def ndrc_table():
    return read((BULLETINS / "ndrc-table-flattened.txt").read_text(encoding="utf-8"))


def test_a_flattened_table_gives_title_content_department_and_scope(ndrc_table):
    assert [i.number for i in ndrc_table.items] == list(range(1, 9))
    first = ndrc_table.items[0]
    assert first.title == "企业开办“一网通办”"
    assert len(first.paragraphs) == 2 and first.paragraphs[1].startswith("线下设立企业开办综合窗口")
    assert first.department == "市场监管总局、公安部、税务总局、人力资源社会保障部、住房城乡建设部"
    assert [i.scope for i in ndrc_table.items] == ["全国"] * 2 + ["自由贸易试验区"] + ["全国"] * 4 + ["各地参考借鉴"]
    assert [i.entry_scope for i in ndrc_table.items] == ["replicate"] * 2 + [None] + ["replicate"] * 4 + ["reference"]
    assert first.original_lines[0] == "1" and first.original_lines[-1] == "全国"


def test_a_flattened_tables_group_rows_are_headings_and_its_header_is_no_text(ndrc_table):
    assert codes(ndrc_table.warnings) == ["unknown_indicator"] * 3
    assert [w.line for w in ndrc_table.warnings] == [16, 33, 50]
    assert ndrc_table.title == "优化营商环境典型经验做法清单"
    assert ndrc_table.declared_total == 8
    assert not any(word in paragraph for word in ("序号", "指导部门") for paragraph in ndrc_table.lead)
    assert all(codes(item.warnings) == ["unknown_city"] for item in ndrc_table.items)


def test_a_table_header_on_one_line_gives_the_column_order_and_an_empty_cell_is_said():
    doc = read(
        "2023年陕西省优化营商环境改革创新案例清单\n"
        "序号\t地区\t改革举措\t主要内容\t推广范围\n"
        "1\n西安市\n“秦务员”平台政务服务一网通办\n依托“秦务员”平台整合全市政务服务事项，实现一网通办。\n全省\n"
        "2\n汉中市\n外贸企业“5+X”服务机制\n组建服务外贸企业工作专班。\n建立“一企一策”帮扶台账。\n"
        "3\n杨凌示范区\n农业经营主体“信用+信贷”\n以农业经营主体信用评价为基础发放信用贷款。\n参考借鉴\n"
    )
    assert [(i.number, i.region_text, i.city, i.title, len(i.paragraphs), i.scope) for i in doc.items] == [
        (1, "西安市", None, "“秦务员”平台政务服务一网通办", 1, "全省"),
        (2, "汉中市", None, "外贸企业“5+X”服务机制", 2, ""),
        (3, "杨凌示范区", None, "农业经营主体“信用+信贷”", 1, "参考借鉴"),
    ]
    assert "missing_cell" in codes(doc.items[1].warnings)
    assert "推广范围" in next(n.message for n in doc.items[1].warnings if n.code == "missing_cell")


def test_table_rows_copied_from_a_spreadsheet_are_read_cell_by_cell():
    doc = read(
        "序号    改革举措    主要内容    指导部门    推广范围\n"
        "1\t企业开办“一网通办”\t将设立登记等事项纳入“一网通办”。\t市场监管总局\t全国\n"
        "2\t“一业一证”改革\t\t国务院办公厅\t自由贸易试验区\n"
    )
    assert [(i.title, i.paragraphs, i.department, i.scope) for i in doc.items] == [
        ("企业开办“一网通办”", ["将设立登记等事项纳入“一网通办”。"], "市场监管总局", "全国"),
        ("“一业一证”改革", [], "国务院办公厅", "自由贸易试验区"),
    ]
    assert "missing_cell" in codes(doc.items[1].warnings)


def test_a_table_header_without_a_title_column_is_refused_naming_the_line():
    with pytest.raises(BulletinError, match=r"第2行.*标题"):
        read("清单\n序号 主要内容 指导部门 推广范围\n1\n将设立登记等事项纳入“一网通办”。\n市场监管总局\n全国\n")


def test_labelled_lines_within_items_fill_department_scope_and_region():
    doc = read(
        "1、西安市推行“交房即交证”改革\n"
        "地区：西安市\n"
        "西安市在交房现场同步发放不动产权证书，实现“拿钥匙即拿证”。\n"
        "指导部门：省自然资源厅、省住房城乡建设厅\n"
        "推广范围：全省复制推广\n"
        "2、咸阳市打造“15分钟政务服务圈”\n"
        "所在地区：咸阳市\n"
        "咸阳市将高频事项下沉至镇街便民服务中心。\n"
        "推广范围：参考借鉴。\n"
    )
    first, second = doc.items
    assert (first.title, first.paragraphs) == (
        "西安市推行“交房即交证”改革",
        ["西安市在交房现场同步发放不动产权证书，实现“拿钥匙即拿证”。"],
    )
    assert (first.region_text, first.department, first.scope, first.entry_scope) == (
        "西安市",
        "省自然资源厅、省住房城乡建设厅",
        "全省复制推广",
        "replicate",
    )
    assert (second.region_text, second.department, second.scope, second.entry_scope) == (
        "咸阳市",
        "",
        "参考借鉴",
        "reference",
    )
    assert second.paragraphs == ["咸阳市将高频事项下沉至镇街便民服务中心。"]
    assert len(second.original_lines) == 4


def test_an_items_dict_carries_department_scope_and_region():
    item = read("1、西安市推行一网通办。正文。\n推广范围：全省\n").items[0]
    assert {key: item.as_dict()[key] for key in ("department", "scope", "region_text")} == {
        "department": "",
        "scope": "全省",
        "region_text": "",
    }


@pytest.mark.parametrize(
    "text, scope",
    [
        ("全国", "replicate"),
        ("全省", "replicate"),
        ("全省复制推广", "replicate"),
        ("在全省范围内复制推广", "replicate"),
        ("全国（自由贸易试验区除外）", "replicate"),
        ("参考借鉴", "reference"),
        ("供各地学习借鉴", "reference"),
        ("全省参考借鉴", "reference"),
        ("自由贸易试验区", None),
        ("有条件的地区", None),
        ("复制推广和学习借鉴", None),
        ("", None),
    ],
)
def test_the_scope_a_table_names_maps_to_the_entry_scope_where_it_says_one(text, scope):
    assert scope_of(text) == scope


# ---------------------------------------------------------------------------------------------------------------
# Abridged texts and declared counts


def without_rows(text: str, *numbers: int) -> str:
    """The flattened table with some rows left out, as a web page that abridges it publishes it."""
    lines, kept, skipping = text.splitlines(), [], False
    for line in lines:
        if line.isdigit():
            skipping = int(line) in numbers
        elif line.startswith(("一、", "二、", "三、")):
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


def test_an_abridged_table_says_so_and_every_count_names_its_line():
    text = (BULLETINS / "ndrc-table-flattened.txt").read_text(encoding="utf-8")
    text = without_rows(text, 2, 6).replace(
        "优化营商环境典型经验做法清单\n序号", "优化营商环境典型经验做法清单\n（本文有删减）\n序号"
    )
    doc = read(text)
    assert [i.number for i in doc.items] == [1, 3, 4, 5, 7, 8]
    notes = {note.code: note for note in doc.warnings if note.code != "unknown_indicator"}
    assert notes["abridged"].line == text.splitlines().index("（本文有删减）") + 1
    assert "有删减" in notes["abridged"].message
    assert notes["count_mismatch"].line == 4 and "8" in notes["count_mismatch"].message
    mismatched = [note for note in doc.warnings if note.code == "section_count_mismatch"]
    assert [note.line for note in mismatched] == [17, 29]
    assert "优化市场准入方面" in mismatched[0].message and "共 3 项" in mismatched[0].message
    assert not any("删减" in paragraph for paragraph in doc.lead)


def test_an_abridgement_said_within_a_sentence_is_noted_and_the_sentence_kept():
    doc = read(
        "近日，省营商办推出了第一批3项典型经验做法，全文如下（有删节）：\n"
        "1、西安市推行一网通办。正文。\n2、汉中市推行一日办结。正文。\n"
    )
    assert codes(doc.warnings) == ["abridged", "count_mismatch"]
    assert [note.line for note in doc.warnings] == [1, 1]
    assert doc.lead == ["近日，省营商办推出了第一批3项典型经验做法，全文如下（有删节）："]


def test_an_abridgement_at_the_end_is_not_part_of_the_last_item():
    doc = read("1、西安市推行一网通办。正文。\n2、汉中市推行一日办结。正文。\n（本文有删减）\n")
    assert doc.items[-1].paragraphs == ["正文。"]
    assert codes(doc.warnings) == ["abridged"] and doc.warnings[0].line == 3


# ---------------------------------------------------------------------------------------------------------------
# What a notice says of itself: issuer, number, dates, attachment


@pytest.fixture(scope="module")
def state_council():
    return read((BULLETINS / "state-council-2018-commendation.txt").read_text(encoding="utf-8"))


def test_a_state_council_commendation_gives_its_130_title_only_items_in_order(state_council):
    doc = state_council
    assert [i.number for i in doc.items] == list(range(1, 131))
    assert doc.declared_total == 130 and doc.announced_total == 130
    assert doc.items[0].title == "北京市大力推进“放管服”改革，企业开办时间压缩至5个工作日以内"
    assert doc.items[58].title == "山东省日照市推行“一枚印章管审批”，实现审批服务“一窗受理、一次办好”"
    assert doc.items[-1].title == "新疆生产建设兵团第一师阿拉尔市推进纺织服装产业发展"
    assert all(i.paragraphs == [] for i in doc.items)
    # Every item has its place: the province's own cities, and every other region by its code.
    assert [i.city for i in doc.items if i.city and not i.region_code] == ["西安市", "杨凌示范区", "宝鸡市", "榆林市"]
    assert all(i.city and (i.region_code or i.city.endswith(("市", "示范区"))) for i in doc.items)
    assert [(i.city, i.region_code) for i in doc.items[58::71]] == [("日照市", "371100"), ("阿拉尔市", "659002")]
    assert [note for i in doc.items for note in i.warnings] == []
    assert doc.warnings == []


def test_a_state_council_notices_metadata_is_recorded_and_left_out_of_the_lead(state_council):
    doc = state_council
    assert (doc.issuer, doc.document_number) == ("国务院办公厅", "国办发〔2018〕108号")
    assert (doc.date_signed, doc.date_published, doc.date) == (datetime.date(2018, 12, 20), None, doc.date_signed)
    assert doc.attachment_title == doc.title == "国务院第五次大督查发现的典型经验做法"
    lead = "\n".join(doc.lead)
    for metadata in ("国务院办公厅文件", "国办发", "2018年12月20日", "此件公开发布", "附件"):
        assert metadata not in lead
    assert doc.lead[1] == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构："
    assert doc.lead[-1].startswith("希望受到表扬的地方再接再厉")


def test_a_web_pages_source_date_number_signature_and_attachment():
    doc = read((BULLETINS / "shaanxi-2023-1-web-page.txt").read_text(encoding="utf-8"))
    assert [(i.number, i.city) for i in doc.items] == [(1, "西安市"), (2, "咸阳市"), (3, "榆林市")]
    assert doc.issuer == "陕西省优化提升营商环境工作领导小组办公室"
    assert doc.document_number == "陕营商办发〔2023〕5号"
    assert (doc.date_signed, doc.date_published) == (datetime.date(2023, 5, 10), datetime.date(2023, 5, 12))
    assert doc.date == datetime.date(2023, 5, 10)
    assert doc.attachment_title == doc.title == "2023年第一批优化营商环境典型经验做法"
    assert len(doc.lead) == 3 and doc.lead[-1].startswith("为深入贯彻落实")
    assert not any(word in "".join(doc.lead) for word in ("来源", "浏览次数", "字体", "〔2023〕", "［2023］"))
    assert doc.warnings == []


def test_a_policy_librarys_labelled_record_gives_the_metadata():
    doc = read(
        "标　　题：国务院办公厅关于对国务院第五次大督查发现的典型经验做法给予表扬的通报\n"
        "发文机关：国务院办公厅\n"
        "发文字号：国办发[2018]108号\n"
        "来　　源：国务院办公厅\n"
        "主题分类：综合政务\\督查\n"
        "公文种类：通报\n"
        "成文日期：2018年12月20日\n"
        "发布日期：2018年12月29日\n"
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n"
        "此次通报表扬的典型经验做法共2项。\n"
        "1．北京市大力推进“放管服”改革\n"
        "2．陕西省西安市推行“一业一证”改革\n"
    )
    assert doc.title == "国务院办公厅关于对国务院第五次大督查发现的典型经验做法给予表扬的通报"
    assert (doc.issuer, doc.document_number) == ("国务院办公厅", "国办发〔2018〕108号")
    assert (doc.date_signed, doc.date_published) == (datetime.date(2018, 12, 20), datetime.date(2018, 12, 29))
    assert doc.lead == ["各省、自治区、直辖市人民政府，国务院各部委、各直属机构：", "此次通报表扬的典型经验做法共2项。"]


@pytest.mark.parametrize(
    "written",
    ["国办发〔2018〕108号", "国办发[2018]108号", "国办发［2018］108号", "国办发【2018】108号", "国办发(2018)108号"],
)
def test_a_document_numbers_brackets_are_normalised(written):
    doc = read(f"国务院办公厅关于推广典型经验做法的通知\n{written}\n1．北京市大力推进“放管服”改革\n")
    assert doc.document_number == "国办发〔2018〕108号"
    assert doc.title == "国务院办公厅关于推广典型经验做法的通知" and doc.lead == []


def test_a_header_line_names_the_issuer_unless_a_signature_does():
    headed = read(
        "国务院办公厅文件\n国办发〔2018〕108号\n国务院办公厅关于推广典型经验做法的通知\n1．北京市推行一网通办\n"
    )
    assert (headed.issuer, headed.title, headed.lead) == ("国务院办公厅", "国务院办公厅关于推广典型经验做法的通知", [])
    signed = read("国务院办公厅文件\n1、西安市推行一网通办。正文。\n国务院办公厅秘书局\n2018年12月20日\n")
    assert signed.issuer == "国务院办公厅秘书局"


def test_a_joint_signature_at_the_end_names_every_issuer_and_its_date():
    doc = read("1、西安市推行一网通办。正文。\n国家发展改革委\n市场监管总局\n2023年6月12日\n（此件公开发布）\n")
    assert doc.issuer == "国家发展改革委、市场监管总局"
    assert (doc.date_signed, doc.date) == (datetime.date(2023, 6, 12), datetime.date(2023, 6, 12))
    assert doc.items[0].paragraphs == ["正文。"]
    assert codes(doc.warnings) == ["closing_text"] * 4


def test_a_source_line_with_a_time_dates_the_publication():
    doc = read(
        "2023年第一批优化营商环境典型经验做法\n"
        "来源：陕西省发展和改革委员会 时间：2023-05-12\n"
        "1、西安市推行一网通办。正文。\n"
    )
    assert (doc.date_published, doc.date_signed, doc.date) == (datetime.date(2023, 5, 12), None, doc.date_published)
    assert doc.lead == [] and doc.title == "2023年第一批优化营商环境典型经验做法"


def test_a_numbered_attachment_line_gives_the_attachment_title():
    doc = read(
        "关于推广第一批典型经验做法的通知\n"
        "现将第一批典型经验做法印发给你们。\n"
        "附件1：陕西省第一批优化营商环境典型经验做法\n"
        "陕西省第一批优化营商环境典型经验做法\n"
        "1、西安市推行一网通办。正文。\n"
    )
    assert doc.attachment_title == doc.title == "陕西省第一批优化营商环境典型经验做法"
    assert doc.lead == ["关于推广第一批典型经验做法的通知", "现将第一批典型经验做法印发给你们。"]


def test_a_document_number_written_after_the_title_is_no_part_of_it():
    doc = read("国务院办公厅关于推广典型经验做法的通知（国办发〔2018〕108号）\n1．北京市推行一网通办\n")
    assert (doc.title, doc.document_number) == ("国务院办公厅关于推广典型经验做法的通知", "国办发〔2018〕108号")


def test_a_document_number_cited_in_the_lead_is_not_the_documents():
    doc = read(
        "关于推广典型经验做法的通知\n"
        "根据《国务院办公厅关于进一步优化营商环境的意见》（国办发〔2019〕39号）要求，推出了1项。\n"
        "1、西安市推行一网通办。正文。\n"
    )
    assert doc.document_number == "" and "国办发〔2019〕39号" in doc.lead[0]
