"""search/ranking.py: complete on verbatim substrings, script-blind, AND and phrases, ranked in a window, filtered
by facets, the same queries at any size.

Every test runs on the database under test (SQLite's FTS5 or PostgreSQL's tsvector), and the expected ids come
from a plain substring match on the folded text, so both engines are held to the same answers.
"""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from batches.selectors import published_entries
from batches.services import batch_add, batch_publish
from practices import search
from practices.enums import Status
from practices.models import Practice
from practices.search import index
from practices.search.text import parse_query
from public.filters import PublicPracticeFilter, searched
from tests.factories import (
    BatchEntryFactory,
    BatchFactory,
    CityFactory,
    IndicatorFactory,
    PracticeFactory,
    UserFactory,
)
from tests.practices.search.common import QUERIES, expected, found, index_kinds


def test_every_verbatim_substring_finds_its_practice(corpus):
    @hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data):
        practice = data.draw(st.sampled_from(corpus))
        text = data.draw(st.sampled_from([practice.title, practice.summary, practice.body]))
        start = data.draw(st.integers(0, len(text) - 2))
        query = text[start : start + data.draw(st.integers(2, 12))]
        assert practice.pk in found(query), query

    check()


@pytest.mark.parametrize("query", QUERIES)
def test_results_are_exactly_the_texts_that_hold_every_term(corpus, query):
    assert set(found(query)) == expected(query, corpus)


def test_traditional_and_simplified_queries_find_the_same(db):
    tax = PracticeFactory(title="优化纳税服务", body="推行“非接触式”办税。")
    power = PracticeFactory(title="獲得電力：壓縮辦電時間", body="供電企業主動服務。")
    assert found("納稅") == found("纳税") == [tax.pk]
    assert found("獲得電力") == found("获得电力") == [power.pk]
    assert found("供电") == [power.pk]  # text written in Traditional, asked for in Simplified


def test_terms_must_all_match_and_a_quoted_phrase_must_be_adjacent(db):
    together = PracticeFactory(title="企业服务专区", body="为企业服务。")
    apart = PracticeFactory(title="服务型政府", body="企业开办一网通办。")
    assert set(found("企业 服务")) == {together.pk, apart.pk}
    assert found('"企业服务"') == [together.pk]
    assert found("“企业 服务”") == [together.pk]  # Chinese quotes too; spaces inside a phrase do not count
    assert found("企业 服务 专区") == [together.pk]


def test_the_public_search_finds_a_phrase_only_where_its_pieces_are_adjacent(client, db):
    """The window reads the practices holding every piece of a term, then checks the phrase in each of them (the
    API and the public list share the search: public.filters.searched())."""
    batch = BatchFactory(year=2023, sequence=1, status="published", published_at=timezone.now())
    together = PracticeFactory(status=Status.PUBLISHED, title="登记改革", body="推进不动产登记一窗受理。")
    apart = PracticeFactory(status=Status.PUBLISHED, title="登记改革", body="不动产、产登、登记分开办理。")
    for number, practice in enumerate([together, apart], start=1):
        BatchEntryFactory(batch=batch, practice=practice, number=number, title=practice.title, body=practice.body)
    for query in ["不动产登记", '"不动产 登记"', "不动产登记 改革", "产登记"]:
        for url in ["/api/v1/practices/", f"/api/v1/practices/?city={together.city.code}"]:
            results = client.get(url, {"q": query}).json()["results"]
            assert [r["id"] for r in results] == [together.pk], (query, url)
    assert {r["id"] for r in client.get("/api/v1/practices/", {"q": "不动产 登记"}).json()["results"]} == {
        together.pk,
        apart.pk,
    }


def test_a_similarity_probe_finds_its_characters_only_where_they_are_adjacent(db):
    together = PracticeFactory(title="登记改革", body="推进不动产登记一窗受理。")
    PracticeFactory(title="登记改革", body="不动产、产登、登记分开办理。")
    sql, params = search.backend().probe_sql(parse_query("不动产登"), 10)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert [row[0] for row in cursor.fetchall()] == [together.pk]


