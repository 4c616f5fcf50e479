"""adoptions/services.py: what publishing a batch makes each city owe, a city's versioned report, the province's
excuse and deadline, cities made inactive and active again; every change an event."""

import datetime

import pytest
from django.utils import timezone

from adoptions import services
from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption, AdoptionEvent, AdoptionPlan
from batches import services as batches
from batches.enums import EntryScope
from batches.models import Batch, BatchEntry
from bizenv.models import OutboxMail
from practices.enums import Role, Status
from practices.models import Notification, NotificationPreference, Practice
from practices.workflow import WorkflowError
from tests.factories import CityFactory, IndicatorFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 5, 1)


@pytest.fixture
def province():
    """Five active cities and one inactive; a coordinator; three approved practices of the first two cities."""
    cities = [CityFactory(code=f"61{n:02d}00", name=f"城市{n}", order=n) for n in range(5)]
    CityFactory(code="619900", name="停用的市", active=False)
    indicator = IndicatorFactory()
    practices = [
        PracticeFactory(city=city, indicator=indicator, status=Status.APPROVED)
        for city in (cities[0], cities[0], cities[1])
    ]
    return cities, practices, UserFactory(role=Role.COORDINATOR)


def publish(practices, coordinator, scope=EntryScope.REPLICATE):
    batch = batches.batch_create(year=2024)
    batches.batch_add(batch=batch, practices=practices, scope=scope)
    return batches.batch_publish(batch=batch, by=coordinator)


def test_publishing_makes_every_other_active_city_owe_each_replicated_entry(province):
    cities, practices, coordinator = province
    batch = publish(practices, coordinator)
    active = len(cities)  # the inactive city owes nothing
    assert Adoption.objects.count() == len(practices) * (active - 1)
    for practice in practices:
        owing = set(Adoption.objects.filter(practice=practice).values_list("city_id", flat=True))
        assert owing == {city.pk for city in cities} - {practice.city_id}
    assert set(Adoption.objects.values_list("status", "owed")) == {(AdoptionStatus.NOT_STARTED, True)}
    assert AdoptionEvent.objects.filter(kind=AdoptionEvent.Kind.CREATED).count() == Adoption.objects.count()
    plan = AdoptionPlan.objects.get(batch=batch)
    assert plan.deadline == timezone.localdate(batch.published_at) + datetime.timedelta(days=services.DEADLINE_DAYS)
    assert services.create_obligations(batch=batch) == 0  # again: nothing twice


def test_an_announcement_published_long_ago_gives_its_deadline_from_today(province):
    """Imported now, a 2022 announcement dated as it was: the cities owe from the day they are told, never late."""
    _cities, practices, coordinator = province
    batch = publish(practices, coordinator)
    AdoptionPlan.objects.filter(batch=batch).delete()
    Batch.objects.filter(pk=batch.pk).update(published_at=timezone.now() - datetime.timedelta(days=800))
    batch.refresh_from_db()
    services.create_obligations(batch=batch)
    plan = AdoptionPlan.objects.get(batch=batch)
    assert plan.deadline == timezone.localdate() + datetime.timedelta(days=services.DEADLINE_DAYS)


def test_a_reference_entry_is_owed_by_nobody_but_may_be_reported(province):
    cities, practices, coordinator = province
    publish(practices[:1], coordinator, scope=EntryScope.REFERENCE)
    assert not Adoption.objects.exists()
    official = UserFactory(role=Role.CITY_OFFICIAL, city=cities[3])
    row = services.report_voluntarily(
        practice=practices[0], city=cities[3], by=official, status=AdoptionStatus.IN_PROGRESS
    )
    assert not row.owed and row.status == AdoptionStatus.IN_PROGRESS
    assert list(row.events.values_list("kind", flat=True)) == ["created", "reported"]
    with pytest.raises(services.AdoptionError, match="本市自己"):
        services.report_voluntarily(practice=practices[0], city=cities[0], by=None, status=AdoptionStatus.IN_PROGRESS)
    draft = PracticeFactory(city=cities[1])
    with pytest.raises(services.AdoptionError, match="已发布"):
        services.report_voluntarily(practice=draft, city=cities[3], by=None, status=AdoptionStatus.IN_PROGRESS)


