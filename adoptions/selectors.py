"""Reads of 复制推广: a city's 台账, one row as its city sees it, and a batch's matrix of entries × cities for the
province."""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from batches.models import Batch, BatchEntry
from bizenv.web.fast import shared_rows
from bizenv.web.permissions import can
from practices.enums import Status
from practices.models import City, Practice

from .enums import AdoptionStatus
from .models import Adoption

OPEN = [AdoptionStatus.NOT_STARTED, AdoptionStatus.IN_PROGRESS]  # what the city still has to act on


def overdue_condition() -> Q:
    """Owed, not excused, still open, and its batch's deadline has passed (is_overdue() of a row read already)."""
    return Q(
        owed=True,
        excused_at__isnull=True,
        status__in=OPEN,
        practice__batch_entry__batch__adoption_plan__deadline__lt=timezone.localdate(),
    )


def city_ledger(city: City) -> QuerySet[Adoption]:
    """A city's rows of the 台账, newest batch first (Adoption.order), with what each row shows: the practice's
    frozen title, its batch, indicator and deadline (mark_overdue() says from it whether the row is overdue)."""
    entry = "practice__batch_entry"
    return (
        Adoption.objects.filter(city=city)
        .select_related(f"{entry}__batch__adoption_plan")
        .only(
            *("practice", "city", "status", "owed", "adopted_on", "result", "reason", "excused_at", "version"),
            "updated_at",
            *(f"{entry}__{f}" for f in ("practice", "batch", "number", "title", "city_name", "indicator_name")),
            *(f"{entry}__batch__{f}" for f in ("year", "sequence", "title", "status", "published_at")),
            f"{entry}__batch__adoption_plan__deadline",
            f"{entry}__batch__adoption_plan__batch",
        )
        .order_by("-order", "pk")
    )


def is_overdue(row: Adoption, deadline, today) -> bool:
    """overdue_condition() of one row, given its batch's deadline (or None)."""
    return row.owed and row.excused_at is None and row.status in OPEN and deadline is not None and deadline < today


def mark_overdue(rows: list[Adoption]) -> list[Adoption]:
    """Each row of a page of city_ledger() marked `overdue` as overdue_condition() says, from what the row was read
    with (its plan's deadline): computed for the page's rows only, not for every row the page's count reads."""
    today = timezone.localdate()
    for row in rows:
        plan = getattr(row.practice.batch_entry.batch, "adoption_plan", None)
        row.overdue = is_overdue(row, plan.deadline if plan else None, today)
    return rows


def row_for(user, pk, *, city: City | None) -> Adoption:
    """One of the city's own rows; 404 for any other, so nobody learns what another city reported."""
    row = get_object_or_404(Adoption.objects.select_related("practice__batch_entry__batch__adoption_plan"), pk=pk)
    if city is None or row.city_id != city.pk or not can(user, "adoptions.view_ledger"):
        raise Http404
    return row


def declarable_practice(pk, *, city: City | None) -> Practice:
    """A published practice of another city, with its entry and batch: one the city may report copying of its own
    accord; 404 for any other."""
    practice = get_object_or_404(
        Practice.objects.select_related("batch_entry__batch__adoption_plan"), pk=pk, status=Status.PUBLISHED
    )
    if city is None or practice.city_id == city.pk:
        raise Http404
    return practice


DONE = {AdoptionStatus.ADOPTED, AdoptionStatus.NOT_APPLICABLE}  # a city has answered


@dataclass
class Cell:
    row: Adoption | None  # None: the practice's own city, or a city that owes nothing and reported nothing

    @property
    def done(self) -> bool:
        return self.row is not None and (self.row.status in DONE or self.row.excused_at is not None)


@dataclass
class Matrix:
    """A published batch's 复制推广: its entries × the cities, each cell a row of the 台账 or none, with the share
    of rows answered per city and per entry."""

    batch: Batch
    deadline: object
    cities: list[City]
    lines: list[tuple[BatchEntry, list[Cell], tuple[int, int]]] = field(default_factory=list)
    per_city: list[tuple[int, int]] = field(default_factory=list)


def planned_batches() -> QuerySet[Batch]:
    """Published batches that have a 复制推广 plan, newest first."""
    return (
        Batch.objects.filter(adoption_plan__isnull=False)
        .select_related("adoption_plan")
        .defer("source_text", "import_warnings")  # an imported announcement's whole text
        .order_by("-year", "-sequence")
    )


