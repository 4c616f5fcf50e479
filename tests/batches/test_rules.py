"""batches/rules.py, by role: only the coordinator composes and publishes batches."""

import pytest

from practices.enums import Role
from tests.factories import CityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.CITY_OFFICIAL, Role.REVIEWER, Role.COORDINATOR, None])
def test_only_the_coordinator_manages_batches(role):
    user = UserFactory(role=role, city=CityFactory() if role == Role.CITY_OFFICIAL else None)
    assert user.has_perm("batches.manage") == (role == Role.COORDINATOR)
