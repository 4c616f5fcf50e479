"""Field-level history (bizenv/web/history.py): an edit through the site leaves who, when and each field before and
after, whether the model was saved or conditionally updated; roles and cities too; a sign-in is not a change."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption
from batches import services as batches
from batches.models import Batch
from practices.enums import Role, Status
from practices.models import City, Membership, Practice

pytestmark = pytest.mark.django_db


def signed_in(username) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def last_change(model_instance):
    """The newest history row of an object, and what it changed against the one before: {field: (old, new)}."""
    record = model_instance.history.order_by("-history_date", "-history_id").first()
    delta = record.diff_against(record.prev_record) if record.prev_record else None
    return record, {c.field: (c.old, c.new) for c in delta.changes} if delta else {}


def test_editing_a_draft_records_who_when_and_each_field(demo):
    practice = Practice.objects.get(city__code="610100", status=Status.DRAFT)
    form = signed_in("xian").get(f"/city/practices/{practice.pk}/edit/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"title": "西安市推行企业开办“半日办结”", "version": practice.version})
    data.update({"results-TOTAL_FORMS": "0", "results-INITIAL_FORMS": "0"})
    before = practice.title
    response = signed_in("xian").post(f"/city/practices/{practice.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    practice.refresh_from_db()
    record, changes = last_change(practice)
    assert record.history_user.username == "xian" and record.history_type == "~"
    assert changes["title"] == (before, "西安市推行企业开办“半日办结”") and "version" in changes
    assert (datetime.datetime.now(datetime.UTC) - record.history_date).total_seconds() < 60


def test_a_status_change_and_a_batch_text_are_recorded(demo):
    practice = Practice.objects.get(city__code="610100", status=Status.DRAFT)
    assert signed_in("xian").post(f"/city/practices/{practice.pk}/submit/").status_code == 302
    practice.refresh_from_db()
    record, changes = last_change(practice)
    assert record.history_user.username == "xian" and changes["status"] == (Status.DRAFT, Status.SUBMITTED)

    batch = batches.batch_create(year=2030)
    data = {"action": "text", "title": "2030年第一批典型经验做法", "lead": "各市："}
    assert signed_in("coordinator").post(f"/review/batches/{batch.pk}/", data).status_code == 302
    record, changes = last_change(Batch.objects.get(pk=batch.pk))
    assert record.history_user.username == "coordinator" and changes["title"][1] == "2030年第一批典型经验做法"


def test_criteria_reports_roles_and_cities_are_recorded(demo):
    coordinator = signed_in("coordinator")
    criteria = coordinator.get("/review/criteria/").context["formset"]
    data = {}
    for index, form in enumerate(criteria.forms):
        for name in form.fields:
            value = form[name].value()
            data[f"form-{index}-{name}"] = "" if value is None else ("on" if value is True else value)
    data.update({"form-TOTAL_FORMS": len(criteria.forms), "form-INITIAL_FORMS": criteria.initial_form_count()})
    first = criteria.forms[0].instance
    data["form-0-weight"] = "35"
    if len(criteria.forms) > criteria.initial_form_count():
        data[f"form-{len(criteria.forms) - 1}-name"] = ""
    assert coordinator.post("/review/criteria/", data).status_code == 302
    first.refresh_from_db()
    record, changes = last_change(first)
    assert record.history_user.username == "coordinator" and "weight" in changes

    row = Adoption.objects.filter(city__code="610100", status=AdoptionStatus.NOT_STARTED, owed=True).first()
    report = {"status": AdoptionStatus.IN_PROGRESS, "version": row.version}
    report.update({"results-TOTAL_FORMS": 0, "results-INITIAL_FORMS": 0})
    assert signed_in("xian").post(f"/city/adoptions/{row.pk}/", report).status_code == 302
    record, changes = last_change(Adoption.objects.get(pk=row.pk))
    assert record.history_user.username == "xian"
    assert changes["status"] == (AdoptionStatus.NOT_STARTED, AdoptionStatus.IN_PROGRESS)

    user = get_user_model().objects.get(username="hanzhong")
    history_before = user.history.count()
    user.groups.add(Group.objects.get(name=Role.REVIEWER))
    assert user.history.count() == history_before + 1
    newest = user.history.order_by("-history_id").first()
    assert {g.group.name for g in newest.groups.all()} == {Role.CITY_OFFICIAL, Role.REVIEWER}
    membership = Membership.objects.get(user=user)
    membership.city = City.objects.get(code="610100")
    membership.save()
    record, changes = last_change(membership)
    assert changes["city"] == (City.objects.get(code="610700").pk, City.objects.get(code="610100").pk)


def test_a_sign_in_is_no_change_and_no_password_is_kept(demo):
    user = get_user_model().objects.get(username="xian")
    before = user.history.count()
    assert Client().post("/accounts/login/", {"username": "xian", "password": "demo"}).status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None and user.history.count() == before
    assert not any(field.name == "password" for field in user.history.model._meta.get_fields())


def test_the_coordinator_reads_who_changed_what(demo):
    practice = Practice.objects.get(city__code="610100", status=Status.DRAFT)
    assert signed_in("xian").post(f"/city/practices/{practice.pk}/submit/").status_code == 302
    coordinator = signed_in("coordinator")
    html = coordinator.get("/review/audit/", {"user": "xian", "kind": "practices.practice"}).content.decode()
    assert practice.title in html and "<strong>状态</strong>：草稿 → 已提交" in html
    assert (
        "<strong>状态</strong>：草稿 → 已提交"
        not in coordinator.get("/review/audit/", {"user": "coordinator"}).content.decode()
    )
    html = coordinator.get("/review/audit/", {"user": "nobody", "since": "not a date"}).content.decode()
    assert "没有用户名为“nobody”的账号。" in html and "输入一个有效的日期。" in html

    page = coordinator.get(f"/review/practices/{practice.pk}/").content.decode()
    assert "字段修改记录" in page and "<strong>状态</strong>：草稿 → 已提交" in page
    assert "字段修改记录" not in signed_in("reviewer").get(f"/review/practices/{practice.pk}/").content.decode()
