"""An announcement's items from anywhere in China: each read with its region (the parser, no database), and written
under it (the importer), the province's own cities first."""

import json

import pytest

from adoptions.models import Adoption
from batches.bulletin import BulletinError, decode, parse
from batches.importing import import_bulletin
from bizenv.fixtures import ensure_fixture
from practices.enums import CityKind
from practices.models import City
from practices.text import Known
from tests.batches.test_bulletin import BULLETINS, FIXTURES, SEED, SEED_CITIES, codes

NATIONAL = BULLETINS / "national-regions.txt"

# Each item of the national notice: the name it is listed under and its code.
NATIONAL_REGIONS = [
    ("北京市", "110000"),  # a province-level municipality
    ("滨海新区", "120116"),  # a national new area that is a district
    ("雄安新区", "133100"),
    ("太原市", "140100"),
    ("鄂尔多斯市", "150600"),
    ("金普新区", "219901"),  # a national new area inside a city
    ("长春市", "220100"),
    ("哈尔滨新区", "239901"),
    ("浦东新区", "310115"),
    ("临港新片区", "319902"),  # a free-trade zone's 片区
    ("苏州市", "320500"),  # 苏州工业园区, a zone the list does not have: its city
    ("江北新区", "329901"),
    ("余杭区", "330110"),  # a county along its chain
    ("舟山群岛新区", "339901"),
    ("合肥市", "340100"),
    ("厦门市", "350200"),
    ("赣江新区", "369901"),
    ("日照市", "371100"),
    ("西海岸新区", "379901"),
    ("郑州市", "410100"),
    ("武汉东湖新技术开发区", "429905"),  # a national high-tech zone
    ("湘江新区", "439901"),
    ("深圳市", "440300"),
    ("深圳前海蛇口片区", "449904"),
    ("南沙新区", "449901"),
    ("南宁市", "450100"),
    ("海南省", "460000"),
    ("两江新区", "500157"),
    ("天府新区", "519901"),
    ("贵安新区", "529901"),
    ("滇中新区", "539901"),
    ("拉萨市", "540100"),
    ("西安市", "610100"),  # the province's own city
    ("渭南市", "610500"),  # 陕西省富平县: the province's own city it lies in
    ("兰州新区", "629901"),
    ("西宁市", "630100"),
    ("银川市", "640100"),
    ("乌鲁木齐市", "650100"),
    ("石河子市", "659001"),  # 新疆生产建设兵团第八师
    ("北京市朝阳区", "110105"),  # a name another place has too, said with its parent
]
OWN = {"西安市", "渭南市"}


def known(name):
    rows = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return [
        Known(row["fields"]["name"], (row["fields"]["short_name"], *row["fields"]["aliases"]), row["fields"]["code"])
        for row in rows
    ]


def read(text: str):
    return parse(text, cities=known("cities"), indicators=[])


def test_every_item_of_a_national_notice_has_its_region():
    doc = read(NATIONAL.read_text(encoding="utf-8"))
    assert [(item.city, item.region_code) for item in doc.items] == NATIONAL_REGIONS
    assert [codes(item.warnings) for item in doc.items] == [[]] * len(NATIONAL_REGIONS)
    assert doc.items[17].as_dict()["region"] == {"name": "日照市", "code": "371100"}


def test_the_seed_still_reads_its_cities_as_the_provinces_own():
    text, _encoding = decode(SEED.read_bytes())
    doc = read(text)
    names = {row.name: row.code for row in known("cities")}
    assert [item.city for item in doc.items if item.city in names] == [item.city for item in doc.items]
    assert len(doc.items) == len(SEED_CITIES.split())
    assert all(item.region_code == names[item.city] for item in doc.items)


@pytest.mark.parametrize(
    "title, city, code",
    [
        ("北京市大力推进“一业一证”改革", "北京市", "110000"),
        ("山东省日照市推行“一窗受理”", "日照市", "371100"),
        ("山东日照推行“一窗受理”", "日照市", "371100"),
        ("浙江省杭州市余杭区深化“最多跑一次”", "余杭区", "330110"),
        ("新疆生产建设兵团第八师石河子市推行“师市合一”", "石河子市", "659001"),
        ("新疆生产建设兵团第十一师推行“一网通办”", "第十一师", "659902"),
        ("上海浦东新区实施“一业一证”", "浦东新区", "310115"),
        ("重庆两江新区推行“一网通”", "两江新区", "500157"),
        ("中国（广东）自由贸易试验区深圳前海蛇口片区推行“注册易”", "深圳前海蛇口片区", "449904"),
        ("湖北省襄樊市推行“一窗通办”", "襄阳市", "420600"),  # the name it had until 2010
        ("江苏省苏州工业园区探索“信用+承诺”", "苏州市", "320500"),
        ("陕西省杨陵区推行“一网通办”", "杨凌示范区", "610403"),  # the province's own, by its code
    ],
)
def test_each_kind_of_region(title, city, code):
    (item,) = read(f"1、{title}。正文。\n").items
    assert (item.city, item.region_code, codes(item.warnings)) == (city, code, [])


