"""Reading: a list narrowed to a query's matches in rank order, or counted by its facets.

Ranking, with the title above the summary above the body: bm25 on SQLite, ts_rank on PostgreSQL, over the newest
RANK_WINDOW matches. Below that many matches this is the full ranking. Above it the term is too common to rank
usefully on its own, and scoring every match would cost hundreds of milliseconds at national scale, so the newest
matches are ranked instead and the count reads "1000+".
"""

from functools import cached_property
from operator import itemgetter

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from bizenv.web.paging import CAP

from . import index
from .engines import backend
from .text import Term, parse_query


class SearchResults:
    """A sequence for Django's Paginator: len() is the capped count, a slice is the page's objects in rank order.

    Two queries: the window (the newest RANK_WINDOW + 1 matches with their rank, which is also the count), and
    the page's objects. The index drives the window. With `tokens` (facets) the index alone decides what
    matches: the public list's filters, one lookup. Without, the queryset's own filters are checked per match (a
    correlated EXISTS), so any list can be searched and a common term still stops at the window.
    """

    def __init__(self, queryset: QuerySet, terms: list[Term], field_name: str, tokens: list[str] | None = None):
        self.queryset, self.terms, self.field_name = queryset, terms, field_name
        self.tokens = tokens or []
        if self.tokens:
            self.within = ("", [])
        else:
            inner = queryset.order_by().filter(**{field_name: RawSQL("s.rowid", [])}).values(field_name)[:1]
            sql, params = inner.query.sql_with_params()
            self.within = (f" AND EXISTS ({sql})", list(params))

    @cached_property
    def window(self) -> list[tuple[int, float]]:
        """The newest RANK_WINDOW + 1 matches as (practice id, rank), rank lower for a better match, newest first
        (every backend's window_sql() returns them so)."""
        sql, params = backend().window_sql(self.terms, self.tokens, self.within)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    @cached_property
    def ranked(self) -> list[int]:
        """Practice ids, best first; equal ranks newest first (the window's order, which a stable sort keeps)."""
        return [pk for pk, _ in sorted(self.window[: index.RANK_WINDOW], key=itemgetter(1))]

    @property
    def capped(self) -> bool:
        """More matches than are shown: the count reads "1000+"."""
        return len(self.window) > index.RANK_WINDOW

    def __len__(self) -> int:
        return min(len(self.window), index.RANK_WINDOW)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ranked[index]
        if not ids:
            return []
        meta = self.queryset.model._meta
        attname = meta.pk.attname if self.field_name == "pk" else meta.get_field(self.field_name).attname
        page = self.queryset.order_by().filter(**{f"{self.field_name}__in": ids})  # in rank order below, not SQL's
        by_id = {getattr(obj, attname): obj for obj in page}
        return [by_id[pk] for pk in ids if pk in by_id]


def search(
    queryset: QuerySet, query: str, field_name: str = "pk", tokens: list[str] | None = None
) -> SearchResults | QuerySet:
    """`queryset` narrowed to the practices matching `query`, in rank order; unchanged for an empty query.

    `field_name` names the queryset's field that holds the practice's id ("pk" for practices, "practice" for
    batch entries). `tokens` (see facets()) replace the queryset's filters in deciding what matches: the caller
    vouches that they say the same.
    """
    terms = parse_query(query or "")
    if not terms or queryset.query.is_empty():
        return queryset
    return SearchResults(queryset, terms, field_name, tokens)


def matching(queryset: QuerySet, query: str, field_name: str = "pk") -> QuerySet:
    """`queryset` narrowed to the matches of `query`, order unchanged: for lists grouped some other way."""
    terms = parse_query(query or "")
    if not terms:
        return queryset
    sql, params = backend().ids_sql(terms)
    return queryset.filter(**{f"{field_name}__in": RawSQL(sql, params)})


class Faceted:
    """A filtered list for Django's Paginator, counted by the facets the index keeps (count_sql()): len() is the
    capped count, a slice the queryset's rows in its own order.

    The tokens (PUBLISHED and facets()'s) say what the queryset's filters say (the caller vouches, as for
    search()), and a published practice has one published entry, so the index counts the list without joining
    each of 100,000 entries to its practice and batch. The page itself is the queryset's: its order needs no
    count.
    """

    def __init__(self, queryset: QuerySet, tokens: list[str]):
        self.queryset, self.tokens = queryset, tokens

    @cached_property
    def _seen(self) -> int:
        sql, params = backend().count_sql(self.tokens, CAP + 1)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    @property
    def capped(self) -> bool:
        return self._seen > CAP

    def __len__(self) -> int:
        return min(self._seen, CAP)

    def __getitem__(self, index):
        return self.queryset[index]
