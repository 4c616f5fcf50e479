"""Pages whose count costs the same whatever the size of the data: counted up to CAP, then "1000+"."""

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

CAP = 1000


class CappedPaginator(Paginator):
    """A Paginator that counts at most CAP + 1 rows, and shows at most CAP.

    An exact count of 100,000 published practices reads them all on every page view; users narrow a list that
    long with its filters, not by paging to its end.

    `counted`, a queryset of the same rows cheaper to count (without the columns only a page shows, say), is
    counted instead of the list.
    """

    def __init__(self, object_list, per_page, *args, counted: QuerySet | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.counted = counted

    @cached_property
    def _seen(self) -> int:
        rows = self.object_list if self.counted is None else self.counted
        if isinstance(rows, QuerySet):  # any CAP + 1 rows count the same: no sort
            return rows.order_by()[: CAP + 1].count()
        return len(rows) + (1 if getattr(rows, "capped", False) else 0)

    @cached_property
    def count(self) -> int:
        return min(self._seen, CAP)

    @property
    def capped(self) -> bool:
        """There are more than CAP rows; the list shows the first CAP of them."""
        return self._seen > CAP
