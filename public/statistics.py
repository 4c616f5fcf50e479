"""The public statistics (/stats/): published batches and practices per year, per city and per indicator, a city ×
indicator matrix of published practices and one of 已落地 adoptions, the most-copied practices, and each batch's
复制推广 completion; and the tables the page and its CSV files show of them.

Only what is public is counted: published practices (their frozen text), and adoptions a city has marked 已落地.
Other statuses only make up the owed rows a batch's completion is a share of; no reason or excuse is read.

Each figure takes one aggregating query whatever the number of rows, the same on SQLite and PostgreSQL (seven in
all). They are computed together, once, and cached with Django's cache under a key that holds
adoptions.services.generation(); so are the page's content and each CSV file built from them (cached(), per
language). Every write that changes what is counted (a report, an excuse, obligations created or dropped, a scope
corrected, a batch published) raises that generation in its own transaction (adoptions.services.changed()): once it
commits, the next reader finds nothing under the new generation and computes afresh. So a view costs the
generation's one-row query and a cache hit, and what it shows is as of the last committed change (only a request
arriving while another builds the figures after a change is given the figures before it: see cached()). What is
built inside a transaction is cached only once it commits, so a change rolled back never reaches the cache. A
batch published, deleted or replaced, an entry deleted, a city or an indicator saved (renamed, in the admin) raise
the generation too (adoptions/receivers.py).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption
from adoptions.services import generation
from batches.enums import BatchStatus
from batches.models import Batch
from batches.selectors import published_entries
from practices.enums import Status
from practices.models import City, Indicator

from . import pagecache

# The shape of what is cached: a change to the dataclasses below changes it, so that no process reads another
# release's entries from a shared cache.
CACHE_KEY = "public.statistics.v1.{name}:{generation}"
CACHE_SECONDS = 60 * 60
BUILD_SECONDS = 60  # the longest a build is waited for before another request builds again
TOP = 10  # the most-copied practices shown
HEAT_LEVELS = 4  # shades of a non-zero heatmap cell

T = TypeVar("T")


@dataclass(frozen=True)
class Year:
    year: int
    batches: int
    practices: int


@dataclass(frozen=True)
class Tally:
    """A labelled count: a city's or an indicator's published practices."""

    label: str
    n: int


@dataclass(frozen=True)
class Matrix:
    """Counts by city (rows) × indicator (columns), in their official order; an indicator named "" holds the
    practices published without one."""

    rows: list[str]
    columns: list[str]
    cells: list[list[int]]

    @property
    def total(self) -> int:
        return sum(map(sum, self.cells))

    @property
    def maximum(self) -> int:
        return max((n for row in self.cells for n in row), default=0)


@dataclass(frozen=True)
class Copied:
    """A published practice and how many cities report it 已落地."""

    practice_id: int
    title: str
    city_name: str
    batch_title: str
    year: int
    sequence: int
    adopted: int


@dataclass(frozen=True)
class Completion:
    """A published batch's 复制推广: the rows owed (not excused) and how many of them are 已落地."""

    title: str
    year: int
    sequence: int
    owed: int
    adopted: int

    @property
    def share(self) -> float | None:
        return self.adopted / self.owed if self.owed else None


@dataclass(frozen=True)
class Statistics:
    years: list[Year]
    cities: list[Tally]
    indicators: list[Tally]
    practices: Matrix
    adoptions: Matrix
    copied: list[Copied]
    completion: list[Completion]

    @property
    def empty(self) -> bool:
        """Nothing is published yet."""
        return not self.years


def cached(name: str, build: Callable[[], T]) -> T:
    """What build() returns, from the cache under `name` and the current generation, or built and cached there once
    the caller's transaction (if any) commits (see the module's docstring).

    Building takes seconds at 100,000 practices. The first request after a change builds; a request arriving
    while it does (in the same process, with the default cache; anywhere, with a shared one) is given what was
    built last instead of building it a second time, so a burst of visitors after a report costs one build."""
    now = pagecache.read.get()  # read already for a page that may be kept whole
    if now is None:
        now = generation()
    key = CACHE_KEY.format(name=name, generation=now)
    value = cache.get(key)
    if value is not None:
        return value
    latest = CACHE_KEY.format(name=name, generation="latest")
    kept = cache.get(latest)
    if kept is not None and not cache.add(f"{key}:building", True, BUILD_SECONDS):
        pagecache.outdated.set(True)  # a page showing them is not kept as the current generation's
        return kept  # being built by another request: the figures before the change, meanwhile
    try:
        value = build()
    finally:
        cache.delete(f"{key}:building")  # built or failed: the next request need not wait for it

    def keep():
        cache.set(key, value, CACHE_SECONDS)
        cache.set(latest, value, CACHE_SECONDS)

    transaction.on_commit(keep)
    return value


