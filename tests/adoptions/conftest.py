import pytest

from practices.enums import Role
from tests.factories import CityFactory, UserFactory


@pytest.fixture
def province():
    xian = CityFactory(code="610100", name="西安市", order=1)
    hanzhong = CityFactory(code="610700", name="汉中市", order=7)
    people = {
        "anonymous": None,
        "hanzhong": UserFactory(role=Role.CITY_OFFICIAL, city=hanzhong),
        "xian": UserFactory(role=Role.CITY_OFFICIAL, city=xian),
        "reviewer": UserFactory(role=Role.REVIEWER),
        "coordinator": UserFactory(role=Role.COORDINATOR),
    }
    return xian, hanzhong, people
