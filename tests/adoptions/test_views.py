"""The city's 复制推广 台账 (/city/adoptions/): who may see and report what, reports that win once, filters, and a
page whose queries do not grow with its rows."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from adoptions import services
from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption, AdoptionEvent, AdoptionPlan
from batches.enums import EntryScope
from practices.enums import Status
from tests.adoptions.common import login, publish
from tests.factories import CityFactory, PracticeFactory

pytestmark = pytest.mark.django_db


def post_report(client, row, **fields):
    data = {
        "status": AdoptionStatus.IN_PROGRESS,
        "version": row.version,
        "results-TOTAL_FORMS": 0,
        "results-INITIAL_FORMS": 0,
        **fields,
    }
    return client.post(f"/city/adoptions/{row.pk}/", data)


# Permission matrix: role × view × row state, every cell asserted. The row is 汉中's, for a practice of 西安.
EXPECTED = {
    "anonymous": {"ledger": "login", "open": "login", "excused": "login", "report": "login"},
    "hanzhong": {"ledger": 200, "open": 200, "excused": 200, "report": 302},
    "xian": {"ledger": 200, "open": 404, "excused": 404, "report": 404},
    "reviewer": {"ledger": 404, "open": 404, "excused": 404, "report": 404},
    "coordinator": {"ledger": 404, "open": 404, "excused": 404, "report": 404},
}


@pytest.mark.parametrize("view", ["ledger", "open", "excused", "report"])
@pytest.mark.parametrize("who", list(EXPECTED))
def test_permission_matrix(client, province, who, view):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"])
    row = Adoption.objects.get(city=hanzhong)
    if view == "excused":
        services.excuse(adoption=row, by=people["coordinator"], reason="无此业务")
    requests = {
        "ledger": lambda c: c.get("/city/adoptions/"),
        "open": lambda c: c.get(f"/city/adoptions/{row.pk}/"),
        "excused": lambda c: c.get(f"/city/adoptions/{row.pk}/"),
        "report": lambda c: post_report(c, row),
    }
    response = requests[view](login(client, people[who]))
    expected = EXPECTED[who][view]
    if expected == "login":
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    else:
        assert response.status_code == expected
    reported = Adoption.objects.get(pk=row.pk).status == AdoptionStatus.IN_PROGRESS
    assert reported == (who == "hanzhong" and view == "report")


def test_the_city_reports_a_row_adopted_and_it_is_an_event(client, province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"])
    row = Adoption.objects.get(city=hanzhong)
    client = login(client, people["hanzhong"])
    assert "汉中市复制推广台账" in client.get("/city/adoptions/").content.decode()
    response = post_report(
        client, row, status=AdoptionStatus.ADOPTED, adopted_on="2024-05-01", result="企业开办一日办结"
    )
    assert response.status_code == 302 and response.url == "/city/adoptions/"
    row.refresh_from_db()
    assert (row.status, row.adopted_on, row.result) == (
        AdoptionStatus.ADOPTED,
        datetime.date(2024, 5, 1),
        "企业开办一日办结",
    )
    assert row.events.filter(kind=AdoptionEvent.Kind.REPORTED, actor=people["hanzhong"]).exists()


def test_every_missing_field_of_a_report_is_named_at_its_field(client, province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"])
    row = Adoption.objects.get(city=hanzhong)
    html = post_report(login(client, people["hanzhong"]), row, status=AdoptionStatus.ADOPTED).content.decode()
    for field, message in [("adopted_on", "“已落地”须填写落地日期。"), ("result", "“已落地”须填写本地成效。")]:
        # the error's id is the one the field's aria-describedby names, so a screen reader reads it with the field
        widget = re.search(rf'<(?:input|textarea)[^>]*id="id_{field}"[^>]*>', html).group(0)
        assert f"id_{field}_error" in re.search(r'aria-describedby="([^"]*)"', widget).group(1)
        assert f'<span id="id_{field}_error"><span class="field-error" role="alert">{message}</span></span>' in html
    assert Adoption.objects.get(pk=row.pk).version == row.version


def test_an_incomplete_or_stale_report_says_why_and_changes_nothing(client, province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"])
    row = Adoption.objects.get(city=hanzhong)
    client = login(client, people["hanzhong"])
    html = post_report(client, row, status=AdoptionStatus.ADOPTED, result="已复制").content.decode()
    assert "须填写落地日期" in html
    assert Adoption.objects.get(pk=row.pk).version == row.version
    post_report(client, row)  # a first save of the version seen
    html = post_report(client, row, status=AdoptionStatus.NOT_APPLICABLE, reason="无此业务").content.decode()
    assert "此记录已被他人修改" in html  # a second save of the same version: told to reload
    assert Adoption.objects.get(pk=row.pk).status == AdoptionStatus.IN_PROGRESS
    # Shown what the colleague saved, with what this user typed still in the form, over the current version.
    assert "<dt>状态</dt><dd>推进中</dd>" in html and "无此业务</textarea>" in html
    assert f'name="version" value="{row.version + 1}"' in html


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def adopted(**fields):
    return {"status": AdoptionStatus.ADOPTED, "adopted_on": "2024-05-01", "result": "一日办结", **fields}


def test_measured_results_and_evidence_are_saved_with_the_report(client, province, media):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"])
    row = Adoption.objects.get(city=hanzhong)
    client = login(client, people["hanzhong"])
    results = {
        "results-TOTAL_FORMS": 2,
        **{"results-0-measure": "企业开办时间", "results-0-before": "3", "results-0-after": "1"},
        **{"results-0-unit": "个工作日", "results-1-measure": ""},
    }
    evidence = SimpleUploadedFile("通知.pdf", PDF, content_type="application/pdf")
    assert post_report(client, row, **adopted(**results), evidence=evidence).status_code == 302
    row.refresh_from_db()
    assert [(r.measure, r.before, r.after, r.unit) for r in row.results.all()] == [
        ("企业开办时间", "3", "1", "个工作日")
    ]
    assert (row.evidence_name, row.evidence_type, row.evidence_size) == ("通知.pdf", "application/pdf", len(PDF))
    download = client.get(f"/city/adoptions/{row.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    page = client.get(f"/city/adoptions/{row.pk}/").content.decode()
    assert 'value="企业开办时间"' in page and "通知.pdf" in page
    # Saved as 推进中, the measured results go (they belong to 已落地); asked to, the evidence goes too.
    assert post_report(client, row, drop_evidence="on").status_code == 302
    row.refresh_from_db()
    assert (row.results.count(), row.evidence_name, bool(row.evidence)) == (0, "", False)
    assert client.get(f"/city/adoptions/{row.pk}/evidence/").status_code == 404


def test_evidence_that_is_not_what_it_says_is_refused_and_nothing_changes(client, province, media):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"])
    row = Adoption.objects.get(city=hanzhong)
    client = login(client, people["hanzhong"])
    fake = SimpleUploadedFile("通知.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    html = post_report(client, row, **adopted(), evidence=fake).content.decode()
    assert "不是 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件" in html
    assert Adoption.objects.get(pk=row.pk).version == row.version
    assert not (media / "adoptions").exists()  # no file stored


@pytest.mark.parametrize(
    "who, city_url, province_url",
    [
        ("anonymous", "login", "login"),
        ("hanzhong", 200, 404),
        ("xian", 404, 404),
        ("reviewer", 404, 200),
        ("coordinator", 404, 200),
    ],
)
def test_who_may_download_the_evidence(client, province, media, who, city_url, province_url):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"])
    row = Adoption.objects.get(city=hanzhong)
    evidence = SimpleUploadedFile("现场.pdf", PDF, content_type="application/pdf")
    services.report(
        adoption=row, by=None, seen_version=1, evidence=evidence, **adopted(adopted_on=datetime.date(2024, 5, 1))
    )
    client = login(client, people[who])
    for url, expected in (
        (f"/city/adoptions/{row.pk}/evidence/", city_url),
        (f"/review/adoptions/rows/{row.pk}/evidence/", province_url),
    ):
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302 and response.url.startswith("/accounts/login/")
        else:
            assert response.status_code == expected


def test_an_excused_row_is_shown_read_only_and_a_post_is_refused(client, province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"])
    row = Adoption.objects.get(city=hanzhong)
    services.excuse(adoption=row, by=people["coordinator"], reason="无此业务")
    client = login(client, people["hanzhong"])
    html = client.get(f"/city/adoptions/{row.pk}/").content.decode()
    assert "省级已免于本市填报：无此业务" in html and 'name="status"' not in html
    assert "不能填报" in post_report(client, row, version=row.version + 1).content.decode()


def test_the_ledger_filters_by_status_batch_and_overdue(client, province):
    xian, hanzhong, people = province
    first = publish(xian, people["coordinator"], n=2, year=2023)
    publish(xian, people["coordinator"], n=1, year=2024)
    AdoptionPlan.objects.filter(batch=first).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    rows = list(Adoption.objects.filter(city=hanzhong, practice__batch_entry__batch=first))
    services.report(adoption=rows[0], by=None, status=AdoptionStatus.NOT_APPLICABLE, seen_version=1, reason="无")
    client = login(client, people["hanzhong"])

    def titles(**query):
        html = client.get("/city/adoptions/", query).content.decode()
        return sorted(
            row.practice.batch_entry.title
            for row in Adoption.objects.filter(city=hanzhong)
            if f"/city/adoptions/{row.pk}/" in html
        )

    every = titles()
    assert len(every) == 3
    assert titles(batch="2023-1") == sorted(r.practice.batch_entry.title for r in rows)
    assert titles(status=AdoptionStatus.NOT_APPLICABLE) == [rows[0].practice.batch_entry.title]
    assert titles(overdue="true") == [rows[1].practice.batch_entry.title]  # open, past its deadline
    assert titles(batch="not-a-batch") == []
    # Each row names its batch as the announcement does, on the card a phone shows too.
    html = client.get("/city/adoptions/").content.decode()
    assert html.count('<td data-label="批次">2023年第一批</td>') == 2
    assert html.count('<td data-label="批次">2024年第一批</td>') == 1


@pytest.mark.parametrize("rows", [1, 3, 50])
def test_the_ledger_costs_the_same_queries_whatever_its_rows(client, province, django_assert_num_queries, rows):
    xian, _hanzhong, people = province
    publish(xian, people["coordinator"], n=rows)
    client = login(client, people["hanzhong"])
    # session, user, groups, membership; the count; the unread count for the header; the indicators of the
    # filter (shared between requests outside a transaction, read here inside the test's); the page of rows with
    # their entries, batches and deadlines
    with django_assert_num_queries(8):
        assert client.get("/city/adoptions/").status_code == 200


# ---------------------------------------------------------------------------------------------------------------
# The province's matrix (/review/adoptions/) and a row as the province sees it

PROVINCE = {
    "anonymous": {"matrix": "login", "row": "login", "deadline": "login", "excuse": "login"},
    "hanzhong": {"matrix": 404, "row": 404, "deadline": 404, "excuse": 404},
    "xian": {"matrix": 404, "row": 404, "deadline": 404, "excuse": 404},
    "reviewer": {"matrix": 200, "row": 200, "deadline": 404, "excuse": 404},
    "coordinator": {"matrix": 200, "row": 200, "deadline": 302, "excuse": 302},
}


@pytest.mark.parametrize("view", ["matrix", "row", "deadline", "excuse"])
@pytest.mark.parametrize("who", list(PROVINCE))
def test_province_permission_matrix(client, province, who, view):
    xian, hanzhong, people = province
    batch = publish(xian, people["coordinator"])
    row = Adoption.objects.get(city=hanzhong)
    later = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
    requests = {
        "matrix": lambda c: c.get("/review/adoptions/"),
        "row": lambda c: c.get(f"/review/adoptions/rows/{row.pk}/"),
        "deadline": lambda c: c.post(f"/review/adoptions/?batch={batch.year}-{batch.sequence}", {"deadline": later}),
        "excuse": lambda c: c.post(f"/review/adoptions/rows/{row.pk}/", {"reason": "无此业务"}),
    }
    response = requests[view](login(client, people[who]))
    expected = PROVINCE[who][view]
    if expected == "login":
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    else:
        assert response.status_code == expected
    changed = {
        "deadline": AdoptionPlan.objects.get(batch=batch).deadline.isoformat() == later,
        "excuse": Adoption.objects.get(pk=row.pk).excused_at is not None,
    }
    assert changed == {
        "deadline": who == "coordinator" and view == "deadline",
        "excuse": who == "coordinator" and view == "excuse",
    }


def test_the_matrix_shows_each_citys_status_and_counts_what_is_answered(client, province):
    xian, hanzhong, people = province
    ankang = CityFactory(code="610900", name="安康市", short_name="安康", order=9)
    batch = publish(xian, people["coordinator"], n=2)
    first, second = (e.practice for e in batch.entries.order_by("number"))
    services.report(
        adoption=Adoption.objects.get(practice=first, city=hanzhong),
        by=None,
        status=AdoptionStatus.ADOPTED,
        seen_version=1,
        adopted_on=datetime.date(2024, 5, 1),
        result="已复制",
    )
    services.excuse(adoption=Adoption.objects.get(practice=second, city=ankang), by=None, reason="无此业务")
    html = login(client, people["reviewer"]).get("/review/adoptions/").content.decode()
    for row in Adoption.objects.all():
        assert (
            f'href="/review/adoptions/rows/{row.pk}/" class="status adoption-{row.status}">{row.get_status_display()}'
            in html
        )
    # answered per entry: the first by 汉中 of its two cities, the second by 安康 (excused); per city likewise
    assert html.count('<td class="num">1/2</td>') == 2 + 2
    assert "已落地" in html and '<span class="meta">免于填报</span>' in html


@pytest.mark.parametrize("entries", [1, 3, 50])
def test_the_matrix_costs_the_same_queries_whatever_its_size(client, province, django_assert_num_queries, entries):
    xian, _hanzhong, people = province
    publish(xian, people["coordinator"], n=entries)
    client = login(client, people["reviewer"])
    # session, user, groups; the batches with their plans; the user's city and the unread count for the header;
    # the entries, the rows; the cities for the columns and for the filter, the indicators for the filter (shared
    # between requests outside a transaction, so read once per process; read here inside the test's, each time).
    # Whether the reviewer may manage is the rules' answer alone (bizenv.web.permissions.can): no query.
    with django_assert_num_queries(11):
        assert client.get("/review/adoptions/").status_code == 200


def test_an_unknown_batch_is_404(client, province):
    _xian, _hanzhong, people = province
    assert login(client, people["reviewer"]).get("/review/adoptions/", {"batch": "2099-9"}).status_code == 404


# ---------------------------------------------------------------------------------------------------------------
# A city declares copying a practice published for reference (参考借鉴)

DECLARE = {"anonymous": "login", "hanzhong": 200, "xian": 404, "reviewer": 404, "coordinator": 404}


@pytest.mark.parametrize("who", list(DECLARE))
def test_who_may_declare_copying_a_reference_practice(client, province, who):
    xian, _hanzhong, people = province
    batch = publish(xian, people["coordinator"], scope=EntryScope.REFERENCE)
    practice = batch.entries.get().practice
    response = login(client, people[who]).get(f"/city/adoptions/practices/{practice.pk}/")
    if DECLARE[who] == "login":
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    else:
        assert response.status_code == DECLARE[who]  # xian: its own practice


def test_a_declared_adoption_becomes_a_voluntary_row_of_the_ledger(client, province):
    xian, hanzhong, people = province
    batch = publish(xian, people["coordinator"], scope=EntryScope.REFERENCE)
    practice = batch.entries.get().practice
    assert not Adoption.objects.exists()  # 参考借鉴: nobody owes it
    client = login(client, people["hanzhong"])
    data = {"results-TOTAL_FORMS": 0, "results-INITIAL_FORMS": 0, "version": 1}
    response = client.post(f"/city/adoptions/practices/{practice.pk}/", {**data, **adopted()})
    row = Adoption.objects.get(city=hanzhong, practice=practice)
    assert response.status_code == 302 and response.url == f"/city/adoptions/{row.pk}/"
    assert (row.owed, row.status, row.result) == (False, AdoptionStatus.ADOPTED, "一日办结")
    assert list(row.events.values_list("kind", flat=True)) == ["created", "reported"]
    # Declared once; asked again, the city is sent to its row.
    again = client.get(f"/city/adoptions/practices/{practice.pk}/")
    assert again.status_code == 302 and again.url == f"/city/adoptions/{row.pk}/"


def test_an_unpublished_practice_cannot_be_declared(client, province):
    xian, _hanzhong, people = province
    draft = PracticeFactory(city=xian, status=Status.APPROVED)
    assert login(client, people["hanzhong"]).get(f"/city/adoptions/practices/{draft.pk}/").status_code == 404


def test_a_batch_older_than_the_linked_ones_is_reached_by_its_name(client, province):
    xian, _hanzhong, people = province
    oldest = publish(xian, people["coordinator"], year=2020)
    for _ in range(12):
        publish(xian, people["coordinator"], year=2024)
    client = login(client, people["reviewer"])
    page = client.get("/review/adoptions/").content.decode()
    assert f"?batch={oldest.year}-{oldest.sequence}" not in page  # only the newest twelve are linked
    response = client.get(f"/review/adoptions/?batch={oldest.year}-{oldest.sequence}")
    assert response.status_code == 200 and response.context["batch"] == oldest