def matrix(batch: Batch, *, city: City | None = None, indicator=None) -> Matrix:
    """The batch's entries (numbered as published) × the cities (active ones, and any that reported), in two
    queries whatever the size: the entries and the rows (the plan is read with the batch, the cities are the
    process's shared rows, as the lists' filters read them). A city or an indicator narrows it to that column or
    those entries."""
    entries = batch.entries.order_by("number").only("batch", "practice", "number", "title", "city_name")
    if indicator is not None:
        entries = entries.filter(practice__indicator=indicator)
    entries = list(entries)
    deadline = getattr(getattr(batch, "adoption_plan", None), "deadline", None)
    today = timezone.localdate()
    rows = {}
    read = Adoption.objects.filter(practice_id__in=[e.practice_id for e in entries])
    for row in read.only("practice", "city", "status", "owed", "excused_at"):
        row.overdue = is_overdue(row, deadline, today)
        rows[row.practice_id, row.city_id] = row
    reporting = {city for _practice, city in rows}
    cities = [c for c in shared_rows(City) if (c.active or c.pk in reporting) and (city is None or c.pk == city.pk)]
    result = Matrix(batch=batch, deadline=deadline, cities=cities)
    totals = {c.pk: [0, 0] for c in cities}
    for entry in entries:
        cells = [Cell(rows.get((entry.practice_id, city.pk))) for city in cities]
        # Answered of owed: a voluntary report shows in its cell but is no part of either count.
        owed = [(city, cell) for city, cell in zip(cities, cells, strict=True) if cell.row and cell.row.owed]
        for city, cell in owed:
            totals[city.pk][0] += cell.done
            totals[city.pk][1] += 1
        result.lines.append((entry, cells, (sum(cell.done for _c, cell in owed), len(owed))))
    result.per_city = [tuple(totals[c.pk]) for c in cities]
    return result


def province_row(pk) -> Adoption:
    """One row as the province sees it, with its practice's entry, batch and plan, and its events."""
    return get_object_or_404(
        Adoption.objects.select_related("city", "practice__batch_entry__batch__adoption_plan"), pk=pk
    )


def province_ledger(batch: Batch | None, *, cities=None, indicator=None) -> QuerySet[Adoption]:
    """A batch's rows (None: every batch's, newest first) for the province's spreadsheet, entry by entry and city
    by city, with what each line shows read in two queries a chunk (the rows with their entry, batch and city;
    their measured results)."""
    rows = Adoption.objects.all() if batch is None else Adoption.objects.filter(practice__batch_entry__batch=batch)
    if cities is not None:
        rows = rows.filter(city__in=cities)
    if indicator is not None:
        rows = rows.filter(practice__indicator=indicator)
    return (
        rows.select_related("city", "practice__batch_entry__batch")
        .prefetch_related("results")
        .order_by(
            "-practice__batch_entry__batch__year",
            "-practice__batch_entry__batch__sequence",
            "practice__batch_entry__number",
            "city__order",
            "pk",
        )
    )


def overdue_by_city(batch: Batch) -> dict[int, list[Adoption]]:
    """The batch's overdue rows, by city id."""
    by_city: dict[int, list[Adoption]] = {}
    rows = Adoption.objects.filter(overdue_condition(), practice__batch_entry__batch=batch).select_related(
        "practice__batch_entry"
    )
    for row in rows.order_by("city__order", "practice__batch_entry__number"):
        by_city.setdefault(row.city_id, []).append(row)
    return by_city


# ---------------------------------------------------------------------------------------------------------------
# What the public sees: rows a city marked 已落地, with their results; never another status, reason or excuse.


def public_adoptions() -> QuerySet[Adoption]:
    """Rows marked 已落地, newest first, with the practice's entry and batch and the adopting city, and only what
    is public of each."""
    return (
        Adoption.objects.filter(status=AdoptionStatus.ADOPTED, practice__status=Status.PUBLISHED)
        .select_related("city", "practice__batch_entry__batch")
        .only(
            *("practice", "city", "status", "adopted_on", "result"),
            *("city__code", "city__name", "city__short_name"),
            "practice__status",
            *(f"practice__batch_entry__{f}" for f in ("practice", "batch", "number", "title", "city_name")),
            *("practice__batch_entry__batch__year", "practice__batch_entry__batch__sequence"),
        )
        .order_by("-pk")
    )


def adopted_counts(practice_ids) -> dict[int, int]:
    """How many cities marked each of these practices 已落地, in one query (absent: none). Read through the
    practice's index, the status counted rather than filtered on: filtered, SQLite took the status index and read
    every 已落地 row of the province (68 ms at 300,000 rows, against 1)."""
    rows = (
        Adoption.objects.filter(practice_id__in=list(practice_ids))
        .order_by()
        .values("practice_id")
        .annotate(n=Count("pk", filter=Q(status=AdoptionStatus.ADOPTED)))
        .values_list("practice_id", "n")
    )
    return {practice: n for practice, n in rows if n}


def last_reported(batch: Batch):
    """When a row of the batch's 台账 last changed (a report, an excuse), or None: what the announcement's counts
    of adopting cities depend on."""
    rows = Adoption.objects.filter(practice_id__in=batch.entries.values("practice_id"))
    return rows.aggregate(last=Max("updated_at"))["last"]


def adopted_by(practice) -> list[Adoption]:
    """The cities that marked a practice 已落地, in the province's order, with their dates, results and measured
    results: two queries."""
    return list(
        Adoption.objects.filter(practice_id=getattr(practice, "pk", practice), status=AdoptionStatus.ADOPTED)
        .select_related("city")
        .only("practice", "city", "adopted_on", "result", "status", "city__name", "city__order")
        .prefetch_related("results")
        .order_by("city__order", "pk")
    )