def test_a_title_hit_ranks_above_a_body_hit(db):
    in_body = PracticeFactory(title="提升审批效率", body="全面推行电子证照，" * 3)
    in_title = PracticeFactory(title="电子证照全省互认", body="提升审批效率。")
    assert found("电子证照") == [in_title.pk, in_body.pk]


def test_an_empty_or_punctuation_only_query_leaves_the_list_alone(db):
    practices = [PracticeFactory(), PracticeFactory()]
    queryset = Practice.objects.order_by("pk")
    assert search.search(queryset, "  “”。，") is queryset
    assert list(search.matching(queryset, "")) == practices


def test_counts_stop_at_the_window(db, monkeypatch):
    monkeypatch.setattr(index, "RANK_WINDOW", 5)
    for _ in range(7):
        PracticeFactory(title="不见不散")
    results = search.search(Practice.objects.all(), "不见")
    assert len(results) == 5 and results.capped
    assert len(results[0:5]) == 5


@pytest.mark.parametrize("through", ["facets", "queryset"])
def test_the_window_holds_the_newest_matches_across_segments(db, monkeypatch, through):
    """Equal ranks, more matches than the window: it holds the highest ids, wherever their segments
    (PostgreSQL reads the newest 10,000 ids, then the 20,000 before, and so on; FTS5 reads its rowids newest
    first), and shows them newest first, with every index."""
    city = CityFactory()
    ids = [3, 4, 5, 6, 7, 8, 10_000, 25_000, 60_000]
    for pk in ids:
        PracticeFactory(id=pk, city=city, title="不见不散")
    PracticeFactory(id=60_001, title="后会有期")  # the newest, without the term
    tokens = search.facets(city=city.pk) if through == "facets" else None
    for rum in index_kinds():
        monkeypatch.setattr(index, "RANK_WINDOW", 5)
        results = search.search(Practice.objects.all(), "不见", tokens=tokens)
        assert results.capped, rum
        assert [p.pk for p in results[0:5]] == ids[:-6:-1], rum
        whole = search.search(Practice.objects.all(), "不见", tokens=tokens)
        monkeypatch.setattr(index, "RANK_WINDOW", 100)
        assert [p.pk for p in whole[0:100]] == ids[::-1] and not whole.capped, rum


def test_text_that_spells_a_facet_is_text_and_a_facet_is_not_text(db):
    """The index holds the facets beside the pieces of text (search.facets()): neither answers for the other, even
    where a text spells a facet's token (c5 for city 5) or a one-character query is a prefix of one."""
    city, indicator = CityFactory(), IndicatorFactory()
    filed = PracticeFactory(city=city, indicator=indicator, title="纳税服务", body="推行非接触式办税。")
    spelled = f"c{city.pk} i{indicator.pk}"
    spelling = PracticeFactory(title="纳税服务", body=f"编号{spelled}。")
    tokens = search.facets(city=city.pk, indicator=indicator.pk)
    assert [p.pk for p in search.search(Practice.objects.all(), "纳税", tokens=tokens)[0:5]] == [filed.pk]
    assert found(spelled) == [spelling.pk]
    assert found("c") == found("i") == [spelling.pk]
    assert len(search.Faceted(Practice.objects.all(), tokens)) == 1


def test_the_api_searches_and_says_when_the_count_is_capped(client, db):
    practice = PracticeFactory(status=Status.PUBLISHED, title="獲得電力")
    batch = BatchFactory(status="published", published_at=timezone.now())
    BatchEntryFactory(batch=batch, practice=practice, title=practice.title, city_name="西安市")
    data = client.get("/api/v1/practices/", {"q": "获得电力"}).json()
    assert [r["id"] for r in data["results"]] == [practice.pk] and data["count_capped"] is False
    assert client.get("/api/v1/practices/", {"q": "获得 缺席"}).json()["count"] == 0


