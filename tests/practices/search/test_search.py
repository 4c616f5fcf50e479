"""Full-text search: complete on verbatim substrings, script-blind, AND and phrases, ranked, highlighted, current.

Every test runs on the database under test (SQLite's FTS5 or PostgreSQL's tsvector), and the expected ids come
from a plain substring match on the folded text, so both engines are held to the same answers.
"""

import random
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from batches.selectors import published_entries
from batches.services import batch_add, batch_publish
from batches.synth import seed_sentences
from practices import search, services
from practices.enums import Status
from practices.models import Practice, SearchIndex
from practices.search import index, postgres, sqlite
from practices.search.text import Term, fold_for_search, fold_with_offsets, hit_at, parse_query, snippet
from public.views import PublicPracticeFilter, searched
from tests.conftest import require_tool
from tests.factories import (
    BatchEntryFactory,
    BatchFactory,
    CityFactory,
    IndicatorFactory,
    PracticeFactory,
    UserFactory,
)


def found(query, queryset=None, field_name="id"):
    results = search.search(Practice.objects.all() if queryset is None else queryset, query, field_name)
    return [getattr(obj, "practice_id", obj.pk) for obj in results[: len(results)]]


def expected(query, practices):
    """The oracle: practices whose title, summary or body holds every term, by plain substring on folded text."""
    terms = parse_query(query)
    return {
        p.pk
        for p in practices
        if all(any(t.text in fold_for_search(text) for text in (p.title, p.summary, p.body)) for t in terms)
    }


@pytest.fixture
def corpus(db):
    """Forty practices written from the seed's sentences, as a city would, in both scripts."""
    rng = random.Random(7)
    sentences = seed_sentences()
    cities = [CityFactory(code=f"61{n:02d}00", name=f"城市{n}") for n in range(3)]
    practices = []
    for i in range(40):
        practices.append(
            PracticeFactory(
                city=cities[i % 3],
                title=rng.choice(sentences)[:30],
                summary=rng.choice(sentences),
                body="\n\n".join("".join(rng.sample(sentences, 2)) for _ in range(2)),
            )
        )
    return practices


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


QUERIES = ["纳税", "納稅", "获得电力", "獲得電力", "企业 服务", '"企业服务"', "营商环境", "不动产 登记", "办", "一窗"]


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


def test_the_index_follows_edits(db, xian, xian_official):
    practice = services.practice_create(
        city=xian,
        by=xian_official,
        data=_draft("原来的标题", "原来的正文。"),
        results=[],
    )
    assert found("原来") == [practice.pk]
    services.practice_update(
        practice=practice,
        by=xian_official,
        data=_draft("新的标题", "改过的正文。"),
        results=[],
        seen_version=practice.version,
    )
    assert found("原来") == [] and found("改过") == [practice.pk]
    practice.delete()
    assert found("改过") == [] and not SearchIndex.objects.exists()


def _draft(title, body):
    return {
        "title": title,
        "indicator": None,
        "summary": "",
        "body": body,
        "outcomes": "",
        "contact_name": "张三",
        "contact_phone": "029-86781234",
    }


def test_the_public_finds_what_was_published_as_published_and_never_a_withdrawn_practice(db):
    coordinator = UserFactory(role="coordinator")
    approved = PracticeFactory(status=Status.APPROVED, title="一表申报", body="企业开办一表申报。")
    withdrawn = PracticeFactory(status=Status.WITHDRAWN, title="一表申报（撤回）", body="已撤回。")
    entries = published_entries()
    assert found("一表申报", entries, "practice") == []
    batch = BatchFactory(year=2024, sequence=1)
    batch_add(batch=batch, practices=[approved])
    batch_publish(batch=batch, by=coordinator)
    assert found("一表申报", entries, "practice") == [approved.pk]
    assert withdrawn.pk in found("一表申报")  # the province still finds it in the queue's sense

    approved.title = "发布后又改的标题"
    approved.save()  # the public text is frozen: the index keeps the published title
    assert found("一表申报", entries, "practice") == [approved.pk]
    assert found("又改", entries, "practice") == []


def test_an_edited_published_entry_is_reindexed(db):
    batch = BatchFactory(status="published", published_at=timezone.now())
    practice = PracticeFactory(status=Status.PUBLISHED, title="旧标题")
    entry = BatchEntryFactory(batch=batch, practice=practice, title="旧标题", city_name="西安市")
    entry.title = "勘误后的标题"
    entry.save()
    assert found("勘误后", published_entries(), "practice") == [practice.pk]


