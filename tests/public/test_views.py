"""The public site: the home page, published batches as announcements, the list with its filters, nothing
unpublished or private."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.http import http_date
from docx import Document

from batches.models import Batch, BatchEntry
from practices import regions
from practices.enums import Status
from practices.services import outside_city
from reviews.models import Review
from reviews.selectors import OPEN_REVIEW
from tests.factories import (
    BatchEntryFactory,
    BatchFactory,
    CityFactory,
    IndicatorFactory,
    PracticeFactory,
    published_batches_in_bulk,
)

pytestmark = pytest.mark.django_db


def published_batch(year=2023, sequence=1, **fields):
    return BatchFactory(year=year, sequence=sequence, status="published", published_at=timezone.now(), **fields)


def entry(batch, number, practice=None, **fields):
    practice = practice or PracticeFactory(status=Status.PUBLISHED)
    defaults = {
        "title": practice.title,
        "city_name": practice.city.name,
        "indicator_name": practice.indicator.name,
        "body": practice.body,
    }
    return BatchEntryFactory(batch=batch, practice=practice, number=number, **{**defaults, **fields})


def test_the_seed_batch_is_the_announcement(client, demo):
    html = client.get("/batches/2022/2/").content.decode()
    assert "2022年第二批优化营商环境典型经验做法" in html
    assert len(re.findall(r"<h2>", html)) == 12
    assert len(re.findall(r'<li value="\d+">', html)) == 21
    assert html.index("<h2>投诉举报处理</h2>") < html.index("2、") < html.index("<h2>开办企业</h2>") < html.index("3、")
    assert "此次推出的36项典型经验做法中" in html


def test_batches_are_listed(client, demo):
    html = client.get("/batches/").content.decode()
    assert 'href="/batches/2022/2/"' in html and "21 项" in html


def test_batches_are_listed_a_page_at_a_time_newest_first(client, db):
    from public.views import BATCH_PAGE

    for sequence in range(1, BATCH_PAGE + 2):
        published_batch(year=2030, sequence=sequence)
    first, second = (client.get("/batches/", {"page": n}).content.decode() for n in (1, 2))
    assert 'href="/batches/2030/31/"' in first and 'href="/batches/2030/2/"' in first
    assert 'href="/batches/2030/1/"' not in first and 'href="/batches/2030/1/"' in second
    assert f"共 {BATCH_PAGE + 1} 项" in first


def year_index(html: str) -> list[tuple[str, str]]:
    """The year index as (link, what follows it): ("全部批次", ""), ("2023年", "1 批 · 2 项") …"""
    nav = re.search(r'<nav aria-label="按年份">(.*?)</nav>', html, re.S).group(1)
    rows = re.findall(r"<li><a [^>]*>(.*?)</a>(.*?)</li>", nav, re.S)
    return [(link, re.sub(r"<[^>]+>", "", rest).strip()) for link, rest in rows]


def test_batches_are_grouped_under_their_years_below_an_index_of_the_years(client, db):
    for year, sequence, entries in [(2023, 1, 2), (2021, 1, 1), (2021, 2, 3)]:
        batch = published_batch(year, sequence)
        for number in range(1, entries + 1):
            entry(batch, number)
    BatchFactory(year=2024, sequence=1)  # a draft: neither listed nor counted
    html = client.get("/batches/").content.decode()
    assert year_index(html) == [("全部批次", ""), ("2023年", "1 批 · 2 项"), ("2021年", "2 批 · 4 项")]
    assert 'href="/batches/?year=2021"' in html and 'href="/batches/" aria-current="page"' in html
    assert re.findall(r"<h2>(.*?)</h2>|/batches/(\d+/\d+)/", html) == [
        ("2023年", ""),
        ("", "2023/1"),
        ("2021年", ""),
        ("", "2021/2"),
        ("", "2021/1"),
    ]
    one = client.get("/batches/", {"year": "2021"})
    html = one.content.decode()
    assert one.status_code == 200 and "<title>2021年 · 已发布批次" in html
    assert 'href="/batches/?year=2021" aria-current="page"' in html and 'href="/batches/" aria-current' not in html
    assert re.findall(r"<h2>(.*?)</h2>", html) == ["2021年"]
    assert 'href="/batches/2021/1/"' in html and 'href="/batches/2023/1/"' not in html


def test_one_years_batches_are_paged_and_the_pages_keep_the_year(client, db):
    from public.views import BATCH_PAGE

    published_batch(2029, 1)
    for sequence in range(1, BATCH_PAGE + 2):
        published_batch(year=2030, sequence=sequence)
    first, second = (client.get("/batches/", {"year": 2030, "page": n}).content.decode() for n in (1, 2))
    assert f"共 {BATCH_PAGE + 1} 项" in first and 'href="?year=2030&amp;page=2"' in first
    assert 'href="/batches/2030/2/"' in first and 'href="/batches/2030/1/"' not in first
    assert 'href="/batches/2030/1/"' in second and "/batches/2029/1/" not in second


@pytest.mark.parametrize(
    ("year", "status", "message"),
    [
        ("abc", 400, "请输入四位数字的年份，如 2022。"),
        ("２０２３", 400, "请输入四位数字的年份，如 2022。"),
        ("2019", 404, "2019年没有已发布的批次。"),
        ("0000", 404, "0年没有已发布的批次。"),
    ],
)
def test_a_year_that_is_not_one_or_has_no_batches_is_told_with_the_index(client, db, year, status, message):
    published_batch(2023, 1)
    response = client.get("/batches/", {"year": year, "page": "x"})
    html = response.content.decode()
    assert response.status_code == status and f'<p class="errors" role="alert">{message}</p>' in html
    assert year_index(html)[1] == ("2023年", "1 批 · 0 项") and "/batches/2023/1/" not in html
    assert "尚未发布任何批次" not in html


def test_the_batch_list_without_batches_says_so(client, db):
    html = client.get("/batches/").content.decode()
    assert "尚未发布任何批次。" in html and "按年份" not in html


@pytest.mark.parametrize("batches", [3, 2000])
def test_the_batch_list_is_small_and_its_query_count_does_not_grow_with_batches(
    client, db, django_assert_num_queries, django_capture_on_commit_callbacks, batches
):
    published_batches_in_bulk(batches)  # over a hundred years: the longest year index there can be
    # The generation (the page's and the statistics'), the year index (kept in the cache once the request commits),
    # the count, the page.
    with django_assert_num_queries(4), django_capture_on_commit_callbacks(execute=True):
        assert client.get("/batches/").status_code == 200
    with django_assert_num_queries(1):  # the same address: the page kept whole (public/pagecache.py)
        assert client.get("/batches/").status_code == 200
    for query in [{"page": 1}, {"page": 2}, {"year": 2099}, {"year": 2099, "page": 2}]:
        with django_assert_num_queries(3):  # other pages: the year index from the cache, until the next publication
            response = client.get("/batches/", query)
        assert response.status_code == 200 and len(response.content) < 60_000
    with django_assert_num_queries(2):  # a year with nothing: no page to read
        assert client.get("/batches/", {"year": 1999}).status_code == 404


def test_an_export_is_built_once_per_version_of_the_batch(client, demo):
    from batches.models import Erratum

    first = client.get("/batches/2022/2/export.csv").content.decode("utf-8-sig")
    assert client.get("/batches/2022/2/export.csv").content.decode("utf-8-sig") == first
    assert "第3项标题更正" not in docx_text(client.get("/batches/2022/2/export.docx").content)  # now kept
    Erratum.objects.create(batch=Batch.objects.get(year=2022, sequence=2), text="第3项标题更正。")
    docx_after = client.get("/batches/2022/2/export.docx")
    assert docx_after.status_code == 200 and "第3项标题更正" in docx_text(docx_after.content)


def docx_text(content: bytes) -> str:
    import io

    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_unpublished_is_404_to_the_public(client, db):
    draft_batch = BatchFactory(year=2024, sequence=1)
    approved = PracticeFactory(status=Status.APPROVED)
    BatchEntryFactory(batch=draft_batch, practice=approved, number=1)
    assert client.get("/batches/2024/1/").status_code == 404
    assert client.get(f"/practices/{approved.pk}/").status_code == 404
    assert client.get(f"/practices/{PracticeFactory().pk}/").status_code == 404
    assert approved.title not in client.get("/practices/").content.decode()


def test_contact_details_never_appear_publicly(client, db):
    practice = PracticeFactory(status=Status.PUBLISHED, contact_name="保密联系人", contact_phone="029-99990000")
    batch = published_batch()
    entry(batch, 1, practice)
    for url in ["/", "/batches/", "/batches/2023/1/", "/practices/", f"/practices/{practice.pk}/"]:
        html = client.get(url).content.decode()
        assert "保密联系人" not in html and "029-99990000" not in html, url


def test_a_published_practice_does_not_change_when_edited_later(client, db):
    practice = PracticeFactory(status=Status.PUBLISHED, title="发布时的标题", body="发布时的正文。")
    entry(published_batch(), 1, practice)
    practice.title, practice.body = "之后改的标题", "之后改的正文。"
    practice.save()
    html = client.get(f"/practices/{practice.pk}/").content.decode()
    assert "发布时的标题" in html and "发布时的正文。" in html and "之后改的" not in html


def test_list_filters(client, db):
    xian = CityFactory(code="610100", name="西安市", short_name="西安")
    hanzhong = CityFactory(code="610700", name="汉中市", short_name="汉中")
    tax = IndicatorFactory(name="纳税", slug="paying-taxes")
    first, second = published_batch(2022, 2), published_batch(2023, 1)
    a = entry(first, 1, PracticeFactory(city=xian, indicator=tax, status=Status.PUBLISHED, title="西安办税"))
    b = entry(second, 1, PracticeFactory(city=hanzhong, status=Status.PUBLISHED, title="汉中开办"))
    cases = {
        "city=610100": [a],
        "indicator=paying-taxes": [a],
        "batch=2023-1": [b],
        "year=2022": [a],
        "q=开办": [b],
        "q=西安 办税": [a],
        "batch=oops": [],
    }
    for query, expected in cases.items():
        html = client.get(f"/practices/?{query}").content.decode()
        shown = [e for e in (a, b) if f'href="/practices/{e.practice_id}/"' in html]
        assert shown == expected, query


def test_a_reader_may_filter_the_list_by_a_region_outside_the_province(client, db):
    xian = CityFactory(code="610100", name="西安市", short_name="西安", order=10)
    rizhao = outside_city(regions.get("371100"))
    batch = published_batch(2024, 1)
    ours = entry(batch, 1, PracticeFactory(city=xian, status=Status.PUBLISHED, title="西安推行拿地即开工"))
    theirs = entry(batch, 2, PracticeFactory(city=rizhao, status=Status.PUBLISHED, title="日照推行一窗受理"))
    html = client.get("/practices/", {"city": "371100"}).content.decode()
    assert f'href="/practices/{theirs.practice_id}/"' in html and f'href="/practices/{ours.practice_id}/"' not in html
    select = re.search(r'<select name="city"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="(\d*)"', select) == ["", "610100", "371100"]  # the province's own first
    assert client.get("/api/v1/practices/", {"city": "371100"}).json()["count"] == 1


@pytest.mark.parametrize("name", ["oops", "2023", "2023-", "23-1", "2023-1-1", "第一批"])
def test_a_batch_that_is_no_batchs_name_is_said_to_be_wrong(client, db, name):
    listed = f'href="/practices/{entry(published_batch(2023, 1), 1).practice_id}/"'
    assert listed in client.get("/practices/", {"batch": "2023-1"}).content.decode()
    html = client.get("/practices/", {"batch": name}).content.decode()
    assert "请从列表中选择，或写作“2022-2”“2022年第二批”。" in html and listed not in html
    response = client.get("/api/v1/practices/", {"batch": name})
    assert response.status_code == 400
    assert response.json() == {"errors": {"batch": ["批次：请从列表中选择，或写作“2022-2”“2022年第二批”。"]}}


def test_public_attachments_only(client, db, media):
    practice = PracticeFactory(status=Status.PUBLISHED)
    entry(published_batch(), 1, practice)
    from django.core.files.base import ContentFile

    public = practice.attachments.create(
        original_name="公开.pdf", content_type="application/pdf", size=5, is_public=True
    )
    public.file.save("x", ContentFile(b"%PDF-"))
    private = practice.attachments.create(original_name="内部.pdf", content_type="application/pdf", size=5)
    private.file.save("y", ContentFile(b"%PDF-"))
    html = client.get(f"/practices/{practice.pk}/").content.decode()
    assert "公开.pdf" in html and "内部.pdf" not in html
    assert client.get(f"/practices/{practice.pk}/attachments/{public.pk}/").status_code == 200
    assert client.get(f"/practices/{practice.pk}/attachments/{private.pk}/").status_code == 404


@pytest.mark.parametrize("rows", [1, 3, 30])
def test_public_query_counts_do_not_grow(client, db, django_assert_num_queries, rows):
    batch = published_batch()
    for number in range(1, rows + 1):
        entry(batch, number)
    # the generation the page is kept under (public/pagecache.py), the filter's cities, indicators and published
    # batches (read every time inside the test's transaction: tests/bizenv/test_fast.py has a server process's two
    # queries), the count, the page of entries
    with django_assert_num_queries(6):
        client.get("/practices/")
    practice = BatchEntry.objects.first().practice
    filtered = {"city": practice.city.code, "indicator": practice.indicator.slug, "batch": "2023年第一批"}
    with django_assert_num_queries(6):  # the same: the chosen city and indicator are found among the choices
        assert f'href="/practices/{practice.pk}/"' in client.get("/practices/", filtered).content.decode()
    # the generation, the batch and its errata, when its 台账 last changed (for Last-Modified, then the page), its
    # entries, how many cities adopted each
    with django_assert_num_queries(6):
        client.get("/batches/2023/1/")
    assert BatchEntry.objects.count() == rows


def test_public_pages_do_not_read_the_text_a_batch_was_imported_from(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    practice = entry(published_batch(source_text="公告原文" * 20_000), 1).practice
    urls = ["/practices/", f"/practices/{practice.pk}/", "/api/v1/practices/", "/batches/2023/1/"]
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert [q["sql"] for q in captured.captured_queries if "source_text" in q["sql"]] == [], url


@pytest.mark.parametrize(
    "url",
    [
        "/practices/?batch=²-1",
        "/api/v1/practices/?batch=²-1",
        "/api/v1/batches/?year=²",
        "/practices/99999999999999999999/",
        "/practices/1/attachments/99999999999999999999/",
        "/city/practices/99999999999999999999/",
    ],
)
def test_odd_urls_never_crash(client, db, url):
    assert client.get(url).status_code in (200, 302, 400, 404)


def test_the_list_pages_through_its_rows(client, db):
    batch = published_batch()
    for number in range(1, 32):
        entry(batch, number)
    first = client.get("/practices/", {"year": 2023}).content.decode()
    assert "第 1/2 页，共 31 项" in first and "year=2023&amp;page=2" in first
    assert "第 2/2 页，共 31 项" in client.get("/practices/", {"year": 2023, "page": 2}).content.decode()


def test_a_list_row_shows_its_entry_escaped_and_links_to_it(client, db):
    practice = PracticeFactory(status=Status.PUBLISHED, title='<script>alert("x")</script> & 一网通办')
    entry(published_batch(2022, 2), 7, practice, city_name="西安市<b>", indicator_name="")
    html = client.get("/practices/").content.decode()
    row = re.search(r"<tr><td>.*?</tr>", html, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == [
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 一网通办",
        "西安市&lt;b&gt;",
        "—",
        "2022年第二批 第7项",
    ]
    assert "<script>" not in html
    links = re.findall(r'href="([^"]+)"', row)
    assert links == [f"/practices/{practice.pk}/", "/batches/2022/2/"]
    assert [client.get(link).status_code for link in links] == [200, 200]


def test_an_announcement_item_shows_its_entry_escaped_and_links_to_it(client, db):
    practice = PracticeFactory(status=Status.PUBLISHED, title='<script>alert("x")</script> & 一网通办')
    entry(published_batch(2022, 2), 7, practice, city_name="西安市<b>")
    html = client.get("/batches/2022/2/").content.decode()
    item = re.search(r'<li value="7">.*?</li>', html, re.S).group(0)
    assert (
        re.sub(r"<[^>]+>", "", item)
        == "7、&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 一网通办 西安市&lt;b&gt;"
    )
    assert "<script>" not in html
    links = re.findall(r'href="([^"]+)"', item)
    assert links == [f"/practices/{practice.pk}/"] and client.get(links[0]).status_code == 200


def test_an_unknown_city_or_indicator_is_an_error_not_an_empty_list(client, db):
    entry(published_batch(), 1)
    for query, error in (({"city": "999999"}, "城市：没有这个城市"), ({"indicator": "no-such"}, "指标：没有这个指标")):
        html = client.get("/practices/", query).content.decode()
        assert 'role="alert"' in html and error in html, query
        assert "<tbody>" not in html, query


def batch_options(html: str) -> list[tuple[str, str, bool]]:
    """The batch filter's options: (value, label, selected)."""
    select = re.search(r'<select name="batch"[^>]*>(.*?)</select>', html, re.S).group(1)
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    return [(value, label, bool(selected)) for value, selected, label in found]


