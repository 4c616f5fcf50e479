"""The constraints of adoptions (复制推广): once per city and practice, 已落地 with a date and a result, 暂不适用 with
a reason, an excuse with its reason, never one's own city's practice."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption
from practices.enums import Status
from tests.factories import PracticeFactory
from tests.practices.test_models import assert_violates

pytestmark = pytest.mark.django_db


def test_adoption_once_per_city(hanzhong):
    practice = PracticeFactory(status=Status.PUBLISHED)
    Adoption.objects.create(practice=practice, city=hanzhong)
    assert_violates(None, lambda: Adoption.objects.create(practice=practice, city=hanzhong))


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"status": AdoptionStatus.ADOPTED, "result": "已复制"}, "adoption_adopted_has_date_and_result"),
        (
            {"status": AdoptionStatus.ADOPTED, "adopted_on": datetime.date(2024, 1, 1)},
            "adoption_adopted_has_date_and_result",
        ),
        ({"status": AdoptionStatus.NOT_APPLICABLE}, "adoption_not_applicable_has_reason"),
        ({"status": "copied"}, "adoption_status_valid"),
        ({"excused_at": datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)}, "adoption_excuse_has_reason"),
        ({"version": 0}, "adoption_version_positive"),
    ],
)
def test_what_each_status_must_say(hanzhong, fields, constraint):
    practice = PracticeFactory(status=Status.PUBLISHED)
    assert_violates(constraint, lambda: Adoption.objects.create(practice=practice, city=hanzhong, **fields))


def test_a_city_does_not_adopt_its_own_practice(xian):
    practice = PracticeFactory(city=xian, status=Status.PUBLISHED)
    with pytest.raises(ValidationError) as excinfo:
        Adoption(practice=practice, city=xian).full_clean()
    assert excinfo.value.error_dict["city"][0].code == "own_practice"