def test_reindex_search_rebuilds_the_index(corpus, capsys):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {index.TABLE}")
    assert found("营商") == []
    call_command("reindex_search")
    assert f"{len(corpus)} 条" in capsys.readouterr().out
    assert set(found("营商")) == expected("营商", corpus)


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


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("納稅纳税服務ＡbＣ１2，。《》 \u3231\ufb01\u00e9e\u0301ｶﾞガ"), max_size=30))
def test_offsets_point_each_folded_character_at_the_character_it_came_from(text):
    """Punctuation dropped, ㈱ and ﬁ folded to two characters, a combining accent dropped: whatever the mix."""
    folded, offsets = fold_with_offsets(text)
    assert folded == fold_for_search(text)
    assert offsets == [i for i, char in enumerate(text) for _ in fold_for_search(char)]


def test_snippets_mark_the_hits_in_the_original_text():
    fragments = snippet("《納稅》服務，優化營商環境。", parse_query("纳税服务"), width=40)
    assert [(f.text, f.hit) for f in fragments] == [("《", False), ("納稅》服務", True), ("，優化營商環境。", False)]


@given(
    st.text(alphabet=st.sampled_from("納稅纳税服務服务ＡbＣ１2，。《》 \u3231e\u0301ｶﾞガ"), max_size=40),
    # terms are folded text (ガ → カ)
    st.lists(st.sampled_from(["纳税", "税服", "纳税服务", "b", "c1", "カ", "zz"]), min_size=1, max_size=3),
)
def test_the_hit_a_snippet_shows_is_the_first_verbatim_one_else_the_first_folded_one(text, words):
    terms = [Term(word) for word in words]
    at = hit_at(text, terms)
    folded = fold_for_search(text)
    if not any(word in folded for word in words):
        assert at is None
    elif any(word in text for word in words):
        assert at == min(text.index(word) for word in words if word in text)
    else:
        assert any(fold_for_search(text[at:]).startswith(word) for word in words)
        assert not any(word in fold_for_search(text[:at]) for word in words)


class Result:
    """What hits() reads of an entry."""

    def __init__(self, title, summary, body):
        self.title, self.summary, self.body = title, summary, body


def shown(result) -> list[tuple[str, bool]]:
    return [(fragment.text, fragment.hit) for fragment in result.hit.snippet]


def test_a_result_with_a_hit_in_its_summary_shows_it_there():
    result = Result("一网通办", "优化《納稅》服務。", "纳税服务")
    search.hits([result], parse_query("纳税服务"))
    assert shown(result) == [("优化《", False), ("納稅》服務", True), ("。", False)]


def test_a_result_with_a_hit_in_its_body_only_shows_the_stretch_around_it():
    result = Result("一网通办", "企业开办。", "提升服务。" * 40 + "推行納稅服務一次办。")
    search.hits([result], parse_query("纳税服务"))
    assert shown(result)[0] == ("…", False) and shown(result)[1][0].endswith("提升服务。推行")
    assert shown(result)[2:] == [("納稅服務", True), ("一次办。", False)]


def test_a_result_with_a_hit_in_its_title_only_shows_its_summary_s_beginning():
    result = Result("纳税服务一次办", "企业开办全程网办。", "")
    search.hits([result], parse_query("纳税服务"))
    assert shown(result) == [("企业开办全程网办。", False)]
    assert [(fragment.text, fragment.hit) for fragment in result.hit.title] == [("纳税服务", True), ("一次办", False)]


def test_the_list_highlights_hits_and_escapes_the_title(client, db):
    practice = PracticeFactory(status=Status.PUBLISHED, title="<script>alert(1)</script>纳税服务")
    batch = BatchFactory(status="published", published_at=timezone.now())
    BatchEntryFactory(batch=batch, practice=practice, title=practice.title, city_name="西安市", body="优化纳税流程。")
    html = client.get("/practices/", {"q": "纳税"}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>纳税</mark>服务" in html
    assert "<script>alert" not in html
    assert "优化<mark>纳税</mark>流程。" in html
    assert "共 1 项匹配" in html


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
        with CaptureQueriesContext(connection) as list_page:
            assert client.get("/practices/", {"q": "纳税"}).status_code == 200
        with CaptureQueriesContext(connection) as api_page:
            assert client.get("/api/v1/practices/", {"q": "纳税 服务"}).status_code == 200
        counts.append((len(list_page), len(api_page)))
    # The list: the filters' cities and indicators, the window of ranked matches (the count too), the page's
    # rows. The API: the last two.
    assert counts == [(4, 2), (4, 2)]


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


def test_rebuilding_drops_every_version_of_the_functions(db):
    """A version of a function with other arguments (older code's) would make a DROP without arguments fail."""
    PracticeFactory(title="纳税服务")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE FUNCTION {postgres.WINDOW_FUNCTION}(q tsquery, t tsquery, published_only boolean, n integer)"
                " RETURNS TABLE (rowid bigint, rank real) LANGUAGE sql AS 'SELECT 1::bigint, 0::real'"
            )
    search.reindex_all()
    assert found("纳税") == list(Practice.objects.values_list("pk", flat=True))