def test_a_report_is_versioned_and_a_stale_one_changes_nothing(province):
    cities, practices, coordinator = province
    publish(practices, coordinator)
    row = Adoption.objects.filter(city=cities[2]).first()
    seen = row.version
    official = UserFactory(role=Role.CITY_OFFICIAL, city=cities[2])
    services.report(
        adoption=row,
        by=official,
        status=AdoptionStatus.ADOPTED,
        seen_version=seen,
        adopted_on=TODAY,
        result="企业开办一日办结",
        results=[{"measure": "企业开办时间", "before": "3", "after": "1", "unit": "个工作日"}],
    )
    with pytest.raises(services.StaleAdoption):  # a second save of what it saw: one wins
        services.report(adoption=row, by=official, status=AdoptionStatus.IN_PROGRESS, seen_version=seen)
    row.refresh_from_db()
    assert (row.status, row.adopted_on, row.result, row.version) == (
        AdoptionStatus.ADOPTED,
        TODAY,
        "企业开办一日办结",
        seen + 1,
    )
    assert [str(r) for r in row.results.all()] == ["企业开办时间: 3 → 1 个工作日"]
    event = row.events.get(kind=AdoptionEvent.Kind.REPORTED)
    assert (event.from_status, event.to_status, event.actor) == (
        AdoptionStatus.NOT_STARTED,
        AdoptionStatus.ADOPTED,
        official,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": AdoptionStatus.ADOPTED, "result": "已复制"}, "落地日期"),
        ({"status": AdoptionStatus.ADOPTED, "adopted_on": TODAY}, "本地成效"),
        ({"status": AdoptionStatus.ADOPTED, "adopted_on": datetime.date(2999, 1, 1), "result": "x"}, "晚于今天"),
        ({"status": AdoptionStatus.NOT_APPLICABLE}, "原因"),
        ({"status": "copied"}, "未知的状态"),
    ],
)
def test_an_incomplete_report_is_refused_and_changes_nothing(province, fields, message):
    _cities, practices, coordinator = province
    publish(practices, coordinator)
    row = Adoption.objects.first()
    with pytest.raises(services.AdoptionError, match=message):
        services.report(adoption=row, by=None, seen_version=row.version, **fields)
    assert Adoption.objects.get(pk=row.pk).version == row.version
    assert not AdoptionEvent.objects.filter(kind=AdoptionEvent.Kind.REPORTED).exists()


def test_the_province_excuses_a_city_with_a_reason_and_the_city_no_longer_reports(province):
    _cities, practices, coordinator = province
    publish(practices, coordinator)
    row = Adoption.objects.first()
    with pytest.raises(services.AdoptionError, match="原因"):
        services.excuse(adoption=row, by=coordinator, reason=" ")
    services.excuse(adoption=row, by=coordinator, reason="该市无此业务")
    assert row.events.filter(kind=AdoptionEvent.Kind.EXCUSED, note="该市无此业务", actor=coordinator).exists()
    with pytest.raises(services.AdoptionError, match="免于填报"):
        services.report(adoption=row, by=None, status=AdoptionStatus.IN_PROGRESS, seen_version=row.version)
    with pytest.raises(services.AdoptionError, match="已免于填报"):
        services.excuse(adoption=row, by=coordinator, reason="再次")


def test_the_deadline_is_set_by_the_coordinator_never_before_publication(province):
    _cities, practices, coordinator = province
    batch = publish(practices, coordinator)
    published = timezone.localdate(batch.published_at)
    services.set_deadline(batch=batch, deadline=published + datetime.timedelta(days=30), by=coordinator)
    assert AdoptionPlan.objects.get(batch=batch).deadline == published + datetime.timedelta(days=30)
    with pytest.raises(services.AdoptionError, match="早于发布日期"):
        services.set_deadline(batch=batch, deadline=published - datetime.timedelta(days=1), by=coordinator)


