"""bizenv/web/paging.py: a list is counted up to CAP + 1 rows, through the cheaper queryset a view gives for it."""

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bizenv.web.paging import CappedPaginator
from practices.models import Practice
from tests.factories import PracticeFactory, ReviewFactory


def test_counted_is_counted_instead_of_the_list(db):
    PracticeFactory.create_batch(3)
    ReviewFactory()
    rows = Practice.objects.annotate(reviews_count=Count("reviews")).order_by("-pk")
    paginator = CappedPaginator(rows, 2, counted=Practice.objects.all())  # the same rows, without their reviews
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(1)
    assert (paginator.count, paginator.num_pages, paginator.capped) == (4, 2, False)
    assert [p.pk for p in page] == list(rows.values_list("pk", flat=True)[:2])
    count_sql = queries[0]["sql"]
    assert "COUNT(*)" in count_sql and "reviews_review" not in count_sql


def test_without_counted_the_list_is_counted(db):
    PracticeFactory.create_batch(3)
    assert CappedPaginator(Practice.objects.all(), 2).count == 3
