"""The user admin keeps the rules that a city official belongs to a city, and a user's city is the province's own."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from practices import regions
from practices.enums import Role
from practices.models import Membership
from practices.services import outside_city
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def change_user_post(client, user, *, groups, city):
    data = {
        "username": user.username,
        "first_name": "新",
        "last_name": "同事",
        "email": "",
        "is_active": "on",
        "groups": [group.pk for group in groups],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "membership-TOTAL_FORMS": "1",
        "membership-INITIAL_FORMS": "0",
        "membership-MIN_NUM_FORMS": "0",
        "membership-MAX_NUM_FORMS": "1",
        "membership-0-user": str(user.pk),
        "membership-0-city": str(city.pk) if city else "",
        "membership-0-phone": "",
    }
    return client.post(f"/admin/auth/user/{user.pk}/change/", data)


@pytest.fixture
def admin_client_(client):
    client.force_login(get_user_model().objects.create_superuser("it", password="x"))
    return client


def test_city_official_without_a_city_is_refused(admin_client_):
    user = UserFactory(username="newcomer")
    response = change_user_post(admin_client_, user, groups=[Group.objects.get(name=Role.CITY_OFFICIAL)], city=None)
    assert response.status_code == 200
    assert "填报员必须属于一个城市" in response.content.decode()
    assert not user.groups.exists() and not Membership.objects.filter(user=user).exists()


def test_city_official_with_a_city_is_saved(admin_client_, xian):
    user = UserFactory(username="newcomer")
    response = change_user_post(admin_client_, user, groups=[Group.objects.get(name=Role.CITY_OFFICIAL)], city=xian)
    assert response.status_code == 302
    assert user.membership.city == xian
    assert list(user.groups.values_list("name", flat=True)) == [Role.CITY_OFFICIAL]


def test_reviewer_may_be_saved_without_a_city(admin_client_):
    user = UserFactory(username="newcomer")
    response = change_user_post(admin_client_, user, groups=[Group.objects.get(name=Role.REVIEWER)], city=None)
    assert response.status_code == 302
    assert list(user.groups.values_list("name", flat=True)) == [Role.REVIEWER]


def test_a_region_outside_the_province_is_neither_offered_nor_taken(admin_client_, xian):
    outside = outside_city(regions.get("371100"))
    user = UserFactory(username="newcomer")
    page = admin_client_.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    assert f'<option value="{xian.pk}">西安市</option>' in page and "日照市" not in page
    assert "日照市" not in admin_client_.get("/admin/practices/membership/add/").content.decode()
    response = change_user_post(admin_client_, user, groups=[Group.objects.get(name=Role.CITY_OFFICIAL)], city=outside)
    assert response.status_code == 200 and not Membership.objects.filter(user=user).exists()
    assert "日照市" not in admin_client_.get("/admin/auth/user/").content.decode()  # nor among the list's filters