def _grow(batch, n):
    """The batch, grown to n published entries whose titles all hold 纳税服务."""
    for i in range(batch.entries.count(), n):
        practice = PracticeFactory(status=Status.PUBLISHED, title=f"纳税服务{i}")
        BatchEntryFactory(batch=batch, practice=practice, number=i + 1, title=practice.title, city_name="西安市")


def test_search_pages_cost_the_same_queries_whatever_the_rows(client, db):
    batch = BatchFactory(status="published", published_at=timezone.now())
    counts = []
    for n in (3, 30):
        _grow(batch, n)
        client.get("/practices/", {"q": "纳税"})  # warm: the engine's capabilities are read once per process
        # Each at an address not asked before: not a page kept whole (public/pagecache.py).
        with CaptureQueriesContext(connection) as list_page:
            assert client.get("/practices/", {"q": "纳税", "n": n}).status_code == 200
        with CaptureQueriesContext(connection) as api_page:
            assert client.get("/api/v1/practices/", {"q": "纳税 服务"}).status_code == 200
        counts.append((len(list_page), len(api_page)))
    # The generation the page would be kept under; the list: the filters' cities, indicators and published batches,
    # the window of ranked matches (the count too), the page's rows. The API: the last two, and how many cities
    # adopted each practice of the page.
    assert counts == [(6, 4), (6, 4)]


def test_the_queue_and_the_portal_search(client, db, xian, xian_official):
    coordinator = UserFactory(role="coordinator")
    hit = PracticeFactory(city=xian, status=Status.SUBMITTED, title="不动产登记一窗办理")
    PracticeFactory(city=xian, status=Status.SUBMITTED, title="企业开办")
    client.force_login(coordinator)
    html = client.get("/review/", {"q": "一窗"}).content.decode()
    assert f"/review/practices/{hit.pk}/" in html and "企业开办" not in html
    assert "<mark>一窗</mark>" in html
    html = client.get("/review/", {"q": "一窗", "sort": "title"}).content.decode()
    assert f"/review/practices/{hit.pk}/" in html and "企业开办" not in html
    client.force_login(xian_official)
    html = client.get("/city/", {"q": "一窗"}).content.decode()
    assert "不动产登记一窗办理" in html and "企业开办" not in html


def test_a_filtered_search_finds_what_the_filtered_list_holds(client, db):
    """The public list's filters reach the index as facets: with a query, the same practices as without one,
    less those without the term."""
    xian, hanzhong = CityFactory(code="610100", name="西安市"), CityFactory(code="610700", name="汉中市")
    tax, power = IndicatorFactory(name="纳税", slug="paying-taxes"), IndicatorFactory(name="获得电力", slug="power")
    batches = [
        BatchFactory(year=2021, sequence=1, status="published", published_at=timezone.now()),
        BatchFactory(year=2022, sequence=3, status="published", published_at=timezone.now()),
    ]
    draft = BatchFactory(year=2022, sequence=4)
    for i, (city, indicator, batch, body) in enumerate(
        [
            (c, ind, b, body)
            for c in (xian, hanzhong)
            for ind in (tax, power)
            for b in (*batches, draft)
            for body in ("推行纳税信用修复。", "压缩办电时间。")
        ]
    ):
        practice = PracticeFactory(city=city, indicator=indicator, status=Status.PUBLISHED, body=body)
        BatchEntryFactory(batch=batch, practice=practice, number=i + 1, title=practice.title, body=body)
    queries = [
        "",
        "city=610100",
        "indicator=paying-taxes",
        "year=2022",
        "batch=2021-1",
        "batch=2022-4",
        "city=610700&indicator=power&year=2021",
        "batch=oops",
        "year=2022.5",
        "year=-5",
        "year=0",
        "year=1e5000",
    ]
    for query in queries:
        response = client.get(f"/api/v1/practices/?{query}&page_size=100")
        listed = {r["id"] for r in response.json()["results"]} if response.status_code == 200 else set()
        if response.status_code == 200:  # the index counts a filtered list: as many as the filters keep
            filters = PublicPracticeFilter(QueryDict(query) or None, queryset=published_entries())
            held = set(filters.qs.values_list("practice_id", flat=True))
            assert listed == held and response.json()["count"] == len(held), query
        with_tax = {p.pk for p in Practice.objects.filter(pk__in=listed, body__contains="纳税")}
        found = client.get(f"/api/v1/practices/?{query}&q=纳税&page_size=100")
        found = {r["id"] for r in found.json()["results"]} if found.status_code == 200 else set()
        assert found == with_tax, query
        if query in ("", "city=610100", "batch=2021-1"):
            assert with_tax, query  # the comparison is not between two empty sets
    assert with_tax == set()  # the last query (an impossible year) finds nothing either way