def index_kinds():
    """Each index this database offers, made current in turn: SQLite has FTS5 (None); PostgreSQL has RUM (True,
    ranked in the index) and GIN (False, the fallback without the extension)."""
    if connection.vendor != "postgresql":
        yield None
        return
    with connection.cursor() as cursor:
        rum = postgres.PostgresTsvector.rum_available(cursor)
    require_tool(rum, "PostgreSQL without the rum extension (Debian: postgresql-15-rum): RUM ranking untested")
    try:
        for rum in (True, False):
            with connection.cursor() as cursor:
                postgres.PostgresTsvector().create_index(cursor, rum=rum)
            assert postgres.PostgresTsvector().uses_rum is rum
            yield rum
    finally:
        postgres._uses_rum.clear()  # the test's transaction rolls the index back to what it was


def test_every_index_this_database_offers_gives_the_same_answers(corpus):
    title_hit = PracticeFactory(title="电子证照全省互认", body="提升审批效率。")
    for rum in index_kinds():
        for query in QUERIES:
            assert set(found(query)) == expected(query, [*corpus, title_hit]), (rum, query)
        assert found("电子证照")[0] == title_hit.pk


def test_the_public_window_holds_the_newest_published_matches_with_every_index(db, monkeypatch):
    """Published and unpublished practices across segments: the public's window holds the newest published,
    newest first (their ranks are equal)."""
    monkeypatch.setattr(index, "RANK_WINDOW", 4)
    batch = BatchFactory(status="published", published_at=timezone.now())
    published = [3, 4, 5, 9_999, 10_000, 10_001, 31_000, 45_000]
    for number, pk in enumerate(published, start=1):
        practice = PracticeFactory(id=pk, status=Status.PUBLISHED, title="不见不散")
        BatchEntryFactory(batch=batch, practice=practice, number=number, title="不见不散")
    for pk in (6, 10_002, 45_001, 52_000):
        PracticeFactory(id=pk, status=Status.APPROVED, title="不见不散")
    for rum in index_kinds():
        results = search.search(published_entries(), "不见", "practice", [search.PUBLISHED])
        assert results.capped, rum
        assert [entry.practice_id for entry in results[0:4]] == published[:-5:-1], rum


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


def test_a_city_renamed_in_the_admin_is_found_under_its_new_code(client, db):
    city = CityFactory(code="610100", name="西安市")
    practice = PracticeFactory(city=city, status=Status.PUBLISHED, title="纳税服务")
    batch = BatchFactory(status="published", published_at=timezone.now())
    BatchEntryFactory(batch=batch, practice=practice, title=practice.title)
    city.code = "610199"
    city.save()
    found = client.get("/api/v1/practices/", {"q": "纳税", "city": "610199"}).json()["results"]
    assert [r["id"] for r in found] == [practice.pk]


def test_a_batch_published_in_the_admin_is_found_by_its_filters(client, db):
    batch = BatchFactory(year=2023, sequence=7)
    practice = PracticeFactory(status=Status.APPROVED, title="纳税服务")
    BatchEntryFactory(batch=batch, practice=practice, title=practice.title)
    assert client.get("/api/v1/practices/", {"q": "纳税"}).json()["results"] == []
    batch.status, batch.published_at = "published", timezone.now()
    batch.save()
    found = client.get("/api/v1/practices/", {"q": "纳税", "batch": "2023-7"}).json()["results"]
    assert [r["id"] for r in found] == [practice.pk]


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