def test_a_city_made_inactive_keeps_its_reports_and_owes_again_when_active(province):
    cities, practices, coordinator = province
    publish(practices, coordinator)
    city = cities[4]
    reported, untouched = Adoption.objects.filter(city=city)[:2]
    services.report(adoption=reported, by=None, status=AdoptionStatus.IN_PROGRESS, seen_version=reported.version)
    city.active = False
    city.save()
    assert list(Adoption.objects.filter(city=city)) == [reported]
    city.active = True
    city.save()
    assert Adoption.objects.filter(city=city).count() == len(practices)
    assert Adoption.objects.get(pk=reported.pk).status == AdoptionStatus.IN_PROGRESS
    assert not Adoption.objects.filter(pk=untouched.pk).exists()  # a new row stands in its place


def test_a_city_saved_without_changing_whether_it_is_active_owes_as_before(province):
    """Renamed in the admin, say: nothing is created or dropped."""
    cities, practices, coordinator = province
    publish(practices, coordinator)
    city = cities[4]
    Adoption.objects.filter(city=city).first().delete()  # as if it had been owed nothing for that entry
    owed = Adoption.objects.filter(city=city).count()
    city.name = "改名后的市"
    city.save()
    assert Adoption.objects.filter(city=city).count() == owed


def test_an_erratum_changing_an_entrys_scope_changes_what_is_owed_and_keeps_reports(province):
    cities, practices, coordinator = province
    batch = publish(practices, coordinator)
    entry = batch.entries.get(practice=practices[0])
    kept = Adoption.objects.get(practice=practices[0], city=cities[2])
    services.report(adoption=kept, by=None, status=AdoptionStatus.IN_PROGRESS, seen_version=1)
    others = Adoption.objects.exclude(practice=practices[0]).count()

    erratum = batches.erratum_add(batch=batch, text="更正推广范围", by=coordinator, entry=entry, scope="reference")
    assert "第1项推广范围由“全省复制推广”更正为“参考借鉴”" in erratum.text
    assert list(Adoption.objects.filter(practice=practices[0]).values_list("pk", "owed")) == [(kept.pk, False)]
    assert Adoption.objects.exclude(practice=practices[0]).count() == others  # the other entries as they were

    batches.erratum_add(batch=batch, text="再次更正", by=coordinator, entry=entry, scope="replicate")
    owing = dict(Adoption.objects.filter(practice=practices[0]).values_list("city_id", "owed"))
    assert owing == {city.pk: True for city in cities if city.pk != practices[0].city_id}
    kept.refresh_from_db()
    assert (kept.status, kept.version) == (AdoptionStatus.IN_PROGRESS, 2)  # the report survived both


def test_a_city_made_inactive_is_no_longer_chased_nor_counted_and_is_again_when_active(province):
    cities, practices, coordinator = province
    batch = publish(practices[:1], coordinator)
    AdoptionPlan.objects.filter(batch=batch).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    leaving = cities[3]
    row = Adoption.objects.get(city=leaving)
    services.report(adoption=row, by=None, status=AdoptionStatus.IN_PROGRESS, seen_version=1)
    leaving.active = False
    leaving.save()
    row.refresh_from_db()
    assert (row.owed, row.status) == (False, AdoptionStatus.IN_PROGRESS)  # kept, not owed
    services.remind(batch=batch, by=coordinator)
    reminded = set(AdoptionEvent.objects.filter(kind="reminded").values_list("adoption__city_id", flat=True))
    assert leaving.pk not in reminded and reminded
    leaving.active = True
    leaving.save()
    row.refresh_from_db()
    assert row.owed


# ---------------------------------------------------------------------------------------------------------------
# Publication reaches the cities


