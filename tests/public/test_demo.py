import io
import json
import re

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core import serializers
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption
from batches.enums import BatchStatus
from batches.models import Batch, BatchEntry
from practices.enums import Role, Source, Status
from practices.models import City, Indicator, Membership, Practice, PracticeEvent, PracticeResult
from public.demo import DEMO_USERS, PATHS
from reviews.models import Criterion, Review, Score

pytestmark = pytest.mark.django_db


def fixture_rows(name):
    return json.loads((settings.BASE_DIR / "fixtures" / f"{name}.json").read_text(encoding="utf-8"))


def snapshot():
    """Every row load_demo writes, serialised, except the times that are set on each login."""
    models = [City, Indicator, Criterion, Membership, Practice, PracticeResult, PracticeEvent, Review, Score]
    models += [Batch, BatchEntry, Adoption]
    users = get_user_model().objects.order_by("pk")
    rows = [serializers.serialize("json", m.objects.order_by("pk")) for m in models]
    rows.append(serializers.serialize("json", users, fields=["username", "password", "groups", "is_superuser"]))
    return rows


def test_load_demo_is_idempotent():
    call_command("load_demo", force=True, stdout=io.StringIO())
    first = snapshot()
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    assert snapshot() == first
    assert "新建基础数据 0 条、用户 0 个、经验做法 0 项、已发布批次 0 个" in out.getvalue()


def test_load_demo_keeps_what_was_edited_since(demo):
    criterion = Criterion.objects.get(name="示范性")
    criterion.active, criterion.weight = False, 5
    criterion.save()
    City.objects.filter(code="610100").update(order=999)
    call_command("load_demo", force=True, stdout=io.StringIO())
    criterion.refresh_from_db()
    assert (criterion.active, criterion.weight) == (False, 5)
    assert City.objects.get(code="610100").order == 999