def test_the_batch_filter_offers_the_published_batches_by_name(client, db):
    entry(published_batch(2022, 2), 1)
    entry(published_batch(2023, 1), 1)
    BatchFactory(year=2024, sequence=1)  # a draft: not offered
    assert batch_options(client.get("/practices/").content.decode()) == [
        ("", "全部批次", True),
        ("2023-1", "2023年第一批", False),
        ("2022-2", "2022年第二批", False),
    ]


@pytest.mark.parametrize("asked", ["2022-2", "2022年第二批", "2022年第2批", "２０２２－２"])
def test_a_batch_is_filtered_however_it_is_written(client, db, asked):
    wanted = entry(published_batch(2022, 2), 14)
    other = entry(published_batch(2022, 3), 1)
    html = client.get("/practices/", {"batch": asked}).content.decode()
    assert f'href="/practices/{wanted.practice_id}/"' in html and f'href="/practices/{other.practice_id}/"' not in html
    assert ("2022-2", "2022年第二批", True) in batch_options(html) and 'role="alert"' not in html
    data = client.get("/api/v1/practices/", {"batch": asked}).json()
    assert [row["id"] for row in data["results"]] == [wanted.practice_id]


def test_a_batch_not_published_finds_nothing_and_says_which(client, db):
    entry(published_batch(2022, 2), 1)
    html = client.get("/practices/", {"batch": "2099年第一批"}).content.decode()
    assert "没有符合条件的经验做法。" in html and 'role="alert"' not in html
    assert batch_options(html)[-1] == ("2099-1", "2099年第一批", True)
    assert client.get("/api/v1/practices/", {"batch": "2099-1"}).json()["count"] == 0


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"year": "abc"}, "year", "年份：请输入数字。"),
        ({"year": "1800"}, "year", "年份：请输入 1949 到 2100 之间的年份。"),
        ({"year": "2022.5"}, "year", "年份：请输入整数。"),
        ({"batch": "abc"}, "batch", "批次：请从列表中选择，或写作“2022-2”“2022年第二批”。"),
        ({"city": "999999"}, "city", "城市：没有这个城市，请从列表中选择。"),
    ],
)
def test_every_filter_error_names_its_field(client, db, query, field, message):
    entry(published_batch(), 1)
    html = client.get("/practices/", query).content.decode()
    assert f'<p id="id_{field}_error">{message}</p>' in html
    assert f"id_{field}_error" in re.search(rf'<[^>]* name="{field}"[^>]*>', html).group(0)  # aria-describedby
    assert "<tbody>" not in html
    response = client.get("/api/v1/practices/", query)
    assert response.status_code == 400 and response.json() == {"errors": {field: [message]}}