@pytest.fixture
def cities_told(settings):
    """Four active cities, one inactive; officials (one inactive, one wanting the inbox only), a reviewer of a
    city, a coordinator; a batch to publish: 甲市's practice and two of 丙市's to copy, 乙市's for reference."""
    settings.EMAIL_BACKEND = "bizenv.mail.OutboxBackend"
    jia, yi, bing, ding = (
        CityFactory(code=f"62{n}100", name=f"{name}市", order=n) for n, name in enumerate("甲乙丙丁")
    )
    closed = CityFactory(code="629900", name="撤并市", active=False)
    people = {
        "jia": UserFactory(role=Role.CITY_OFFICIAL, city=jia, email="jia@example.gov.cn"),
        "yi": UserFactory(role=Role.CITY_OFFICIAL, city=yi, email="yi@example.gov.cn"),
        "yi_inbox_only": UserFactory(role=Role.CITY_OFFICIAL, city=yi, email="yi2@example.gov.cn"),
        "yi_gone": UserFactory(role=Role.CITY_OFFICIAL, city=yi, email="gone@example.gov.cn", is_active=False),
        "bing": UserFactory(role=Role.CITY_OFFICIAL, city=bing, email="bing@example.gov.cn"),
        "ding": UserFactory(role=Role.CITY_OFFICIAL, city=ding),
        "closed": UserFactory(role=Role.CITY_OFFICIAL, city=closed, email="closed@example.gov.cn"),
        "reviewer_of_yi": UserFactory(role=Role.REVIEWER, city=yi, email="r@example.gov.cn"),
        "coordinator": UserFactory(role=Role.COORDINATOR, email="co@example.gov.cn"),
    }
    NotificationPreference.objects.create(user=people["yi_inbox_only"], email=False)
    indicator = IndicatorFactory()
    practices = {
        key: PracticeFactory(city=city, indicator=indicator, status=Status.APPROVED, title=title)
        for key, city, title in [
            ("jia", jia, "甲市推行企业开办一日办结"),
            ("yi", yi, "乙市建立府院联动机制"),
            ("bing1", bing, "丙市水电气联合报装"),
            ("bing2", bing, "丙市不动产登记交房即交证"),
        ]
    }
    batch = batches.batch_create(year=2024)
    batches.batch_add(batch=batch, practices=[practices["jia"], practices["bing1"], practices["bing2"]])
    batches.batch_add(batch=batch, practices=[practices["yi"]], scope=EntryScope.REFERENCE)
    return batch, people, practices


