"""Reads only the public site makes: what a row of the list or the API holds, and the home page's totals."""

from django.db.models import Count, QuerySet

from batches.enums import BatchStatus
from batches.models import Batch
from batches.selectors import published_entries


def published_totals() -> dict[str, int]:
    """How much is published: batches, practices and the cities they come from, in one query."""
    return Batch.objects.filter(status=BatchStatus.PUBLISHED).aggregate(
        batches=Count("pk", distinct=True),
        practices=Count("entries", distinct=True),
        cities=Count("entries__practice__city", distinct=True),
    )


def published_list(snippets: bool = False) -> QuerySet:
    """published_entries() with only what a row of the public list shows; with `snippets`, the text they are cut
    from (a search's results show one)."""
    fields = ["practice", "number", "title", "city_name", "indicator_name", *(["summary", "body"] if snippets else [])]
    return (
        published_entries().select_related(None).select_related("batch").only(*fields, "batch__year", "batch__sequence")
    )


def api_entries() -> QuerySet:
    """published_entries() with only what the API returns: the frozen text, the batch's title, the city's code and
    the indicator's slug (not the practice's current text, nor the batch's imported source)."""
    return published_entries().only(
        *("practice", "number", "scope", "title", "city_name", "indicator_name", "department", "scope_text"),
        *("summary", "body", "outcomes", "results", "garbled"),
        *("batch__year", "batch__sequence", "batch__title"),
        *("practice__city__code", "practice__indicator__slug"),
    )
