"""/stats/: every table's numbers against counts made here from the rows, the SVG charts, each CSV against its table,
nothing but 已落地 and no reason or excuse shown, the cache following the generation, the same queries at any size,
and an unknown CSV 404."""

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import transaction

from adoptions import services as adoptions
from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption, AdoptionPlan
from batches import services as batches
from batches.enums import BatchStatus, EntryScope
from batches.models import Batch, BatchEntry
from bizenv.web import sheets
from practices.enums import Role, Status
from practices.models import City, Indicator, Practice
from public import charts, statistics
from tests.factories import CityFactory, IndicatorFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

ADOPTED_ON = datetime.date(2024, 5, 1)
SVG = "{http://www.w3.org/2000/svg}"
SECRETS = ["本市暂无此类窗口", "该市已另行试点，免于填报"]  # a 暂不适用 reason, an excuse: never public
# The generation (under which the page is kept whole, public/pagecache.py, and the numbers are cached), the seven
# aggregating queries of statistics.compute().
COLD_QUERIES = 8
WARM_QUERIES = 1  # the generation; the page comes from the cache


# ---------------------------------------------------------------------------------------------------------------
# Building the province's data through the real services


def publish(practices, by, year, scope=EntryScope.REPLICATE):
    batch = batches.batch_create(year=year)
    batches.batch_add(batch=batch, practices=practices, scope=scope)
    return batches.batch_publish(batch=batch, by=by)


def report(row, status, **fields):
    official = UserFactory(role=Role.CITY_OFFICIAL, city=row.city)
    if status == AdoptionStatus.ADOPTED:
        fields = {"adopted_on": ADOPTED_ON, "result": "窗口合并，当场办结", **fields}
    return adoptions.report(adoption=row, by=official, status=status, seen_version=row.version, **fields)


def row(practice, city) -> Adoption:
    return Adoption.objects.get(practice=practice, city=city)


@pytest.fixture
def province():
    """Four active cities and an inactive one; three indicators (one with nothing published); two published batches
    in two years (one entry for reference only), a draft batch and an approved practice in no batch; reports in
    every status, an excused row and a voluntary report."""
    cities = [CityFactory(code=f"61{n:02d}00", name=f"城市{n}", order=n) for n in range(4)]
    CityFactory(code="619900", name="停用的市", active=False, order=99)
    tax, power, _unused = (
        IndicatorFactory(name=name, order=i) for i, name in enumerate(["纳税", "获得电力", "空指标"])
    )
    coordinator = UserFactory(role=Role.COORDINATOR)

    def approved(city, indicator, title):
        return PracticeFactory(city=city, indicator=indicator, status=Status.APPROVED, title=title)

    a = approved(cities[0], tax, "城市0办税一次办")
    b = approved(cities[0], power, "城市0接电零跑腿")
    c = approved(cities[1], tax, "城市1容缺受理")
    publish([a, b, c], coordinator, 2023)
    d = approved(cities[2], power, "城市2低压接电")
    reference = approved(cities[1], power, "城市1电力参考")
    publish([d], coordinator, 2024)
    publish([reference], coordinator, 2024, scope=EntryScope.REFERENCE)
    draft_batch = batches.batch_create(year=2024)
    batches.batch_add(batch=draft_batch, practices=[approved(cities[3], tax, "草稿批次中的做法")])
    approved(cities[3], power, "待发布库中的做法")

    report(row(a, cities[1]), AdoptionStatus.ADOPTED)
    report(row(a, cities[2]), AdoptionStatus.ADOPTED)
    report(row(a, cities[3]), AdoptionStatus.ADOPTED)
    report(row(c, cities[0]), AdoptionStatus.ADOPTED)
    report(row(b, cities[1]), AdoptionStatus.IN_PROGRESS)
    report(row(b, cities[2]), AdoptionStatus.NOT_APPLICABLE, reason=SECRETS[0])
    report(row(d, cities[0]), AdoptionStatus.ADOPTED)
    adoptions.excuse(adoption=row(d, cities[0]), by=coordinator, reason=SECRETS[1])  # its 已落地 stays public
    adoptions.excuse(adoption=row(c, cities[3]), by=coordinator, reason=SECRETS[1])
    official = UserFactory(role=Role.CITY_OFFICIAL, city=cities[2])
    adoptions.report_voluntarily(
        practice=reference,
        city=cities[2],
        by=official,
        status=AdoptionStatus.ADOPTED,
        adopted_on=ADOPTED_ON,
        result="x",
    )
    return cities


# ---------------------------------------------------------------------------------------------------------------
# Reading the page