def notes(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_a_publication_tells_each_active_citys_officials_what_it_holds_and_what_they_owe(cities_told):
    batch, people, practices = cities_told
    batches.batch_publish(batch=batch, by=people["coordinator"])
    entries = {e.practice_id: e for e in BatchEntry.objects.filter(batch=batch)}
    deadline = AdoptionPlan.objects.get(batch=batch).deadline
    on = f"{deadline.year}年{deadline.month}月{deadline.day}日"

    (note,) = [n for n in notes(people["ding"]) if n.subject == f"{batch.title}已发布"]
    assert note.link == f"/city/adoptions/?batch={batch.year}-{batch.sequence}"
    for key, city, scope in [
        ("jia", "甲市", "全省复制推广"),
        ("yi", "乙市", "参考借鉴"),
        ("bing1", "丙市", "全省复制推广"),
        ("bing2", "丙市", "全省复制推广"),
    ]:
        entry = entries[practices[key].pk]
        assert f"{entry.number}、{practices[key].title}（{city}，{scope}）" in note.message
    owed = sorted(entries[practices[key].pk].number for key in ["jia", "bing1", "bing2"])
    numbers = "、".join(map(str, owed))
    assert (
        f"你市须在{on}前，在复制推广台账中报告其中 3 项全省复制推广经验做法的落实情况：第{numbers}项。" in note.message
    )

    # 丙市 owes only 甲市's, not its own two.
    (note,) = [n for n in notes(people["bing"]) if n.subject == f"{batch.title}已发布"]
    assert f"报告其中 1 项全省复制推广经验做法的落实情况：第{entries[practices['jia'].pk].number}项。" in note.message

    # Nobody but the active cities' active officials; each of them once.
    for key in ["yi_gone", "closed", "reviewer_of_yi", "coordinator"]:
        assert notes(people[key]) == [], key
    for key in ["jia", "yi", "yi_inbox_only", "bing", "ding"]:
        assert [n.subject for n in notes(people[key])].count(f"{batch.title}已发布") == 1, key


def test_a_city_whose_practice_is_published_is_told_so_with_the_public_page(cities_told):
    batch, people, practices = cities_told
    batches.batch_publish(batch=batch, by=people["coordinator"])
    entries = {e.practice_id: e for e in BatchEntry.objects.filter(batch=batch)}

    jia = entries[practices["jia"].pk]
    own = [n for n in notes(people["jia"]) if n.subject.startswith("你市")]
    assert [(n.subject, n.link) for n in own] == [
        (f"你市的《{jia.title}》已收入{batch.title}（第{jia.number}项）", f"/practices/{practices['jia'].pk}/")
    ]
    assert "全省复制推广" in own[0].message

    yi = entries[practices["yi"].pk]
    (own,) = [n for n in notes(people["yi"]) if n.subject.startswith("你市")]
    assert own.subject == f"你市的《{yi.title}》已收入{batch.title}（第{yi.number}项）" and "参考借鉴" in own.message
    (publication,) = [n for n in notes(people["yi"]) if n.subject == f"{batch.title}已发布"]
    assert "报告其中 3 项" in publication.message  # every entry to copy: its own is for reference only

    (own,) = [n for n in notes(people["bing"]) if n.subject.startswith("你市")]
    assert own.subject == f"你市 2 项经验做法已收入{batch.title}"
    assert own.link == f"/batches/{batch.year}/{batch.sequence}/"
    for key in ["bing1", "bing2"]:
        assert f"第{entries[practices[key].pk].number}项《{practices[key].title}》" in own.message

    assert not [n for n in notes(people["ding"]) if n.subject.startswith("你市")]


def test_the_emails_go_to_the_officials_who_want_them(cities_told):
    batch, people, _practices = cities_told
    batches.batch_publish(batch=batch, by=people["coordinator"])
    sent_to = {address for row in OutboxMail.objects.all() for address in row.to}
    assert {"jia@example.gov.cn", "yi@example.gov.cn", "bing@example.gov.cn"} <= sent_to
    assert sent_to.isdisjoint({"yi2@example.gov.cn", "gone@example.gov.cn", "closed@example.gov.cn"})
    assert sent_to.isdisjoint({"r@example.gov.cn", "co@example.gov.cn"})
    (row,) = [
        r for r in OutboxMail.objects.all() if r.subject == f"{batch.title}已发布" and "yi@example.gov.cn" in r.to
    ]
    assert "/city/adoptions/?batch=" in row.body
    assert len(notes(people["yi_inbox_only"])) == 2  # the inbox has both, the email neither


def test_a_batch_with_nothing_to_copy_says_so(cities_told):
    batch, people, _practices = cities_told
    BatchEntry.objects.filter(batch=batch).update(scope=EntryScope.REFERENCE)
    batches.batch_publish(batch=batch, by=people["coordinator"])
    (note,) = [n for n in notes(people["ding"]) if n.subject == f"{batch.title}已发布"]
    assert "本批次没有需要你市报告落实情况的全省复制推广经验做法。" in note.message


def test_a_rolled_back_publication_tells_nobody(cities_told):
    batch, people, practices = cities_told
    Practice.objects.filter(pk=practices["bing2"].pk).update(status=Status.DRAFT)  # cannot be published
    with pytest.raises(WorkflowError):
        batches.batch_publish(batch=batch, by=people["coordinator"])
    assert not Notification.objects.exists() and not OutboxMail.objects.exists()


@pytest.mark.parametrize("cities", [1, 4, 12])
def test_telling_the_cities_costs_the_same_queries_however_many_there_are(
    cities_told, django_assert_num_queries, cities
):
    batch, people, _practices = cities_told
    for n in range(cities):
        city = CityFactory(code=f"63{n:02d}00", name=f"新增{n}市")
        UserFactory(role=Role.CITY_OFFICIAL, city=city, email=f"new{n}@example.gov.cn")
    batches.batch_publish(batch=batch, by=people["coordinator"])
    Notification.objects.all().delete()
    OutboxMail.objects.all().delete()
    # the entries with their practices' cities, the active cities, their officials, the rows owed, the deadline;
    # the inbox rows, the preferences, the emails
    with django_assert_num_queries(8):
        services.tell_cities(batch=batch)
    assert Notification.objects.filter(subject=f"{batch.title}已发布").count() == 5 + cities
