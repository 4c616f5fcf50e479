"""Pages whose count costs the same whatever the size of the data: counted up to CAP, then "1000+"."""

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

CAP = 1000


class CappedPaginator(Paginator):
    """A Paginator that counts at most CAP + 1 rows, and shows at most CAP.

    An exact count of 100,000 published practices reads them all on every page view; users narrow a list that
    long with its filters, not by paging to its end.
    """

    @cached_property
    def _seen(self) -> int:
        if isinstance(self.object_list, QuerySet):  # any CAP + 1 rows count the same: no sort
            return self.object_list.order_by()[: CAP + 1].count()
        return len(self.object_list) + (1 if getattr(self.object_list, "capped", False) else 0)

    @cached_property
    def count(self) -> int:
        return min(self._seen, CAP)

    @property
    def capped(self) -> bool:
        """There are more than CAP rows; the list shows the first CAP of them."""
        return self._seen > CAP