class Tables(HTMLParser):
    """Every <table id=…> of a page as rows of its cells' text."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current = None
        self.cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.current = self.tables.setdefault(dict(attrs)["id"], [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("th", "td") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.cell is not None:
            self.current[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page(client) -> str:
    response = client.get("/stats/")
    assert response.status_code == 200
    return response.content.decode()


def table(html: str, slug: str) -> list[list[str]]:
    return Tables(html).tables[f"table-{slug}"]


def column(html: str, slug: str) -> dict[str, int]:
    """A two-column table as {row heading: number}."""
    return {name: int(n) for name, n in table(html, slug)[1:]}


def matrix(html: str, slug: str) -> dict[tuple[str, str], int]:
    head, *rows = table(html, slug)
    return {(cells[0], indicator): int(n) for cells in rows for indicator, n in zip(head[1:], cells[1:], strict=True)}


def charts_in(html: str) -> dict[str, ET.Element]:
    """Every inline SVG, parsed as XML, by the id of its title."""
    found = {}
    for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        root = ET.fromstring(svg)
        found[root.find(f"{SVG}title").get("id")] = root
    return found


def bars(svg: ET.Element) -> list[tuple[str, str]]:
    return [
        (g.find(f"{SVG}text[@class='bar-label']").text, g.find(f"{SVG}text[@class='bar-value']").text)
        for g in svg.iter(f"{SVG}g")
    ]


# ---------------------------------------------------------------------------------------------------------------
# What the numbers must be, counted here from the rows one by one


def published() -> list[Practice]:
    return [
        p
        for p in Practice.objects.select_related("city", "indicator", "batch_entry__batch")
        if p.status == Status.PUBLISHED and p.batch_entry.batch.status == BatchStatus.PUBLISHED
    ]


def adopted() -> list[Adoption]:
    rows = Adoption.objects.select_related("city", "practice__indicator")
    return [a for a in rows if a.status == AdoptionStatus.ADOPTED]


def shown_cities() -> list[str]:
    counted = {p.city.name for p in published()} | {a.city.name for a in adopted()}
    return [c.name for c in City.objects.all() if c.active or c.name in counted]


def test_every_table_equals_the_counts_of_the_rows(client, province):
    html = page(client)
    practices = published()
    cities, indicators = shown_cities(), [i.name for i in Indicator.objects.all()]

    per_year = Counter(p.batch_entry.batch.year for p in practices)
    batches_per_year = Counter(b.year for b in Batch.objects.all() if b.status == BatchStatus.PUBLISHED)
    assert table(html, "years")[1:] == [
        [str(year), str(batches_per_year[year]), str(per_year[year])] for year in sorted(batches_per_year)
    ]
    assert (per_year, batches_per_year) == ({2023: 3, 2024: 2}, {2023: 1, 2024: 2})  # the fixture as meant

    per_city = Counter(p.city.name for p in practices)
    assert column(html, "cities") == {name: per_city[name] for name in cities}
    assert "停用的市" not in cities
    per_indicator = Counter(p.indicator.name for p in practices)
    assert column(html, "indicators") == {name: per_indicator[name] for name in indicators}

    placed = Counter((p.city.name, p.indicator.name) for p in practices)
    assert matrix(html, "practice-heatmap") == {(c, i): placed[c, i] for c in cities for i in indicators}
    copied = Counter((a.city.name, a.practice.indicator.name) for a in adopted())
    assert matrix(html, "adoption-heatmap") == {(c, i): copied[c, i] for c in cities for i in indicators}
    assert sum(copied.values()) == 6

    most = Counter(a.practice for a in adopted())
    newest = {p: (-p.batch_entry.batch.year, -p.batch_entry.batch.sequence, p.batch_entry.number) for p in most}
    expected = sorted(most.items(), key=lambda item: (-item[1], newest[item[0]]))  # ties: newest batch first
    assert table(html, "most-copied")[1:] == [
        [p.batch_entry.title, p.batch_entry.city_name, p.batch_entry.batch.title, str(n)] for p, n in expected
    ]
    for p, _n in expected:
        assert f'href="/practices/{p.pk}/"' in html

    rows = []
    for plan in sorted(AdoptionPlan.objects.select_related("batch"), key=lambda p: (-p.batch.year, -p.batch.sequence)):
        owed = [
            a
            for a in Adoption.objects.all()
            if a.practice.batch_entry.batch_id == plan.batch_id and a.owed and a.excused_at is None
        ]
        done = sum(a.status == AdoptionStatus.ADOPTED for a in owed)
        share = f"{100 * done / len(owed):.1f}%" if owed else "—"
        rows.append([plan.batch.title, str(len(owed)), str(done), share])
    assert table(html, "completion")[1:] == rows
    assert [r[1:] for r in rows] == [["0", "0", "—"], ["2", "0", "0.0%"], ["8", "4", "50.0%"]]


def test_each_chart_is_svg_that_writes_its_numbers(client, province):
    html = page(client)
    found = charts_in(html)
    assert set(found) == {
        f"chart-{name}-title" for name in ["years-batches", "years-practices", "cities", "indicators", "completion"]
    }
    for svg in found.values():
        assert svg.get("role") == "img" and svg.find(f"{SVG}title").text
    years = table(html, "years")[1:]
    assert bars(found["chart-years-batches-title"]) == [(year, n) for year, n, _p in years]
    assert bars(found["chart-years-practices-title"]) == [(year, n) for year, _b, n in years]
    assert bars(found["chart-cities-title"]) == [tuple(r) for r in table(html, "cities")[1:]]
    assert bars(found["chart-indicators-title"]) == [tuple(r) for r in table(html, "indicators")[1:]]
    assert [n for _label, n in bars(found["chart-completion-title"])] == [r[3] for r in table(html, "completion")[1:]]


def test_a_long_label_is_cut_in_the_chart_and_whole_in_its_tooltip_and_table(client, province):
    long = "“一把手走流程、坐窗口、跟执法、处投诉”活动"
    practice = PracticeFactory(city=province[0], indicator=IndicatorFactory(name=long), status=Status.APPROVED)
    publish([practice], UserFactory(role=Role.COORDINATOR), 2025)
    html = page(client)
    svg = charts_in(html)["chart-indicators-title"]
    cut = [g for g in svg.iter(f"{SVG}g") if g.find(f"{SVG}title") is not None]
    assert [g.find(f"{SVG}title").text for g in cut] == [long]
    assert cut[0].find(f"{SVG}text[@class='bar-label']").text == long[:11] + "…"
    assert column(html, "indicators")[long] == 1


def test_the_completion_chart_shows_the_recent_batches_and_the_table_all(client, db):
    CityFactory(code="610700", name="汉中市")
    xian, coordinator = CityFactory(code="610100", name="西安市"), UserFactory(role=Role.COORDINATOR)
    for _n in range(charts.RECENT_BATCHES + 1):
        publish([PracticeFactory(city=xian, status=Status.APPROVED)], coordinator, 2024)
    html = page(client)
    svg = charts_in(html)["chart-completion-title"]
    assert svg.find(f"{SVG}title").text == f"最近{charts.RECENT_BATCHES}批的复制推广落地率"
    labels = [label for label, _n in bars(svg)]
    assert labels[0] == "2024年第二十一批" and labels[-1] == "2024年第二批"
    assert len(table(html, "completion")) == 1 + charts.RECENT_BATCHES + 1


def test_each_csv_equals_its_table(client, province):
    html = page(client)
    for slug in statistics.SLUGS:
        response = client.get(f"/stats/{slug}.csv")
        assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
        assert response.content.startswith("\ufeff".encode())  # for Excel
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows == table(html, slug), slug


def test_only_adopted_is_shown_never_another_status_a_reason_or_an_excuse(client, province):
    assert Adoption.objects.filter(status__in=[s for s in AdoptionStatus if s != AdoptionStatus.ADOPTED]).exists()
    texts = [page(client)] + [client.get(f"/stats/{slug}.csv").content.decode("utf-8-sig") for slug in statistics.SLUGS]
    hidden = [*SECRETS, *(str(status.label) for status in AdoptionStatus if status != AdoptionStatus.ADOPTED)]
    assert hidden == [*SECRETS, "未启动", "推进中", "暂不适用"]
    for text in texts:
        for word in hidden:
            assert word not in text


def test_a_fresh_database_says_there_is_nothing_yet(client, django_assert_num_queries):
    with django_assert_num_queries(COLD_QUERIES):
        html = page(client)
    assert "尚未发布任何经验做法" in html and "<svg" not in html and "<table" not in html
    for slug in statistics.SLUGS:
        rows = list(csv.reader(io.StringIO(client.get(f"/stats/{slug}.csv").content.decode("utf-8-sig"))))
        assert rows[0] and all(n == "0" for row in rows[1:] for n in row[1:])  # headings; active cities at 0


def test_published_but_nothing_adopted_says_so(client, db):
    city = CityFactory(code="610100", name="西安市")
    CityFactory(code="610700", name="汉中市")
    practice = PracticeFactory(city=city, status=Status.APPROVED)
    publish([practice], UserFactory(role=Role.COORDINATOR), 2024, scope=EntryScope.REFERENCE)
    html = page(client)
    assert html.count("尚无城市报告复制落地的经验做法。") == 2  # the heatmap of adoptions, the most copied
    assert "table-adoption-heatmap" not in html and "table-most-copied" not in html
    assert column(html, "cities") == {"西安市": 1, "汉中市": 0}
    assert table(html, "completion")[1:] == [[practice.batch_entry.batch.title, "0", "0", "—"]]


def test_an_unknown_csv_is_404(client, db):
    assert client.get("/stats/secrets.csv").status_code == 404
    assert client.get("/stats/years.csv").status_code == 200


# ---------------------------------------------------------------------------------------------------------------
# The cache and the query counts: these commit, as a server does, so that the numbers are cached


def adopted_on_page(client) -> int:
    return sum(matrix(page(client), "adoption-heatmap").values())


def open_rows():
    return Adoption.objects.filter(status=AdoptionStatus.NOT_STARTED, excused_at__isnull=True)


@pytest.mark.django_db(transaction=True)
def test_a_report_after_a_view_shows_on_the_next_view(client, province, django_assert_num_queries):
    before = adopted_on_page(client)
    with django_assert_num_queries(WARM_QUERIES):  # cached
        assert adopted_on_page(client) == before
    report(open_rows().first(), AdoptionStatus.ADOPTED)
    with django_assert_num_queries(COLD_QUERIES):  # a new generation: computed afresh
        assert adopted_on_page(client) == before + 1
    with django_assert_num_queries(WARM_QUERIES):
        assert adopted_on_page(client) == before + 1


@pytest.mark.django_db(transaction=True)
def test_what_a_rolled_back_change_showed_is_never_cached(client, province):
    before = adopted_on_page(client)
    with pytest.raises(RuntimeError), transaction.atomic():
        report(open_rows().first(), AdoptionStatus.ADOPTED)
        assert adopted_on_page(client) == before + 1  # inside the transaction, under the generation it raised
        raise RuntimeError
    assert adopted_on_page(client) == before
    report(open_rows().last(), AdoptionStatus.IN_PROGRESS)  # the same generation again, committed this time
    assert adopted_on_page(client) == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rows", [1, 3, 50])
def test_the_page_costs_the_same_queries_whatever_the_rows(client, django_assert_num_queries, rows):
    cities = [CityFactory(code=f"61{n:02d}00", name=f"城市{n}", order=n) for n in range(3)]
    indicators = [IndicatorFactory(name=f"指标{n}", order=n) for n in range(3)]
    practices = [
        PracticeFactory(city=cities[n % 2], indicator=indicators[n % 3], status=Status.APPROVED) for n in range(rows)
    ]
    publish(practices, UserFactory(role=Role.COORDINATOR), 2024)
    for practice in practices:
        report(row(practice, cities[2]), AdoptionStatus.ADOPTED)
    cache.clear()
    with django_assert_num_queries(COLD_QUERIES):
        html = page(client)
    assert sum(matrix(html, "practice-heatmap").values()) == sum(matrix(html, "adoption-heatmap").values()) == rows
    with django_assert_num_queries(WARM_QUERIES):
        page(client)
    with django_assert_num_queries(1):  # a first CSV: its generation; the numbers are cached by the page
        client.get("/stats/cities.csv")
    with django_assert_num_queries(WARM_QUERIES):
        client.get("/stats/cities.csv")


def test_a_title_that_looks_like_a_formula_is_text_in_every_csv(client, province):
    entry = BatchEntry.objects.get(title="城市0办税一次办")  # the most copied practice
    entry.title = '=HYPERLINK("http://x.example","y")'
    entry.save()
    cells = [
        cell
        for slug in statistics.SLUGS
        for row in csv.reader(io.StringIO(client.get(f"/stats/{slug}.csv").content.decode("utf-8-sig")))
        for cell in row
    ]
    assert "'" + entry.title in cells
    assert not [cell for cell in cells if cell.startswith(sheets.FORMULA_STARTS)]


def test_the_page_lists_the_latest_batches_completion_and_the_csv_every_batch(client, db, monkeypatch):
    from public import charts

    monkeypatch.setattr(charts, "RECENT_ROWS", 2)
    practices = [PracticeFactory(status=Status.APPROVED) for _n in range(3)]
    coordinator = UserFactory(role=Role.COORDINATOR)
    for n, practice in enumerate(practices):
        publish([practice], coordinator, 2021 + n)
    html = page(client)
    shown = [row[0] for row in table(html, "completion")[1:]]
    assert len(shown) == 2 and "全部3批见CSV文件" in html
    rows = list(csv.reader(io.StringIO(client.get("/stats/completion.csv").content.decode("utf-8-sig"))))
    assert len(rows[1:]) == 3 and [row[0] for row in rows[1:3]] == shown
