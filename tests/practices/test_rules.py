"""practices/rules.py, role × state: every permission asked of every role for a practice in every status."""

import pytest

from practices.enums import Role, Status
from tests.factories import CityFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

PERMISSIONS = ["view_city_practice", "change_practice", "submit_practice", "withdraw_practice"]
# Written out from DESIGN.md's workflow, not taken from the code's own sets.
THE_CITYS = {Status.DRAFT, Status.REVISION_REQUESTED}
TAKEN_BACK_BEFORE_A_DECISION = {Status.DRAFT, Status.SUBMITTED, Status.REVISION_REQUESTED}


@pytest.fixture
def cities():
    return CityFactory(name="西安市", code="610100"), CityFactory(name="汉中市", code="610700")


@pytest.fixture
def people(cities):
    xian, hanzhong = cities
    return {
        "own city official": UserFactory(role=Role.CITY_OFFICIAL, city=xian),
        "other city official": UserFactory(role=Role.CITY_OFFICIAL, city=hanzhong),
        "city official without a city": UserFactory(role=Role.CITY_OFFICIAL),
        "reviewer of the city": UserFactory(role=Role.REVIEWER, city=xian),
        "reviewer": UserFactory(role=Role.REVIEWER),
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "nobody": UserFactory(),
    }


def allowed(permission: str, who: str, status: Status) -> bool:
    """DESIGN.md's rule: a city's officials read their city's practices in every state, change and submit them
    while the city holds them, and withdraw them until the province decides."""
    if who != "own city official":
        return False
    return {
        "view_city_practice": True,
        "change_practice": status in THE_CITYS,
        "submit_practice": status in THE_CITYS,
        "withdraw_practice": status in TAKEN_BACK_BEFORE_A_DECISION,
    }[permission]


@pytest.mark.parametrize("status", list(Status))
def test_each_role_may_do_exactly_what_its_role_allows_in_each_state(cities, people, status):
    practice = PracticeFactory(city=cities[0], status=status)
    for who, user in people.items():
        for permission in PERMISSIONS:
            assert user.has_perm(f"practices.{permission}", practice) == allowed(permission, who, status), (
                who,
                permission,
            )


def test_who_may_write_and_import_practices(people):
    writers = {"own city official", "other city official"}
    importers = writers | {"coordinator"}
    for who, user in people.items():
        assert user.has_perm("practices.add_practice") == (who in writers), who
        assert user.has_perm("practices.import_practices") == (who in importers), who
