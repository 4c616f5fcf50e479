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
from practices.enums import Role, Status
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
