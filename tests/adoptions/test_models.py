"""The constraints of adoptions (复制推广): once per city and practice, with a result, never of one's own city."""

import pytest
from django.core.exceptions import ValidationError

from adoptions.models import Adoption
from practices.enums import Status
from tests.factories import PracticeFactory
from tests.practices.test_models import assert_violates

pytestmark = pytest.mark.django_db


def test_adoption_once_per_city(hanzhong):
    practice = PracticeFactory(status=Status.PUBLISHED)
    Adoption.objects.create(practice=practice, city=hanzhong, result="已复制")
    assert_violates(None, lambda: Adoption.objects.create(practice=practice, city=hanzhong, result="再次"))


def test_adoption_needs_a_result(hanzhong):
    practice = PracticeFactory(status=Status.PUBLISHED)
    assert_violates("adoption_result_not_empty", lambda: Adoption.objects.create(practice=practice, city=hanzhong))


def test_a_city_does_not_adopt_its_own_practice(xian):
    practice = PracticeFactory(city=xian, status=Status.PUBLISHED)
    with pytest.raises(ValidationError) as excinfo:
        Adoption(practice=practice, city=xian, result="已复制").full_clean()
    assert excinfo.value.error_dict["city"][0].code == "own_practice"
