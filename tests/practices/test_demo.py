import io
import json

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core import serializers
from django.core.management import call_command

from practices.demo import DEMO_USERS, PATHS
from practices.models import City, Indicator, Membership, Practice, PracticeEvent, Role, Status
from reviews.models import Criterion, Review, Score

pytestmark = pytest.mark.django_db


def fixture_rows(name):
    return json.loads((settings.BASE_DIR / "fixtures" / f"{name}.json").read_text(encoding="utf-8"))


def snapshot():
    """Every row load_demo writes, serialised, except the times that are set on each login."""
    from django.contrib.auth import get_user_model

    models = [City, Indicator, Criterion, Membership, Practice, PracticeEvent, Review, Score]
    users = get_user_model().objects.order_by("pk")
    rows = [serializers.serialize("json", m.objects.order_by("pk")) for m in models]
    rows.append(serializers.serialize("json", users, fields=["username", "password", "groups", "is_superuser"]))
    return rows


def test_load_demo_is_idempotent():
    call_command("load_demo", stdout=io.StringIO())
    first = snapshot()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert snapshot() == first
    assert "新建用户 0 个、经验做法 0 项" in out.getvalue()


def test_load_demo_loads_the_shipped_fixtures(demo):
    assert sorted(City.objects.values_list("code", flat=True)) == sorted(
        row["fields"]["code"] for row in fixture_rows("cities")
    )
    assert list(Indicator.objects.values_list("slug", flat=True)) == [
        row["fields"]["slug"] for row in fixture_rows("indicators")
    ]
    assert Criterion.objects.filter(active=True).count() == len(fixture_rows("criteria"))


def test_indicators_in_official_order(demo):
    names = list(Indicator.objects.values_list("name", flat=True))
    assert names[0] == "开办企业" and names[17] == "包容普惠创新"
    assert names.index("获得电力") < names.index("纳税") < names.index("办理破产")


@pytest.mark.parametrize("spec", DEMO_USERS, ids=lambda spec: spec.username)
def test_demo_users_sign_in_with_their_role_and_city(demo, spec):
    user = authenticate(username=spec.username, password="demo")
    assert user is not None
    assert set(user.groups.values_list("name", flat=True)) == ({spec.role.value} if spec.role else set())
    assert (user.membership.city.code if user.membership.city else None) == spec.city_code


@pytest.mark.parametrize("code", ["610100", "610700"])
def test_demo_practices_in_every_state_before_publication(demo, code):
    statuses = set(Practice.objects.filter(city__code=code).values_list("status", flat=True))
    assert statuses == set(PATHS)


def test_demo_timelines_follow_the_workflow(demo):
    for practice in Practice.objects.all():
        path = [event.to_status for event in practice.events.all()]
        assert path == PATHS[Status(practice.status)]


def test_demo_never_assigns_a_reviewer_to_their_own_city(demo):
    for review in Review.objects.select_related("practice", "reviewer__membership"):
        assert review.reviewer.membership.city_id != review.practice.city_id
    assert Review.objects.filter(reviewer__username="reviewer_xian").exists()


def test_demo_city_officials_belong_to_their_city(demo):
    for membership in Membership.objects.filter(user__groups__name=Role.CITY_OFFICIAL):
        assert membership.city is not None
