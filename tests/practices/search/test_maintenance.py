"""search/maintenance.py: rebuilding the index (nothing left pending), and its tables emptied by a flush."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from practices import search
from practices.enums import Status
from practices.models import Practice, SearchPending
from practices.search import index, postgres, sqlite
from tests.factories import (
    BatchEntryFactory,
    BatchFactory,
    PracticeFactory,
)
from tests.practices.search.common import expected, found


def test_reindex_search_rebuilds_the_index(corpus, capsys):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {index.TABLE}")
    assert found("营商") == []
    call_command("reindex_search")
    assert f"{len(corpus)} 条" in capsys.readouterr().out
    assert set(found("营商")) == expected("营商", corpus)


def test_rebuilding_the_index_leaves_nothing_pending(left_pending):
    practices = left_pending("推行一日办结")
    search.reindex_all()
    assert found("一日办结") == [practices[0].pk] and not SearchPending.objects.exists()


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