def test_the_apis_other_errors_name_their_field_too(client, db):
    assert client.get("/api/v1/batches/", {"year": "abc"}).json() == {
        "errors": {"year": ["年份：请输入四位数字的年份，如 2022。"]}
    }
    assert client.get("/api/v1/adoptions/", {"practice": "abc"}).json() == {
        "errors": {"practice": ["经验做法：请输入整数。"]}
    }
    assert client.get("/api/v1/adoptions/", {"batch": "abc"}).json() == {
        "errors": {"batch": ["批次：请写作“2022-2”或“2022年第二批”。"]}
    }
    assert client.get("/api/v1/adoptions/", {"batch": "2022年第二批"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_batch_filter_reads_the_published_batches_once_per_process_and_sees_a_publication_at_once(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    entry(published_batch(2022, 2), 1)

    def batch_queries():
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/practices/").content.decode()
        return [q for q in queries.captured_queries if 'FROM "batches_batch"' in q["sql"]], html

    first, _html = batch_queries()
    assert len(first) == 1
    again, html = batch_queries()
    assert again == [] and [label for _v, label, _s in batch_options(html)] == ["全部批次", "2022年第二批"]
    entry(published_batch(2022, 3), 1)
    _queries, html = batch_queries()
    assert [label for _v, label, _s in batch_options(html)] == ["全部批次", "2022年第三批", "2022年第二批"]


def test_a_batch_shows_the_announcements_own_date_and_what_it_lacks(client, db):
    import datetime

    complete = published_batch(2021, 1, announced_on=datetime.date(2021, 6, 30), announced_total=2)
    for number in (1, 2):
        entry(complete, number)
    short = published_batch(2021, 2, announced_on=None, announced_total=36)
    entry(short, 1)
    html = client.get("/batches/2021/1/").content.decode()
    assert "2021年6月30日发布" in html and "原文共" not in html and "发布日期不详" not in html
    html = client.get("/batches/2021/2/").content.decode()
    assert "发布日期不详" in html and "原文共36项，本库收录1项（原文不完整）" in html
    listed = client.get("/batches/").content.decode()
    assert listed.count("原文不完整") == 1 and "2021年6月30日发布" in listed
    data = {(b["sequence"]): b for b in client.get("/api/v1/batches/").json()["results"]}
    assert (data[1]["announced_on"], data[1]["announced_count"], data[1]["incomplete"]) == ("2021-06-30", 2, False)
    assert (data[2]["announced_on"], data[2]["incomplete"], data[2]["notice"]) == (
        None,
        True,
        "原文共36项，本库收录1项（原文不完整）",
    )


def test_a_garbled_entry_says_so_on_its_page_beside_its_item_and_in_the_api(client, db):
    batch = published_batch(2022, 2)
    garbled, clean = entry(batch, 1, garbled=True), entry(batch, 2)
    html = client.get("/batches/2022/2/").content.decode()
    items = dict(re.findall(r'<li value="(\d+)">(.*?)</li>', html, re.S))
    assert "原文此处存在乱码，内容照录原文" in items["1"] and "乱码" not in items["2"]
    assert "原文此处存在乱码，内容照录原文" in client.get(f"/practices/{garbled.practice_id}/").content.decode()
    assert "乱码" not in client.get(f"/practices/{clean.practice_id}/").content.decode()
    rows = {r["number"]: r["garbled"] for r in client.get("/api/v1/practices/").json()["results"]}
    assert rows == {1: True, 2: False}
    # And wherever the text is taken away: the print page and the Word file.
    for shown, noted in ((garbled, True), (clean, False)):
        printed = client.get(f"/practices/{shown.practice_id}/print/").content.decode()
        word = Document(io.BytesIO(client.get(f"/practices/{shown.practice_id}/export.docx").content))
        assert ("原文此处存在乱码，内容照录原文" in printed) is noted
        assert ("（原文此处存在乱码，内容照录原文）" in [p.text for p in word.paragraphs]) is noted


# ---------------------------------------------------------------------------------------------------------------
# The home page


def test_home_page_for_the_public_is_in_chinese(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert "优化营商环境典型经验做法" in html and "成熟一批、推出一批" in html
    assert 'href="/accounts/login/' in html


def test_home_page_in_english_from_the_catalogue(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "Typical practices for improving the business environment" in html
    assert "优化营商环境典型经验做法" not in html


def test_stylesheet_is_served_by_the_app(client):
    html = client.get("/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/bizenv.css">' in html
    assert "http://" not in html and "https://" not in html
    css = client.get("/static/css/bizenv.css")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    assert "Noto Sans CJK SC" in b"".join(css.streaming_content).decode()


def test_city_official_signs_in_and_sees_their_citys_work(client, demo):
    # Signing in from the home page's own link lands on /city/ (tests/bizenv/test_accounts.py); back to it here.
    response = client.post("/accounts/login/", {"username": "xian", "password": "demo", "next": "/"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [("/", 302)]
    assert "西安市填报员 · 西安市 · 填报员" in html
    assert "西安市的经验做法" in html
    assert "草稿" in html and "退回修改" in html


def test_coordinator_does_not_see_city_drafts(client, demo):
    client.force_login(get_user_model().objects.get(username="coordinator"))
    html = client.get("/").content.decode()
    assert "各市提交的经验做法" in html and "已提交" in html
    assert "草稿" not in html


def test_reviewer_sees_open_assignments(client, demo):
    open_reviews = Review.objects.filter(OPEN_REVIEW, reviewer__username="reviewer_xian").count()
    assert open_reviews > 0
    client.force_login(get_user_model().objects.get(username="reviewer_xian"))
    assert f"您有 {open_reviews} 项待完成的评审。" in client.get("/").content.decode()


def test_home_lists_published_batches_with_their_counts(client, demo):
    html = client.get("/").content.decode()
    batch = Batch.objects.get(year=2022, sequence=2)
    assert batch.title in html
    assert f"已发布 1 批、{batch.entries.count()} 项经验做法" in html
    assert f"{batch.entries.count()} 项" in html


def test_home_without_batches_says_so(client, db):
    assert "尚未发布任何批次。" in client.get("/").content.decode()


@pytest.mark.parametrize("batches", [1, 3, 12])
def test_home_query_count_does_not_grow_with_batches(
    client, db, django_assert_num_queries, django_capture_on_commit_callbacks, batches
):
    for sequence in range(1, batches + 1):
        batch = BatchFactory(sequence=sequence, status="published", published_at=timezone.now())
        BatchEntryFactory.create_batch(2, batch=batch)

    # The generation (the page's and the statistics'), the totals (kept in the cache once the request commits), the
    # latest batches.
    def page(url="/"):
        return client.get(url).content.decode()

    with django_assert_num_queries(3), django_capture_on_commit_callbacks(execute=True):
        first = page()
    with django_assert_num_queries(1):  # the generation: the page is kept whole until the next change
        assert page() == first
    with django_assert_num_queries(2):  # another address, another page: the totals from the cache
        assert "已发布" in page("/?from=feed")


# ---------------------------------------------------------------------------------------------------------------
# 复制推广 on the public pages: only what cities marked 已落地


def test_a_practice_page_says_where_it_was_copied_and_nothing_else(client, demo):
    from adoptions.enums import AdoptionStatus
    from adoptions.models import Adoption

    practice = BatchEntry.objects.get(batch__year=2022, batch__sequence=2, number=3).practice
    rows = list(Adoption.objects.filter(practice=practice).select_related("city"))
    adopted = [row for row in rows if row.status == AdoptionStatus.ADOPTED]
    html = client.get(f"/practices/{practice.pk}/").content.decode()
    assert f"已在 {len(adopted)} 个市（区）复制落地" in html and len(adopted) > 1
    for row in adopted:
        assert row.city.name in html and row.result in html
        for measured in row.results.all():
            assert f"{measured.measure}：{measured.before} → {measured.after} {measured.unit}" in html
    for row in rows:
        if row.status != AdoptionStatus.ADOPTED:
            assert not row.reason or row.reason not in html
            assert not row.excuse or row.excuse not in html
    untouched = BatchEntry.objects.get(batch__year=2022, batch__sequence=2, number=21).practice
    assert "复制落地" not in client.get(f"/practices/{untouched.pk}/").content.decode()


@pytest.mark.parametrize("who, shown", [(None, False), ("hanzhong", True), ("xian", False), ("coordinator", False)])
def test_a_city_official_of_another_city_is_offered_to_report_copying(client, demo, who, shown):
    from django.contrib.auth import get_user_model

    practice = BatchEntry.objects.get(batch__year=2022, batch__sequence=2, number=1).practice  # 西安's
    if who:
        client.force_login(get_user_model().objects.get(username=who))
    html = client.get(f"/practices/{practice.pk}/").content.decode()
    assert (f'href="/city/adoptions/practices/{practice.pk}/"' in html) == shown


def test_the_announcement_gives_each_items_adopting_cities(client, demo):
    from adoptions.models import Adoption

    html = client.get("/batches/2022/2/").content.decode()
    counts = {}
    for row in Adoption.objects.filter(status="adopted"):
        counts[row.practice_id] = counts.get(row.practice_id, 0) + 1
    for entry in BatchEntry.objects.filter(batch__year=2022, batch__sequence=2):
        item = html.split(f'href="/practices/{entry.practice_id}/"', 1)[1].split("</li>", 1)[0]
        n = counts.get(entry.practice_id)
        assert (f"已在 {n} 个市（区）复制落地" in item) if n else ("复制落地" not in item)


def test_a_published_practice_links_to_its_word_file_and_print_page(client, published_practice):
    html = client.get(f"/practices/{published_practice.practice_id}/").content.decode()
    assert f'<a href="/practices/{published_practice.practice_id}/export.docx">下载 Word</a>' in html
    assert f'<a href="/practices/{published_practice.practice_id}/print/">打印</a>' in html


def test_the_print_page_is_the_published_text_alone(client, published_practice):
    response = client.get(f"/practices/{published_practice.practice_id}/print/")
    assert response.status_code == 200
    html = response.content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    for part in [
        "推行企业开办“一网通办”",
        "2023年第二批 第14项",
        "西安市 · 开办企业",
        "企业开办全流程网上办理。",
        "一是整合开办环节。",
        "二是推行电子营业执照。",
        "开办时间由5个工作日压缩至1个。",
        "企业开办时间",
        "5 个工作日",
        "98 %",
    ]:
        assert part in text, part
    assert not [s for s in ["之后改的标题", "保密联系人", "029-99990000", "仅省级可见的备注"] if s in html]
    # No site header, navigation or footer; nothing inline for the Content-Security-Policy to refuse.
    assert "<nav" not in html and "site-header" not in html and "site-footer" not in html
    assert "<style" not in html and " style=" not in html
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", html))


def test_the_print_page_is_styled_for_a4_paper(client, published_practice):
    from pathlib import Path

    from django.conf import settings
    from django.contrib.staticfiles import finders

    html = client.get(f"/practices/{published_practice.practice_id}/print/").content.decode()
    (href,) = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    css = Path(finders.find(href.removeprefix("/" + settings.STATIC_URL.strip("/") + "/"))).read_text("utf-8")
    page = re.search(r"@page\s*\{([^}]*)\}", css)
    assert page and re.search(r"size:\s*A4\b", page.group(1))
    print_rules = css[css.index("@media print") :]
    assert re.search(r"\.print-tools\s*\{[^}]*display:\s*none", print_rules)  # the button is not printed
    assert 'class="print-tools"' in html


def test_the_print_page_is_404_until_published_and_answers_conditional_requests(
    client, published_practice, django_assert_num_queries
):
    approved = PracticeFactory(status=Status.APPROVED)
    BatchEntryFactory(batch=BatchFactory(year=2024, sequence=1), practice=approved, number=1)
    assert client.get(f"/practices/{approved.pk}/print/").status_code == 404
    assert client.get(f"/practices/{PracticeFactory().pk}/print/").status_code == 404
    url = f"/practices/{published_practice.practice_id}/print/"
    with django_assert_num_queries(2):  # the generation the page is kept under, the published entry with its batch
        first = client.get(url)
    assert first["Last-Modified"] == http_date(published_practice.batch.published_at.timestamp())
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    english = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200  # its button and link are in the reader's language


# ---------------------------------------------------------------------------------------------------------------
# /api/: the API documented from its OpenAPI document


def test_the_api_page_documents_every_path_of_the_document(client, demo, django_assert_num_queries):
    from django.utils.html import escape

    from public import openapi

    doc = openapi.document("zh-hans")  # the page a visitor without a language preference gets
    with django_assert_num_queries(3):  # the generation; a published practice and an adoption for the examples
        page = client.get("/api/").content.decode()
    assert set(re.findall(r'<h2 id="\w+"><code>GET (\S+)</code></h2>', page)) == set(doc["paths"])
    sections = {s.split('"', 1)[0]: s for s in page.split('<section class="panel" aria-labelledby="')[1:]}
    for path, methods in doc["paths"].items():
        operation = methods["get"]
        section = sections[operation["operationId"]]
        assert escape(operation["summary"]) in section and escape(operation["description"]) in section, path
        for parameter in operation.get("parameters", []):
            parameter = openapi.resolve(doc, parameter)
            assert f'<th scope="row"><code>{parameter["name"]}</code></th>' in section, (path, parameter["name"])
            assert escape(parameter["description"]) in section, (path, parameter["name"])
        for status, response in operation["responses"].items():
            assert f'<th scope="row">{status}</th><td>{escape(response["description"])}</td>' in section, path
        schema = openapi.resolve(doc, operation["responses"]["200"]["content"]["application/json"]["schema"])
        if schema.get("additionalProperties") is False:  # a record, or a page of them
            record = (
                openapi.resolve(doc, schema["properties"]["results"]["items"])
                if "next" in schema["properties"]
                else schema
            )
            for name in record["properties"]:
                assert f'<th scope="row"><code>{name}</code></th>' in section, (path, name)
        assert f"curl &#x27;http://testserver{path.split('{')[0]}" in section, path  # examples at the site's address
    assert 'href="/api/v1/openapi.json"' in page
    for name in ("count", "count_capped", "next", "previous"):  # the pages' own fields
        assert f'<th scope="row"><code>{name}</code></th>' in sections["paging"]


def test_the_api_page_in_english_and_before_anything_is_published(client, db):
    for language in ("en", "zh-hans"):
        response = client.get("/api/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200 and 'href="/api/v1/openapi.json"' in response.content.decode()


def test_every_page_links_to_the_api_page(client, db):
    assert '<a href="/api/">数据接口</a>' in client.get("/").content.decode()
