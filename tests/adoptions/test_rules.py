"""adoptions/rules.py, role × row state: a city reports only its own rows, of published practices, not excused."""

import pytest
from django.utils import timezone

from adoptions.models import Adoption
from practices.enums import Role, Status
from tests.factories import CityFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    xian, hanzhong, ankang = (
        CityFactory(code=c, name=n) for c, n in [("610100", "西安市"), ("610700", "汉中市"), ("610900", "安康市")]
    )
    people = {
        "hanzhong official": UserFactory(role=Role.CITY_OFFICIAL, city=hanzhong),
        "ankang official": UserFactory(role=Role.CITY_OFFICIAL, city=ankang),
        "xian official": UserFactory(role=Role.CITY_OFFICIAL, city=xian),
        "reviewer": UserFactory(role=Role.REVIEWER),
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "nobody": UserFactory(),
    }
    return xian, hanzhong, people


def row(xian, hanzhong, state):
    """汉中's row of a 西安 practice, in one of the states a row can be in."""
    status = Status.APPROVED if state == "unpublished practice" else Status.PUBLISHED
    excused = {"excused_at": timezone.now(), "excuse": "无此业务"} if state == "excused" else {}
    return Adoption.objects.create(practice=PracticeFactory(city=xian, status=status), city=hanzhong, **excused)


@pytest.mark.parametrize("state", ["open", "excused", "unpublished practice"])
def test_only_the_rows_city_reports_and_only_an_open_row_of_a_published_practice(setting, state):
    xian, hanzhong, people = setting
    adoption = row(xian, hanzhong, state)
    for who, user in people.items():
        allowed = who == "hanzhong official" and state == "open"
        assert user.has_perm("adoptions.report", adoption) == allowed, (who, state)


def test_who_sees_the_ledger_the_matrix_and_manages(setting):
    _xian, _hanzhong, people = setting
    for who, user in people.items():
        assert user.has_perm("adoptions.view_ledger") == who.endswith("official"), who
        assert user.has_perm("adoptions.view_matrix") == (who in {"reviewer", "coordinator"}), who
        assert user.has_perm("adoptions.manage") == (who == "coordinator"), who
