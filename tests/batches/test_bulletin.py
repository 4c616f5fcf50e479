"""The announcement parser on the seed and on documents of other layouts. No database needed."""

import datetime
import json

import pytest
from django.conf import settings

from batches.bulletin import BulletinError, chinese_number, decode, parse
from practices.text import Known

FIXTURES = settings.BASE_DIR / "fixtures"
SEED = FIXTURES / "seeds" / "shaanxi-2022-2.txt"


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


def test_word_files_are_refused_with_advice():
    with pytest.raises(BulletinError, match="另存为"):
        decode(b"PK\x03\x04" + b"\x00" * 20)


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
