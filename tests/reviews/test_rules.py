"""reviews/rules.py, role × state: what each role may do with a practice in each status, recusal included."""

import pytest

from practices.enums import Role, Source, Status
from tests.factories import CityFactory, PracticeFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

# Every status the province has seen: a draft is the city's own, and so is one withdrawn before it was submitted.
PROVINCE_STATUSES = set(Status) - {Status.DRAFT, Status.WITHDRAWN}


@pytest.fixture
def people():
    xian = CityFactory(name="西安市", code="610100")
    return {
        "city official": UserFactory(role=Role.CITY_OFFICIAL, city=xian),
        "assigned reviewer": UserFactory(role=Role.REVIEWER),
        "other reviewer": UserFactory(role=Role.REVIEWER),
        "reviewer of the city": UserFactory(role=Role.REVIEWER, city=xian),
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "nobody": UserFactory(),
    }, xian


def expected(permission: str, who: str, status: Status) -> bool:
    reviewer = who in {"assigned reviewer", "other reviewer"}  # never the city's own
    return {
        "view_practice": status in PROVINCE_STATUSES and (who == "coordinator" or reviewer),
        "score": who == "assigned reviewer" and status == Status.IN_REVIEW,
        "decide": who == "coordinator" and status == Status.IN_REVIEW,
    }[permission]


@pytest.mark.parametrize("status", list(Status))
def test_each_role_may_do_exactly_what_its_role_allows_in_each_state(people, status):
    users, xian = people
    practice = PracticeFactory(city=xian, status=status)
    ReviewFactory(practice=practice, round=practice.round, reviewer=users["assigned reviewer"])
    # Assigned all the same (as a stale assignment would be): recusal still forbids scoring.
    ReviewFactory(practice=practice, round=practice.round, reviewer=users["reviewer of the city"])
    for who, user in users.items():
        for permission in ["view_practice", "score", "decide"]:
            assert user.has_perm(f"reviews.{permission}", practice) == expected(permission, who, status), (
                who,
                permission,
            )


def test_the_queue_assignments_and_criteria_by_role(people):
    users, _xian = people
    for who, user in users.items():
        province = who in {"assigned reviewer", "other reviewer", "reviewer of the city", "coordinator"}
        assert user.has_perm("reviews.view_queue") == province, who
        assert user.has_perm("reviews.assign") == (who == "coordinator"), who
        assert user.has_perm("reviews.manage_criteria") == (who == "coordinator"), who


def test_a_withdrawn_practice_stays_the_provinces_once_it_reached_the_province(people):
    """Withdrawn after an import (never a portal draft) or after a submission: the province still sees it."""
    users, xian = people
    imported = PracticeFactory(city=xian, status=Status.WITHDRAWN, source=Source.IMPORT)
    never_submitted = PracticeFactory(city=xian, status=Status.WITHDRAWN)
    assert users["coordinator"].has_perm("reviews.view_practice", imported)
    assert not users["coordinator"].has_perm("reviews.view_practice", never_submitted)
