"""Every database constraint of the practices app, each violated once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from practices.enums import CityKind, Role, Status
from practices.models import Attachment, City, Indicator, Membership, PracticeEvent, PracticeResult
from tests.factories import CityFactory, IndicatorFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


def assert_violates(constraint: str | None, make):
    """The write fails in the database; a CHECK failure names its constraint on both backends."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        make()
    if constraint:
        assert constraint in str(excinfo.value)


def test_valid_rows_save():
    practice = PracticeFactory()
    PracticeResult.objects.create(practice=practice, measure="开办时间", before="3", after="1", unit="天")
    PracticeEvent.objects.create(practice=practice, from_status=Status.DRAFT, to_status=Status.SUBMITTED)
    Attachment.objects.create(practice=practice, file="a/b", original_name="说明.pdf", content_type="x", size=1)
    assert practice.pk and practice.status == Status.DRAFT and practice.round == 1 and practice.version == 1


CITY_CASES = {
    "city_code_six_digits": dict(code="61010"),
    "city_name_not_empty": dict(name=""),
    "city_short_name_not_empty": dict(short_name=""),
    "city_kind_valid": dict(kind="province"),
    "city_outside_inactive": dict(kind="outside", active=True),
}


@pytest.mark.parametrize("constraint", CITY_CASES)
def test_city_check_constraints(constraint):
    fields = {"code": "629900", "name": "某市", "short_name": "某", **CITY_CASES[constraint]}
    assert_violates(constraint, lambda: City.objects.create(**fields))


@pytest.mark.parametrize("field", ["code", "name"])
def test_city_unique(field):
    city = CityFactory()
    other = {"code": "629900", "name": "某市", "short_name": "某", field: getattr(city, field)}
    assert_violates(None, lambda: City.objects.create(**other))


INDICATOR_CASES = {
    "indicator_name_not_empty": dict(name=""),
    "indicator_slug_ascii": dict(slug="开办企业"),
    "indicator_kind_valid": dict(kind="municipal"),
}


@pytest.mark.parametrize("constraint", INDICATOR_CASES)
def test_indicator_check_constraints(constraint):
    fields = {"name": "某指标", "slug": "some-indicator", **INDICATOR_CASES[constraint]}
    assert_violates(constraint, lambda: Indicator.objects.create(**fields))


@pytest.mark.parametrize("field", ["slug", "name"])
def test_indicator_unique(field):
    indicator = IndicatorFactory()
    other = {"name": "某指标", "slug": "some-indicator", field: getattr(indicator, field)}
    assert_violates(None, lambda: Indicator.objects.create(**other))


PRACTICE_CASES = {
    "practice_title_not_empty": dict(title=""),
    "practice_status_valid": dict(status="archived"),
    "practice_round_positive": dict(round=0),
    "practice_version_positive": dict(version=0),
}


@pytest.mark.parametrize("constraint", PRACTICE_CASES)
def test_practice_check_constraints(constraint):
    assert_violates(constraint, lambda: PracticeFactory(**PRACTICE_CASES[constraint]))


@pytest.mark.parametrize(
    "constraint, fields",
    [
        ("result_measure_not_empty", dict(measure="", after="1")),
        ("result_after_not_empty", dict(measure="开办时间", after="")),
    ],
)
def test_practice_result_check_constraints(constraint, fields):
    practice = PracticeFactory()
    assert_violates(constraint, lambda: PracticeResult.objects.create(practice=practice, **fields))


@pytest.mark.parametrize(
    "constraint, fields",
    [
        ("event_changes_status", dict(from_status=Status.DRAFT, to_status=Status.DRAFT)),
        ("event_status_valid", dict(from_status=Status.DRAFT, to_status="archived")),
    ],
)
def test_event_check_constraints(constraint, fields):
    practice = PracticeFactory()
    assert_violates(constraint, lambda: PracticeEvent.objects.create(practice=practice, **fields))


def test_attachment_needs_its_original_name():
    practice = PracticeFactory()
    assert_violates(
        "attachment_name_not_empty",
        lambda: Attachment.objects.create(practice=practice, file="a/b", original_name="", content_type="x", size=1),
    )


def test_membership_is_one_per_user(xian, hanzhong):
    user = UserFactory(city=xian)
    assert_violates(None, lambda: Membership.objects.create(user=user, city=hanzhong))


def test_city_official_must_belong_to_a_city():
    user = UserFactory(role=Role.CITY_OFFICIAL)
    with pytest.raises(ValidationError) as excinfo:
        Membership(user=user, city=None).full_clean()
    assert excinfo.value.error_dict["city"][0].code == "city_required"


def test_reviewer_may_belong_to_no_city():
    user = UserFactory(role=Role.REVIEWER)
    Membership(user=user, city=None).full_clean()


@pytest.mark.parametrize("role", [Role.CITY_OFFICIAL, Role.REVIEWER])
def test_a_region_outside_the_province_is_nobodys_city(role):
    outside = CityFactory(code="371100", name="日照市", kind=CityKind.OUTSIDE, active=False)
    with pytest.raises(ValidationError) as excinfo:
        Membership(user=UserFactory(role=role), city=outside).full_clean()
    error = excinfo.value.error_dict["city"][0]
    assert error.code == "outside_city"
    assert error.messages == ["“日照市”不是本省参与填报的城市，不能作为用户的所属城市。"]


def test_a_region_outside_the_province_cannot_be_made_active():
    outside = CityFactory(code="371100", name="日照市", kind=CityKind.OUTSIDE, active=False)
    outside.active = True
    with pytest.raises(ValidationError, match="其他地区不参与复制推广，不能启用。"):
        outside.full_clean()


def test_city_in_use_cannot_be_deleted():
    practice = PracticeFactory()
    with pytest.raises(ProtectedError), transaction.atomic():
        practice.city.delete()
