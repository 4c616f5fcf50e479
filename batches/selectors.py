"""Reads of batches: the approved pool a batch is composed from, published batches and their entries as the public
reads them, and an announcement's sections."""

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from bizenv.web.fast import shared_view
from practices.enums import Source, Status
from practices.models import City, Practice
from practices.selectors import entered
from reviews.selectors import Summary, round_reviews

from .announcement import batch_label
from .bulletin import chinese_number
from .enums import BatchStatus, EntryScope
from .models import Batch, BatchEntry

# How a batch is named in URLs and filters: YEAR-SEQ, 2022-2 for 2022年第二批. Read leniently, as people type it:
# 2022年第二批, 2022年第2批, 2022第二批, 2022 2, full-width digits, a title pasted whole.
BATCH_NAME = re.compile(
    r"([0-9]{4})\s*(?:-|/|年\s*第?|第|\s)\s*([0-9]{1,4}|[一二三四五六七八九十两]+)\s*(?:批.*)?", re.DOTALL
)


def year_and_sequence(name: str) -> tuple[int, int] | None:
    """2022-2, 2022年第二批 → (2022, 2); None for anything else."""
    match = BATCH_NAME.fullmatch(unicodedata.normalize("NFKC", name).strip())
    sequence = chinese_number(match.group(2)) if match else None
    return (int(match.group(1)), sequence) if sequence else None


def published_batch_choices() -> list[tuple[str, str]]:
    """Every published batch as the list's filter offers it, newest first: ("2022-2", "2022年第二批"). Read once per
    process and shared for up to a minute, as the cities and indicators are (bizenv.web.fast.shared_view)."""
    rows = shared_view(
        Batch,
        "published",
        lambda batches: (
            batches.filter(status=BatchStatus.PUBLISHED).order_by("-year", "-sequence").values_list("year", "sequence")
        ),
    )
    return [(f"{year}-{sequence}", batch_label(year, sequence)) for year, sequence in rows]


def approved_pool() -> QuerySet[Practice]:
    """Approved practices not yet in any batch: what the next batch is composed from (成熟一批、推出一批)."""
    return (
        Practice.objects.filter(status=Status.APPROVED, batch_entry__isnull=True)
        .select_related("city", "indicator")
        .order_by("indicator__order", "city__order", "pk")
    )


def pool_rows() -> list[tuple[Practice, Summary]]:
    """The approved pool with when each was approved (`approved_at`) and its current round's reviews (the round it
    was approved in): three queries, whatever its size."""
    practices = list(approved_pool().annotate(approved_at=entered(Status.APPROVED)))
    reviews = round_reviews(practices)
    return [(practice, Summary.of(reviews[practice.pk])) for practice in practices]


@dataclass
class Outlook:
    """What publishing a draft batch will do: its entries, and the 复制推广 it will make cities owe."""

    entries: int
    replicate: int  # 全省复制推广 entries
    cities: int  # active cities that will owe a report on at least one of them
    reports: int  # reports owed: each 全省复制推广 entry × every active city but its own


def publication_outlook(entries: list[BatchEntry]) -> Outlook:
    """As adoptions.services.create_obligations() will count it on publication (DESIGN.md: one report per 全省复制推广
    entry × other active city); the entries come with their practices."""
    active = set(City.objects.filter(active=True).values_list("pk", flat=True))
    owners = [entry.practice.city_id for entry in entries if entry.scope == EntryScope.REPLICATE]
    owing = {city for city in active if any(owner != city for owner in owners)}
    return Outlook(
        entries=len(entries),
        replicate=len(owners),
        cities=len(owing),
        reports=sum(len(active - {owner}) for owner in owners),
    )


def published_batches() -> QuerySet[Batch]:
    """Published batches, newest first, each with its number of entries (not the text it was imported from).

    The number is a subquery per batch, not a join grouped by batch: a page of 30 batches then counts its own
    entries (by the index on entries' batch), where the join counted every published entry before the page was
    cut from it (a tenth of a second at 100,000 practices, on the home page and the batch list)."""
    entries = BatchEntry.objects.filter(batch=OuterRef("pk")).order_by().values("batch").annotate(n=Count("pk"))
    return (
        Batch.objects.filter(status=BatchStatus.PUBLISHED)
        .defer("source_text", "import_warnings")
        .annotate(entry_count=Coalesce(Subquery(entries.values("n")), 0))
        .order_by("-year", "-sequence")
    )


def published_years() -> QuerySet:
    """Each year with published batches, newest first: its number of batches and of their entries, in one query."""
    return (
        Batch.objects.filter(status=BatchStatus.PUBLISHED)
        .values("year")
        .annotate(batches=Count("pk", distinct=True), entries=Count("entries"))
        .order_by("-year")
    )


def published_entries() -> QuerySet:
    """Entries of published batches, with their batch (not the text it was imported from), city and indicator."""
    return (
        BatchEntry.objects.filter(batch__status=BatchStatus.PUBLISHED)
        .select_related("batch", "practice__city", "practice__indicator")
        .defer("batch__source_text", "batch__import_warnings")
        .order_by("-batch__year", "-batch__sequence", "number")
    )


def announcement_sections(batch, text: bool = True) -> list[tuple[str, list]]:
    """The batch's entries in number order, grouped under their indicator headings as the announcement has them.

    A draft batch has nothing frozen yet: its entries show their practices' current text, as a preview. Without
    `text`, a published batch's entries hold only their headings (the page lists titles; exports need the text).
    """
    entries = batch.entries.order_by("number")
    if batch.status == BatchStatus.DRAFT:
        entries = entries.select_related("practice__city", "practice__indicator")
    elif not text:
        entries = entries.only("batch", "practice", "number", "title", "city_name", "indicator_name", "garbled")
    sections: list[tuple[str, list]] = []
    for entry in entries:
        if batch.status == BatchStatus.DRAFT:
            practice = entry.practice
            entry.title, entry.city_name = practice.title, practice.city.name
            if practice.source != Source.IMPORT:  # an imported item keeps its heading, as publishing will
                entry.indicator_name = practice.indicator.name if practice.indicator else ""
        if not sections or sections[-1][0] != entry.indicator_name:
            sections.append((entry.indicator_name, []))
        sections[-1][1].append(entry)
    return sections