def test_a_filtered_list_is_counted_as_its_filters_keep_it_after_every_change(db):
    """The count of a filtered list comes from the facets the index keeps (on PostgreSQL, a table of its own),
    written with the text: it follows a publication, a practice moved to another city or indicator, an entry
    moved to another batch, and entries and practices deleted."""
    coordinator = UserFactory(role="coordinator")
    cities = [CityFactory(), CityFactory()]
    indicators = [IndicatorFactory(), IndicatorFactory()]
    practices = [
        PracticeFactory(city=cities[i % 2], indicator=indicators[i // 2 % 2], status=Status.APPROVED) for i in range(8)
    ]
    earlier, later = BatchFactory(year=2023, sequence=1), BatchFactory(year=2024, sequence=1)

    def counts():
        """(query, the index's count, the entries' count) for every mix of filters the public list offers, as the
        list reads them (public.filters.searched())."""
        mixes = [
            {"city": city, "indicator": indicator, "batch": batch, "year": year}
            for city in ("", *(c.code for c in cities))
            for indicator in ("", *(i.slug for i in indicators))
            for batch in ("", *(f"{b.year}-{b.sequence}" for b in (earlier, later)))
            for year in ("", 2023, 2024)
        ]
        for mix in mixes[1:]:  # without any filter the list is not counted by the index
            query = "&".join(f"{name}={value}" for name, value in mix.items() if value)
            filters = PublicPracticeFilter(QueryDict(query), queryset=published_entries())
            entries, _terms = searched(filters)
            assert isinstance(entries, search.Faceted), query
            yield query, len(entries), filters.qs.count()

    def assert_counted():
        wrong = [(query, counted, held) for query, counted, held in counts() if counted != held]
        assert wrong == []

    batch_add(batch=earlier, practices=practices[:5])
    batch_publish(batch=earlier, by=coordinator)
    assert_counted()
    batch_add(batch=later, practices=practices[5:])
    batch_publish(batch=later, by=coordinator)
    assert_counted()
    assert sum(held for *_, held in counts()) > 0  # the comparisons are not all of nothing
    moved = practices[0]
    moved.city, moved.indicator = cities[1], indicators[1]
    moved.save()
    assert_counted()
    entry = moved.batch_entry
    entry.batch = later
    entry.number = 99
    entry.save()
    assert_counted()
    entry.delete()
    assert_counted()
    practices[6].batch_entry.delete()
    practices[6].delete()
    moved.delete()
    assert_counted()
    unfiled = practices[1]  # published without an indicator: no indicator's list counts it
    unfiled.indicator = None
    unfiled.save()
    assert_counted()
    earlier.year = 2024
    earlier.sequence = 2
    earlier.save()  # corrected in the admin: its entries are reindexed with it
    assert_counted()
    in_admin = BatchFactory(year=2023, sequence=3)
    BatchEntryFactory(batch=in_admin, practice=PracticeFactory(city=cities[0], indicator=indicators[0]), number=1)
    in_admin.status, in_admin.published_at = "published", timezone.now()
    in_admin.save()  # published in the admin
    assert_counted()
    in_admin.delete()  # its entries go with it
    assert_counted()
    assert published_entries().count() == 6