def test_load_demo_refuses_production_without_force(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def test_load_demo_loads_the_shipped_fixtures(demo):
    assert sorted(City.objects.values_list("code", flat=True)) == sorted(
        row["fields"]["code"] for row in fixture_rows("cities")
    )
    assert list(Indicator.objects.values_list("slug", flat=True)) == [
        row["fields"]["slug"] for row in fixture_rows("indicators")
    ]
    assert Criterion.objects.filter(active=True).count() == len(fixture_rows("criteria"))


# The evaluation's official order, then the province's own headings seen in the seed announcement.
OFFICIAL_INDICATORS = [
    "开办企业",
    "劳动力市场监管",
    "办理建筑许可",
    "政府采购",
    "招标投标",
    "获得电力",
    "获得用水用气",
    "登记财产",
    "获得信贷",
    "保护中小投资者",
    "知识产权创造、保护和运用",
    "跨境贸易",
    "纳税",
    "执行合同",
    "办理破产",
    "市场监管",
    "政务服务",
    "包容普惠创新",
]
PROVINCIAL_HEADINGS = ["“一把手走流程、坐窗口、跟执法、处投诉”活动", "投诉举报处理"]


def test_indicators_in_official_order(demo):
    indicators = list(Indicator.objects.all())
    assert [i.name for i in indicators] == OFFICIAL_INDICATORS + PROVINCIAL_HEADINGS
    assert [i.kind for i in indicators] == ["national"] * 18 + ["provincial"] * 2
    assert all(i.slug.isascii() for i in indicators)


@pytest.mark.parametrize("spec", DEMO_USERS, ids=lambda spec: spec.username)
def test_demo_users_sign_in_with_their_role_and_city(demo, spec):
    user = authenticate(RequestFactory().post("/accounts/login/"), username=spec.username, password="demo")
    assert user is not None
    assert set(user.groups.values_list("name", flat=True)) == ({spec.role.value} if spec.role else set())
    assert (user.membership.city.code if user.membership.city else None) == spec.city_code


@pytest.mark.parametrize("code", ["610100", "610700"])
def test_demo_practices_in_every_state_before_publication(demo, code):
    statuses = set(Practice.objects.filter(city__code=code, source=Source.PORTAL).values_list("status", flat=True))
    assert statuses == set(PATHS)


def test_demo_timelines_follow_the_workflow(demo):
    for practice in Practice.objects.filter(source=Source.PORTAL):
        path = [event.to_status for event in practice.events.all()]
        assert path == PATHS[Status(practice.status)]


def test_demo_publishes_the_seed_as_2022_batch_two(demo):
    batch = Batch.objects.get(year=2022, sequence=2)
    assert batch.status == BatchStatus.PUBLISHED and batch.published_at is not None
    assert batch.title == "2022年第二批优化营商环境典型经验做法"
    assert list(batch.entries.values_list("number", flat=True)) == list(range(1, 22))
    assert set(batch.entries.values_list("practice__status", flat=True)) == {Status.PUBLISHED}
    assert batch.lead.startswith("近日,陕西省委加强全省营商环境评价成果运用")


def test_demo_never_assigns_a_reviewer_to_their_own_city(demo):
    for review in Review.objects.select_related("practice", "reviewer__membership"):
        assert review.reviewer.membership.city_id != review.practice.city_id
    assert Review.objects.filter(reviewer__username="reviewer_xian").exists()


def test_demo_city_officials_belong_to_their_city(demo):
    for membership in Membership.objects.filter(user__groups__name=Role.CITY_OFFICIAL):
        assert membership.city is not None


def test_reference_data_loads_alone_with_loaddata(db):
    call_command("loaddata", "cities", "indicators", "criteria", verbosity=0)
    assert City.objects.count() == len(fixture_rows("cities"))
    assert Indicator.objects.count() == len(fixture_rows("indicators"))
    assert Criterion.objects.count() == len(fixture_rows("criteria"))
    assert not get_user_model().objects.exists()


@pytest.mark.django_db(transaction=True)
def test_load_demo_sends_no_email():
    """Real commits here, so the emails queued on commit really would go out, but for without_email()."""
    from django.core import mail

    mail.outbox.clear()
    call_command("load_demo", force=True, stdout=io.StringIO())
    assert mail.outbox == []
    from practices.models import Notification

    assert Notification.objects.exists()  # the inbox still has the demo's messages


def test_demo_reports_adoptions_of_the_seed_in_every_status(demo):
    rows = Adoption.objects.filter(practice__batch_entry__batch__year=2022, practice__batch_entry__batch__sequence=2)
    touched = rows.exclude(version=1)
    reported = {row.status for row in touched if row.excused_at is None}
    assert reported == {AdoptionStatus.IN_PROGRESS, AdoptionStatus.ADOPTED, AdoptionStatus.NOT_APPLICABLE}
    assert rows.filter(status=AdoptionStatus.NOT_STARTED, version=1).exists()  # and rows nobody reported on yet
    assert len({row.city_id for row in touched}) >= 5
    assert all(row.city_id != row.practice.city_id for row in touched)
    adopted = touched.filter(status=AdoptionStatus.ADOPTED)
    assert adopted.filter(results__isnull=False).exists()
    assert touched.filter(excused_at__isnull=False).count() == 1


def test_the_demo_announcement_says_what_its_source_lacks(client, demo):
    """The seed announces 36 items and is cut off inside the 21st; it bears no date; five of its items kept
    mojibake no one can repair. The public is told each, where it reads it, and never given the import's day."""
    from django.utils import timezone
    from django.utils.formats import date_format

    from tests.batches.test_bulletin import DAMAGED_ITEMS

    batch = Batch.objects.get(year=2022, sequence=2)
    imported_on = date_format(timezone.localdate(batch.published_at), "DATE_FORMAT")
    for url in ("/batches/2022/2/", "/batches/", "/"):
        html = client.get(url).content.decode()
        assert "原文共36项，本库收录21项（原文不完整）" in html and "发布日期不详" in html, url
        assert imported_on not in html, url
    html = client.get("/batches/2022/2/").content.decode()
    items = dict(re.findall(r'<li value="(\d+)">(.*?)</li>', html, re.S))
    assert {int(n) for n, item in items.items() if "原文此处存在乱码，内容照录原文" in item} == DAMAGED_ITEMS
    entries = {e.number: e.practice_id for e in batch.entries.all()}
    assert "原文此处存在乱码" in client.get(f"/practices/{entries[3]}/").content.decode()
    assert "原文此处存在乱码" not in client.get(f"/practices/{entries[1]}/").content.decode()

    data = json.loads(client.get("/api/v1/batches/").content)["results"][0]
    assert (data["count"], data["announced_count"], data["incomplete"], data["announced_on"]) == (21, 36, True, None)
    assert data["notice"] == "原文共36项，本库收录21项（原文不完整）"
    practices = json.loads(client.get("/api/v1/practices/", {"batch": "2022-2", "page_size": 30}).content)
    assert {r["number"] for r in practices["results"] if r["garbled"]} == DAMAGED_ITEMS