@pytest.mark.django_db(transaction=True)
def test_flushing_the_database_empties_every_search_table():
    """Transactional tests and `manage.py flush` empty the tables Django knows: each table of the search index is
    declared as a model, so a flushed database counts and finds nothing that was there before."""
    batch = BatchFactory(status="published", published_at=timezone.now())
    BatchEntryFactory(batch=batch, practice=PracticeFactory(status=Status.PUBLISHED, title="纳税服务"))
    present = set(connection.introspection.table_names())
    tables = [t for t in (index.TABLE, sqlite.PUBLISHED_TABLE, postgres.FACETS_TABLE) if t in present]
    assert len(tables) == 2  # the index, and SQLite's published practices or PostgreSQL's facets

    def rows():
        with connection.cursor() as cursor:
            counts = []
            for table in tables:
                cursor.execute(f"SELECT count(*) FROM {table}")
                counts.append(cursor.fetchone()[0])
            return counts

    assert rows() == [1, 1]
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert rows() == [0, 0]


def test_a_long_body_is_found_to_its_end(db):
    """PostgreSQL keeps 16,383 positions and 256 per piece; SQLite has no such limit. Both find the end."""
    body = "企业" * 400 + "推行“一业一证”改革。" * 1700 + "最后一句话在这里。"  # 19,509 characters
    practice = PracticeFactory(title="长文", body=body)
    assert found("最后一句话") == [practice.pk]
    assert found("企业企业企业") == [practice.pk]
    assert found("最后一句电话") == []  # its pieces are all there, but not in this order: precision holds


@pytest.mark.django_db(transaction=True)
def test_two_writers_reaching_a_new_segment_together_both_succeed():
    """Each saves a practice, then one in a segment nobody has reached yet, in the same transaction: both
    commit, and both are found. (SQLite takes one lock for the whole database, so its writers never meet.)"""
    barrier = threading.Barrier(2 if connection.vendor == "postgresql" else 1)
    city, indicator = CityFactory(), IndicatorFactory()
    PracticeFactory(city=city, indicator=indicator)  # the first segment is there before the writers start
    outcomes = []

    def write(pk):
        try:
            with transaction.atomic():
                # A writer that already holds locks, as a save or an import does.
                PracticeFactory(city=city, indicator=indicator, title="先写一条")
                barrier.wait(timeout=30)
                PracticeFactory(id=pk, city=city, indicator=indicator, title="新段落的第一条")
            outcomes.append("committed")
        except Exception as exc:  # the outcome is the assertion
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(pk,)) for pk in (70_000, 70_500)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["committed", "committed"]
    assert sorted(found("新段落")) == [70_000, 70_500]


@pytest.mark.django_db(transaction=True)
def test_a_writer_that_waited_for_a_new_segment_writes_into_it():
    """One writer adds a segment while another, which has already written, waits for it on the lock that makes a
    segment be added once: the waiting one then finds it there and writes into it, without adding it again.
    (SQLite takes one lock for the whole database: its writers go one after the other.)"""
    on_postgres = connection.vendor == "postgresql"
    city, indicator = CityFactory(), IndicatorFactory()
    PracticeFactory(city=city, indicator=indicator)
    adding = threading.Event()
    outcomes = []

    def waiter():
        try:
            # Its connection has written once before (so it has read the catalog): it must still see the segment.
            PracticeFactory(id=50_001, city=city, indicator=indicator)
            with transaction.atomic():
                PracticeFactory(city=city, indicator=indicator, title="先写一条")  # it holds its locks
                adding.wait(timeout=30)
                PracticeFactory(id=80_500, city=city, indicator=indicator, title="新段落的第二条")
            outcomes.append("committed")
        except Exception as exc:  # the outcome is the assertion
            outcomes.append(repr(exc))
        finally:
            connection.close()

    def adder():
        try:
            if not on_postgres:
                adding.set()
            with transaction.atomic(), connection.cursor() as cursor:
                if on_postgres:
                    segment_lock = [index.TABLE, 80_000 // postgres.SEGMENT]
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)", segment_lock)
                    adding.set()
                    deadline = time.monotonic() + 30
                    waiting = 0
                    while not waiting and time.monotonic() < deadline:  # until the waiter waits on that lock
                        cursor.execute(
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s"
                            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                            [segment_lock[1]],
                        )
                        waiting = cursor.fetchone()[0]
                    assert waiting, "the other writer never waited for the segment"
                PracticeFactory(id=80_000, city=city, indicator=indicator, title="新段落的第一条")
        finally:
            connection.close()

    threads = [threading.Thread(target=waiter), threading.Thread(target=adder)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["committed"]
    assert sorted(found("新段落")) == [80_000, 80_500]