def current() -> Statistics:
    """The statistics as of the last committed change."""
    return cached("numbers", compute)


def compute() -> Statistics:
    """Every figure from the database, in seven queries whatever the number of rows."""
    entries = published_entries().filter(practice__status=Status.PUBLISHED).order_by()
    batches = dict(
        Batch.objects.filter(status=BatchStatus.PUBLISHED)
        .values("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    published = list(
        entries.values_list("batch__year", "practice__city_id", "practice__indicator_id").annotate(n=Count("pk"))
    )
    adopted = list(
        Adoption.objects.filter(status=AdoptionStatus.ADOPTED, practice__status=Status.PUBLISHED)
        .values_list("city_id", "practice__indicator_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_year: dict[int, int] = {}
    by_place: dict[tuple, int] = {}
    for year, city, indicator, n in published:
        per_year[year] = per_year.get(year, 0) + n
        by_place[city, indicator] = by_place.get((city, indicator), 0) + n
    adoptions = {(city, indicator): n for city, indicator, n in adopted}

    counted = {city for city, _indicator in (*by_place, *adoptions)}
    cities = [
        (pk, name) for pk, name, active in City.objects.values_list("pk", "name", "active") if active or pk in counted
    ]
    indicators = list(Indicator.objects.values_list("pk", "name"))
    if any(indicator is None for _city, indicator in by_place):
        indicators.append((None, ""))
    practices, adoption_matrix = (_matrix(cities, indicators, counts) for counts in (by_place, adoptions))

    return Statistics(
        years=[Year(year, batches.get(year, 0), per_year.get(year, 0)) for year in sorted({*batches, *per_year})],
        cities=[Tally(name, sum(row)) for name, row in zip(practices.rows, practices.cells, strict=True)],
        indicators=[Tally(name, sum(row[i] for row in practices.cells)) for i, name in enumerate(practices.columns)],
        practices=practices,
        adoptions=adoption_matrix,
        copied=_most_copied(entries),
        completion=_completion(),
    )


def _matrix(cities, indicators, counts: dict[tuple, int]) -> Matrix:
    return Matrix(
        rows=[name for _pk, name in cities],
        columns=[name for _pk, name in indicators],
        cells=[[counts.get((city, indicator), 0) for indicator, _name in indicators] for city, _name in cities],
    )


def _most_copied(entries) -> list[Copied]:
    """The TOP published practices with the most 已落地 rows; ties newest batch first, then in announcement order."""
    rows = (
        entries.filter(practice__adoptions__status=AdoptionStatus.ADOPTED)
        .values_list("practice_id", "title", "city_name", "batch__title", "batch__year", "batch__sequence")
        .annotate(adopted=Count("practice__adoptions"))
        .order_by("-adopted", "-batch__year", "-batch__sequence", "number")[:TOP]
    )
    return [Copied(*row) for row in rows]


def _completion() -> list[Completion]:
    """Each published batch that has a 复制推广 plan, newest first: its owed, not excused rows, and the 已落地 ones."""
    owed = Q(entries__practice__adoptions__owed=True, entries__practice__adoptions__excused_at__isnull=True)
    adopted = owed & Q(entries__practice__adoptions__status=AdoptionStatus.ADOPTED)
    rows = (
        Batch.objects.filter(status=BatchStatus.PUBLISHED, adoption_plan__isnull=False)
        .values_list("title", "year", "sequence")
        .annotate(
            owed=Count("entries__practice__adoptions", filter=owed),
            adopted=Count("entries__practice__adoptions", filter=adopted),
        )
        .order_by("-year", "-sequence")
    )
    return [Completion(*row) for row in rows]


# ---------------------------------------------------------------------------------------------------------------
# Tables: what the page shows beside each chart, and each CSV file


@dataclass(frozen=True)
class Cell:
    value: object
    href: str = ""
    level: int | None = None  # a heatmap's shade, 0 (none) to HEAT_LEVELS; the number is always shown too
    numeric: bool = False


@dataclass(frozen=True)
class Row:
    head: Cell
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    slug: str
    caption: str
    columns: list[str]  # headings, the first over the rows' own headings
    rows: list[Row]

    @property
    def header(self) -> list[Cell]:
        """The headings as cells, numeric over the columns of numbers."""
        numeric = [cell.numeric for cell in self.rows[0].cells] if self.rows else [False] * (len(self.columns) - 1)
        return [Cell(self.columns[0]), *(Cell(c, numeric=n) for c, n in zip(self.columns[1:], numeric, strict=True))]

    @property
    def heatmap(self) -> bool:
        return any(cell.level is not None for row in self.rows for cell in row.cells)

    def csv_rows(self) -> list[list]:
        return [self.columns, *([row.head.value, *(cell.value for cell in row.cells)] for row in self.rows)]


def table(stats: Statistics, slug: str) -> Table:
    """One of the statistics' tables, in the current language: the page and its CSV file read the same."""
    return TABLES[slug](stats)


def _years(stats: Statistics) -> Table:
    return Table(
        "years",
        _("各年发布的批次和经验做法"),
        [_("年份"), _("发布批次（批）"), _("发布经验做法（项）")],
        [Row(Cell(y.year), [_number(y.batches), _number(y.practices)]) for y in stats.years],
    )


def _cities(stats: Statistics) -> Table:
    return Table(
        "cities",
        _("各市（区）发布的经验做法"),
        [_("城市"), _("发布经验做法（项）")],
        [Row(Cell(t.label), [_number(t.n)]) for t in stats.cities],
    )


def _indicators(stats: Statistics) -> Table:
    return Table(
        "indicators",
        _("各指标发布的经验做法"),
        [_("指标"), _("发布经验做法（项）")],
        [Row(Cell(indicator_label(t.label)), [_number(t.n)]) for t in stats.indicators],
    )


def _practice_heatmap(stats: Statistics) -> Table:
    return _heatmap("practice-heatmap", _("各市（区）各指标发布的经验做法（项）"), stats.practices)


def _adoption_heatmap(stats: Statistics) -> Table:
    return _heatmap("adoption-heatmap", _("各市（区）复制落地的经验做法，按指标（项）"), stats.adoptions)


def _most_copied_table(stats: Statistics) -> Table:
    return Table(
        "most-copied",
        _("复制落地最多的经验做法"),
        [_("经验做法"), _("发布城市"), _("批次"), _("已落地（个市（区））")],
        [
            Row(
                Cell(c.title, href=reverse("practice_detail", args=[c.practice_id])),
                [
                    Cell(c.city_name),
                    Cell(c.batch_title, href=reverse("batch_detail", args=[c.year, c.sequence])),
                    _number(c.adopted),
                ],
            )
            for c in stats.copied
        ],
    )


def _completion_table(stats: Statistics) -> Table:
    return Table(
        "completion",
        _("各批次复制推广落地情况"),
        [_("批次"), _("应填报（条）"), _("已落地（条）"), _("落地率")],
        [
            Row(
                Cell(c.title, href=reverse("batch_detail", args=[c.year, c.sequence])),
                [_number(c.owed), _number(c.adopted), Cell(percent(c.share), numeric=True)],
            )
            for c in stats.completion
        ],
    )


# The tables in the page's order; their slugs name the CSV files (/stats/<slug>.csv).
TABLES: dict[str, Callable[[Statistics], Table]] = {
    "years": _years,
    "cities": _cities,
    "indicators": _indicators,
    "practice-heatmap": _practice_heatmap,
    "adoption-heatmap": _adoption_heatmap,
    "most-copied": _most_copied_table,
    "completion": _completion_table,
}
SLUGS = list(TABLES)


def indicator_label(name: str) -> str:
    return name or _("未分类")


def percent(share: float | None) -> str:
    """0.375 → 37.5%; a batch that owes nothing has no share: —."""
    return "—" if share is None else f"{share * 100:.1f}%"


def heat_level(n: int, maximum: int) -> int:
    """0 for none, else 1…HEAT_LEVELS in proportion to the largest cell."""
    return math.ceil(HEAT_LEVELS * n / maximum) if n and maximum else 0


def _number(n: int) -> Cell:
    return Cell(n, numeric=True)


def _heatmap(slug: str, caption: str, matrix: Matrix) -> Table:
    top = matrix.maximum
    return Table(
        slug,
        caption,
        [_("城市"), *map(indicator_label, matrix.columns)],
        [
            Row(Cell(name), [Cell(n, level=heat_level(n, top), numeric=True) for n in row])
            for name, row in zip(matrix.rows, matrix.cells, strict=True)
        ],
    )
