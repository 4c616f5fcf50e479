"""The cities that stand for regions outside the province (practices.services.outside_city)."""

import pytest

from bizenv.fixtures import ensure_fixture
from practices import regions
from practices.enums import CityKind
from practices.models import City
from practices.services import OUTSIDE_ORDER, outside_city

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cities(db):
    ensure_fixture("cities")


def test_a_region_becomes_an_inactive_outside_city_after_the_provinces_own():
    city = outside_city(regions.get("371100"))
    assert (city.code, city.name, city.short_name, city.kind) == ("371100", "日照市", "日照", CityKind.OUTSIDE)
    assert not city.active and city.is_outside and "山东省日照市" in city.aliases
    own_last = City.objects.exclude(kind=CityKind.OUTSIDE).order_by("-order").first()
    assert city.order == OUTSIDE_ORDER > own_last.order
    assert list(City.objects.values_list("code", flat=True))[-1] == "371100"


def test_a_region_named_twice_is_one_city():
    first = outside_city(regions.get("330110"))
    assert outside_city(regions.get("330110")) == first
    assert City.objects.filter(code="330110").count() == 1


def test_a_name_several_places_share_says_which_it_is():
    assert outside_city(regions.get("110105")).name == "北京市朝阳区"
    assert outside_city(regions.get("220104")).name == "长春市朝阳区"
    assert outside_city(regions.get("320106")).name == "南京市鼓楼区"


def test_a_special_unit_keeps_its_own_name_and_code():
    city = outside_city(regions.get("449904"))
    assert (city.code, city.name) == ("449904", "深圳前海蛇口片区")
    assert "中国（广东）自由贸易试验区深圳前海蛇口片区" in city.aliases


def test_the_name_of_one_of_the_provinces_own_cities_is_not_taken():
    # 西咸新区 is one of the province's own (code 611100); the region of the list has a code of its own.
    city = outside_city(regions.get("619901"))
    assert city.name == "陕西省西咸新区" and City.objects.get(code="611100").kind == CityKind.ZONE


def test_a_code_the_province_already_has_is_its_own_city():
    assert outside_city(regions.get("610100")) == City.objects.get(name="西安市", kind=CityKind.PREFECTURE)
