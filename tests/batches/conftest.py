"""What the batches tests share: a coordinator, and a pool of approved practices."""

import pytest

from practices.enums import Role, Status
from tests.factories import CityFactory, IndicatorFactory, PracticeFactory, UserFactory


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coordinator", role=Role.COORDINATOR)


@pytest.fixture
def pool(db):
    """Approved practices over two indicators and three cities, listed in no particular order."""
    tax = IndicatorFactory(name="纳税", order=130)
    start = IndicatorFactory(name="开办企业", order=10)
    xian = CityFactory(code="610100", name="西安市", short_name="西安", order=10)
    hanzhong = CityFactory(code="610700", name="汉中市", short_name="汉中", order=70)
    ankang = CityFactory(code="610900", name="安康市", short_name="安康", order=90)
    rows = [(tax, xian), (start, hanzhong), (tax, ankang), (start, xian), (start, xian)]
    return [PracticeFactory(indicator=i, city=c, status=Status.APPROVED) for i, c in rows]