def test_the_provinces_own_cities_come_first():
    doc = read("1、西安市推行一网通办。正文。\n2、陕西省汉中市推行好差评。正文。\n3、陕西省富平县推行一枚印章。\n")
    assert [(item.city, item.region_code) for item in doc.items] == [
        ("西安市", "610100"),
        ("汉中市", "610700"),
        ("渭南市", "610500"),
    ]


def test_a_name_several_places_share_is_a_warning_not_a_guess():
    (item,) = read("1、朝阳区推行“接诉即办”。正文。\n").items
    assert (item.city, item.region_code, codes(item.warnings)) == (None, "", ["ambiguous_region"])
    assert "北京市朝阳区、吉林省长春市朝阳区" in item.warnings[0].message
    assert item.as_dict()["region"] is None
    (item,) = read("1、河北省桥西区推行“一网通办”。正文。\n").items  # under its province: the province, and a warning
    assert (item.city, item.region_code, codes(item.warnings)) == ("河北省", "130000", ["ambiguous_region"])
    assert "已暂归入“河北省”" in item.warnings[0].message


# ---------------------------------------------------------------------------------------------------------------
# The importer


@pytest.fixture
def reference_data(db):
    for name in ("cities", "indicators"):
        ensure_fixture(name)


def test_a_national_notice_is_written_under_its_regions_which_owe_nothing(reference_data):
    result = import_bulletin(data=NATIONAL.read_bytes(), year=2024, sequence=3, dry_run=False, publish=True)
    entries = list(result.batch.entries.select_related("practice__city").order_by("number"))
    assert [(entry.city_name, entry.practice.city.code) for entry in entries] == NATIONAL_REGIONS
    assert [entry.practice.city.name for entry in entries] == [name for name, _code in NATIONAL_REGIONS]
    for entry in entries:
        city = entry.practice.city
        assert city.is_outside == (city.name not in OWN) and city.active == (city.name in OWN), city
    outside = City.objects.filter(kind=CityKind.OUTSIDE)
    assert outside.count() == len(NATIONAL_REGIONS) - len(OWN) and not outside.filter(active=True).exists()
    # 复制推广: every active city of the province owes every entry but its own; no region outside it owes anything.
    assert not Adoption.objects.filter(city__kind=CityKind.OUTSIDE).exists()
    assert Adoption.objects.filter(city__name="汉中市").count() == len(entries)
    assert Adoption.objects.filter(city__name="西安市").count() == len(entries) - 1


def test_the_state_councils_130_item_commendation_is_written_whole(reference_data):
    data = (BULLETINS / "state-council-2018-commendation.txt").read_bytes()
    batch = import_bulletin(data=data, year=2018, sequence=1, dry_run=False, publish=True).batch
    cities = [entry.practice.city for entry in batch.entries.select_related("practice__city").order_by("number")]
    assert [city.name for city in cities if not city.is_outside] == ["西安市", "杨凌示范区", "宝鸡市", "榆林市"]
    assert (cities[0].code, cities[58].code, cities[-1].code) == ("110000", "371100", "659002")
    assert not Adoption.objects.filter(city__kind=CityKind.OUTSIDE).exists()


def test_a_region_named_again_is_the_same_city(reference_data):
    import_bulletin(data=NATIONAL.read_bytes(), year=2024, sequence=3, dry_run=False, publish=True)
    before = list(City.objects.order_by("pk").values_list("pk", "code", "name"))
    import_bulletin(data=NATIONAL.read_bytes(), year=2024, sequence=3, dry_run=False, publish=True, replace=True)
    again = "1、山东省日照市推行“一窗受理、集成服务”。正文。\n".encode()
    batch = import_bulletin(data=again, year=2024, sequence=4, dry_run=False, publish=True).batch
    assert list(City.objects.order_by("pk").values_list("pk", "code", "name")) == before
    assert batch.entries.get().practice.city == City.objects.get(code="371100")


def test_an_item_naming_no_place_for_certain_is_not_written(reference_data):
    text = "1、北京市推行“一业一证”。正文。\n2、朝阳区推行“接诉即办”。正文。\n".encode()
    dry = import_bulletin(data=text, year=2024, sequence=5, dry_run=True)
    assert [item.city for item in dry.bulletin.items] == ["北京市", None]
    with pytest.raises(BulletinError, match="第2行：第2项“朝阳区推行“接诉即办””未能识别城市"):
        import_bulletin(data=text, year=2024, sequence=5, dry_run=False)
    assert not City.objects.filter(kind=CityKind.OUTSIDE).exists()
