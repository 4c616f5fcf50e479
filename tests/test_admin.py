"""The admin, for every app's models: reachable by the admin only, every list searchable."""

import pytest
from django.contrib.auth import get_user_model

from practices.models import PracticeEvent

pytestmark = pytest.mark.django_db


def test_admin_is_reachable_by_the_admin_only(client, demo):
    assert client.get("/admin/").status_code == 302
    client.force_login(get_user_model().objects.get(username="coordinator"))
    assert client.get("/admin/").status_code == 302
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get("/admin/practices/practice/")
    assert response.status_code == 200
    assert "西安市推行企业开办" in response.content.decode()


@pytest.mark.parametrize(
    "model",
    [
        "practices/city",
        "practices/indicator",
        "practices/practice",
        "practices/practiceevent",
        "practices/practiceresult",
        "practices/attachment",
        "practices/membership",
        "practices/notificationpreference",
        "adoptions/adoption",
        "auth/user",
        "reviews/criterion",
        "reviews/review",
        "reviews/score",
        "batches/batch",
        "batches/batchentry",
        "batches/erratum",
        "bizenv/outboxmail",
    ],
)
def test_admin_lists_every_model_with_search(client, demo, model):
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(f"/admin/{model}/", {"q": "西安"})
    assert response.status_code == 200
    assert 'id="searchbar"' in response.content.decode()


def test_a_practices_timeline_cannot_be_added_to_changed_or_deleted_in_the_admin(client, demo):
    client.force_login(get_user_model().objects.get(username="admin"))
    event = PracticeEvent.objects.first()
    assert client.get(f"/admin/practices/practiceevent/{event.pk}/change/").status_code == 200  # seen, read-only
    assert client.post(f"/admin/practices/practiceevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/practices/practiceevent/add/").status_code == 403
    assert PracticeEvent.objects.filter(pk=event.pk).exists()
