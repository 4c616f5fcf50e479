"""The coordinator's batch pages (/review/batches/): who may use them, composing and publishing through them."""

import pytest

from batches import services as batches
from batches.enums import BatchStatus
from batches.models import Batch
from practices.enums import Role
from tests.factories import BatchFactory, CityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.CITY_OFFICIAL, Role.REVIEWER, None])
def test_only_the_coordinator_composes(client, db, role):
    batch = BatchFactory(year=2026, sequence=1)
    if role:
        client.force_login(UserFactory(role=role, city=CityFactory() if role == Role.CITY_OFFICIAL else None))
        expected = 404
    else:
        expected = 302
    assert client.get("/review/batches/").status_code == expected
    assert client.get(f"/review/batches/{batch.pk}/").status_code == expected
    assert client.post(f"/review/batches/{batch.pk}/", {"action": "publish"}).status_code == expected
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.DRAFT


def test_compose_and_publish_through_the_pages(client, pool, coordinator):
    client.force_login(coordinator)
    response = client.post("/review/batches/", {"year": "2026"})
    batch = Batch.objects.get()
    assert response.url == f"/review/batches/{batch.pk}/"
    client.post(f"/review/batches/{batch.pk}/", {"action": "add", "practice": [p.pk for p in pool]})
    preview = client.get(f"/review/batches/{batch.pk}/preview/").content.decode()
    assert "预览" in preview and pool[0].title in preview
    client.post(f"/review/batches/{batch.pk}/", {"action": "text", "title": "2026年第一批典型做法", "lead": "导语。"})
    response = client.post(f"/review/batches/{batch.pk}/", {"action": "publish"})
    assert response.url == f"/batches/2026/{batch.sequence}/"
    html = client.get(response.url).content.decode()
    assert "2026年第一批典型做法" in html and "导语。" in html


def test_a_published_batch_keeps_its_title_lead_and_scopes(client, pool, coordinator):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool[:1])
    batches.batch_publish(batch=batch, by=coordinator)
    entry = batch.entries.get()
    client.force_login(coordinator)
    client.post(f"/review/batches/{batch.pk}/", {"action": "text", "title": "改过的标题", "lead": "改过的导语"})
    client.post(f"/review/batches/{batch.pk}/", {"action": "scope", "entry": entry.pk, "scope": "reference"})
    batch.refresh_from_db()
    entry.refresh_from_db()
    assert batch.title != "改过的标题" and batch.lead != "改过的导语" and entry.scope == "replicate"


def test_an_erratum_may_correct_a_published_entrys_scope(client, pool, coordinator):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool[:1])
    batches.batch_publish(batch=batch, by=coordinator)
    entry = batch.entries.get()
    client.force_login(coordinator)
    page = f"/review/batches/{batch.pk}/"
    for wrong in ("abc", "", "999999"):
        response = client.post(
            page, {"action": "erratum", "text": "更正", "corrected_entry": wrong, "scope": "reference"}
        )
        assert response.status_code == 302 and not batch.errata.exists()
    client.post(page, {"action": "erratum", "text": "更正", "corrected_entry": entry.pk, "scope": "reference"})
    entry.refresh_from_db()
    assert entry.scope == "reference" and "更正为“参考借鉴”" in batch.errata.get().text


def test_the_lead_and_an_erratum_are_kept_as_plain_text(client, pool, coordinator):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool[:1])
    client.force_login(coordinator)
    page = f"/review/batches/{batch.pk}/"
    lead = "\r\n导语第一段。 \r\n\r\n导语第二段。\r\n"
    client.post(page, {"action": "text", "title": " 2026年第一批典型做法\t", "lead": lead})
    batch.refresh_from_db()
    assert (batch.title, batch.lead) == ("2026年第一批典型做法", "导语第一段。\n\n导语第二段。")
    client.post(page, {"action": "publish"})
    client.post(page, {"action": "erratum", "text": "第1项标题有误。\u3000\r\n应为“一网通管”。\r\n"})
    assert batch.errata.get().text == "第1项标题有误。\n应为“一网通管”。"


@pytest.mark.parametrize("wrong", ["abc", "²", "1.5", "-1", "9" * 30, " 1"])
def test_an_id_that_is_no_id_is_refused_with_a_message_and_changes_nothing(client, pool, coordinator, wrong):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool[:1])
    entries = list(batch.entries.values_list("pk", "number"))
    client.force_login(coordinator)
    page = f"/review/batches/{batch.pk}/"
    for data, message in [
        ({"action": "remove", "entry": wrong}, "该条目已不在此批次中"),
        ({"action": "up", "entry": wrong}, "该条目已不在此批次中"),
        ({"action": "add", "practice": [pool[1].pk, wrong]}, "所选的经验做法无效"),
    ]:
        response = client.post(page, data, follow=True)
        assert response.status_code == 200 and message in response.content.decode(), data
    assert list(batch.entries.values_list("pk", "number")) == entries

    response = client.post("/review/assign/auto/", {"practice": [wrong]}, follow=True)
    assert response.status_code == 200 and "所选的经验做法无效" in response.content.decode()
