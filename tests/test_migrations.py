"""The migrations: frozen (no code of ours imported), in step with the models, able to build an empty database
from nothing, and building the search tables exactly as the code of today does."""

import ast
import importlib
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from adoptions.models import Adoption, AdoptionEvent
from batches.enums import BatchStatus
from batches.models import BatchEntry, Erratum
from practices import search
from practices.enums import Status
from practices.models import Practice, PracticeEvent, PracticeResult, PracticeSnapshot
from practices.search import postgres
from practices.text import plain_text
from reviews.models import Review
from tests.factories import BatchEntryFactory, BatchFactory, PracticeFactory, ReviewFactory, UserFactory

OUR_PACKAGES = {"bizenv", "practices", "reviews", "batches", "adoptions", "public"}
APPS_WITH_MIGRATIONS = ["bizenv", "practices", "reviews", "batches", "adoptions"]
MIGRATIONS = sorted(settings.BASE_DIR.glob("*/migrations/0*.py"))


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def imported_modules(path) -> list[str]:
    """Every module a file imports, relative ones with their dots."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append("." * node.level + (node.module or ""))
    return found


def test_no_migration_imports_application_code():
    """What a migration needs is copied into it: it must run the same way whatever the code becomes."""
    assert {path.parent.parent.name for path in MIGRATIONS} == set(APPS_WITH_MIGRATIONS)
    ours = {
        f"{path.parent.parent.name}/migrations/{path.name}: {module}"
        for path in MIGRATIONS
        for module in imported_modules(path)
        if module.startswith(".") or module.split(".")[0] in OUR_PACKAGES
    }
    assert ours == set()


def our_tables() -> set[str]:
    return {t for t in connection.introspection.table_names() if t.split("_")[0] in APPS_WITH_MIGRATIONS}


@pytest.mark.django_db(transaction=True)
def test_an_empty_database_migrates_from_zero_to_the_head():
    """Every app back to zero (no table of ours left), then forwards to the head: the search index works there."""
    executor = MigrationExecutor(connection)
    executor.migrate([(app, None) for app in APPS_WITH_MIGRATIONS])
    assert our_tables() == set()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert {"practices_practice", "practices_searchindex", "batches_batchentry", "adoptions_adoption"} <= our_tables()
    fresh = MigrationExecutor(connection)
    assert fresh.migration_plan(fresh.loader.graph.leaf_nodes()) == []  # at the head

    batch = BatchFactory(status=BatchStatus.PUBLISHED, published_at=timezone.now())
    practice = PracticeFactory(status=Status.PUBLISHED, title="纳税服务")
    BatchEntryFactory(batch=batch, practice=practice, title="纳税服务")
    results = search.search(Practice.objects.all(), "納稅")
    assert [p.pk for p in results[:10]] == [practice.pk]


def search_schema() -> list:
    """What the database says of the search tables: their definitions, indexes and functions."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE name LIKE 'practices_search%' ORDER BY name")
            tables = cursor.fetchall()
            cursor.execute("SELECT * FROM practices_searchindex_config ORDER BY k")
            return [tables, cursor.fetchall()]
        queries = [
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_name IN ('practices_searchindex', 'practices_searchfacets')"
            " ORDER BY table_name, ordinal_position",
            "SELECT c.relname, pg_get_partkeydef(c.oid), a.attstorage FROM pg_class c"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'document'"
            " WHERE c.relname = 'practices_searchindex'",
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename IN ('practices_searchindex', 'practices_searchfacets') ORDER BY indexname",
            "SELECT proname, pg_get_functiondef(oid) FROM pg_proc"
            " WHERE proname LIKE 'bizenv_search_%' ORDER BY proname",
        ]
        found = []
        for sql in queries:
            cursor.execute(sql)
            found.append(cursor.fetchall())
        return found


@pytest.mark.django_db
def test_the_migration_builds_the_search_tables_as_the_code_does():
    """The search migration holds a copy of the SQL; rebuilding the index (reindex_search) builds the tables with
    the code's own SQL. Both must give the same tables, indexes and functions."""
    migrated = search_schema()
    assert all(migrated)
    search.reindex_all()
    assert search_schema() == migrated


def without_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")).strip()


def test_the_search_migration_holds_the_codes_sql_for_every_kind_of_index():
    """Both variants, whichever index this database offers: the GIN one is what a server without rum gets."""
    migration = importlib.import_module("practices.migrations.0002_search")
    copies = {
        "POSTGRESQL_TABLES": postgres.sql("create_table"),
        "POSTGRESQL_FACETS": postgres.sql("create_facets"),
        "POSTGRESQL_WRITE_FUNCTION": postgres.sql("write_function"),
        "POSTGRESQL_RUM_INDEX": postgres.sql("rum_index"),
        "POSTGRESQL_GIN_INDEX": postgres.sql("gin_index"),
        "POSTGRESQL_RUM_FUNCTIONS": postgres.search_functions(True),
        "POSTGRESQL_GIN_FUNCTIONS": postgres.search_functions(False),
    }
    for name, code in copies.items():
        assert getattr(migration, name).strip() == without_comments(code), name


# ---------------------------------------------------------------------------------------------------------------
# The data migrations that made stored text plain (issue 23): one per app, each with its copy of plain_text()

PLAIN_TEXT_MIGRATIONS = {
    "practices": "0006_plain_text",
    "reviews": "0004_plain_text",
    "batches": "0003_plain_text",
    "adoptions": "0006_plain_text",
}
DIRTY = "\r\n第一段。 \r\n\r\n第二段（Cafe\u0301）。\t\r\n"
CLEAN = "第一段。\n\n第二段（Café）。"


def plain_text_migration(app):
    """The migration's module, and the models as they were when it ran (not as the code has them today)."""
    name = PLAIN_TEXT_MIGRATIONS[app]
    module = importlib.import_module(f"{app}.migrations.{name}")
    state = MigrationExecutor(connection).loader.project_state([(app, name)])
    return module, state.apps


@pytest.mark.parametrize("app", list(PLAIN_TEXT_MIGRATIONS))
@hypothesis_settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("正文a \t\u3000\u00a0\r\n\u0301e\uf900"), max_size=30))
def test_each_migration_holds_the_codes_plain_text(app, text):
    """Each app's migration has its own copy, frozen: a migration imports neither our code nor another
    migration, which a squash may delete."""
    module = importlib.import_module(f"{app}.migrations.{PLAIN_TEXT_MIGRATIONS[app]}")
    assert module.plain_text(text) == plain_text(text)


@pytest.mark.django_db
def test_the_practices_migration_makes_every_text_plain_in_batches(monkeypatch):
    module, apps = plain_text_migration("practices")
    monkeypatch.setattr(module, "BATCH", 2)
    practices = [PracticeFactory(status=Status.SUBMITTED) for _ in range(5)]
    Practice.objects.filter(pk__in=[p.pk for p in practices[:4]]).update(body=DIRTY, outcomes="成效。\r\n")
    Practice.objects.filter(pk=practices[4].pk).update(title=" \r\n ")  # a title may not become empty
    dirty_result = {"measure": "办理时间\u3000", "before": "5", "after": "1\r\n", "unit": "天"}
    PracticeResult.objects.create(practice=practices[0], order=0, **dirty_result)
    PracticeSnapshot.objects.create(practice=practices[0], round=1, title="标题", body=DIRTY, results=[dirty_result])
    PracticeEvent.objects.create(
        practice=practices[0], from_status=Status.DRAFT, to_status=Status.WITHDRAWN, round=1, note="重复\r\n"
    )
    untouched = Practice.objects.get(pk=practices[4].pk)

    with CaptureQueriesContext(connection) as queries:
        module.forwards(apps, None)
    # Four practices to rewrite, two at a time; the fifth, plain already, is not written.
    assert sum(q["sql"].startswith('UPDATE "practices_practice"') for q in queries) == 2

    assert [(p.body, p.outcomes) for p in Practice.objects.order_by("pk")[:4]] == [(CLEAN, "成效。")] * 4
    last = Practice.objects.get(pk=practices[4].pk)
    assert (last.title, last.body, last.updated_at) == (" \r\n ", untouched.body, untouched.updated_at)
    plain_result = {"measure": "办理时间", "before": "5", "after": "1", "unit": "天"}
    assert PracticeResult.objects.values("measure", "before", "after", "unit").get() == plain_result
    snapshot = PracticeSnapshot.objects.get()
    assert (snapshot.body, snapshot.results) == (CLEAN, [plain_result])
    assert PracticeEvent.objects.get().note == "重复"


@pytest.mark.django_db
def test_the_other_apps_migrations_make_their_text_plain():
    review = ReviewFactory(comment_to_city=DIRTY, internal_note="备注 \r\n", decline_reason="\r\n")
    batch = BatchFactory(status=BatchStatus.PUBLISHED, published_at=timezone.now(), lead=DIRTY)
    entry = BatchEntryFactory(batch=batch, practice=PracticeFactory(status=Status.PUBLISHED), body=DIRTY)
    BatchEntry.objects.filter(pk=entry.pk).update(original_text=DIRTY)  # the announcement as it circulated
    erratum = Erratum.objects.create(batch=batch, text="更正。\r\n")
    row = Adoption.objects.create(
        practice=entry.practice, city=PracticeFactory().city, owed=True, result=DIRTY, reason="原因 ", order=1
    )
    AdoptionEvent.objects.create(
        adoption=row, kind="reported", to_status="adopted", actor=UserFactory(), note="\r\n说明"
    )

    for app in ("reviews", "batches", "adoptions"):
        module, apps = plain_text_migration(app)
        module.forwards(apps, None)

    review = Review.objects.get(pk=review.pk)
    assert (review.comment_to_city, review.internal_note, review.decline_reason) == (CLEAN, "备注", "")
    batch.refresh_from_db()
    entry.refresh_from_db()
    assert (batch.lead, entry.body, entry.original_text) == (CLEAN, CLEAN, DIRTY)
    assert Erratum.objects.get(pk=erratum.pk).text == "更正。"
    row.refresh_from_db()
    assert (row.result, row.reason, AdoptionEvent.objects.get().note) == (CLEAN, "原因", "说明")


@pytest.mark.django_db
def test_the_announcement_fields_are_filled_from_what_earlier_publications_and_imports_tell():
    """batches 0003 on rows written before it: a batch composed here is dated the day it was published; an imported
    one only if the operator gave its date (it was then published at midnight); the announced total is read again
    from the lead; an entry whose import found damage it could not repair is garbled."""
    import datetime

    from django.apps import apps

    from batches.models import Batch, BatchEntry

    fill = importlib.import_module("batches.migrations.0004_announced_date_total_garbled").fill
    zone = timezone.get_default_timezone()
    midnight = timezone.make_aware(datetime.datetime(2021, 6, 30), zone)
    afternoon = timezone.make_aware(datetime.datetime(2026, 12, 4, 14, 23, 5), zone)
    published = {"status": BatchStatus.PUBLISHED, "announced_on": None}
    composed = BatchFactory(sequence=1, published_at=afternoon, **published)
    dated = BatchFactory(sequence=2, published_at=midnight, source_text="原文", **published)
    undated = BatchFactory(
        sequence=3,
        published_at=afternoon,
        source_text="原文",
        lead="近日，推出了今年第二批36项典型经验做法。",
        **published,
    )
    draft = BatchFactory(sequence=4, source_text="原文")
    for number, notes in ((1, [{"code": "damaged_text", "line": 9}]), (2, [{"code": "repaired_text", "line": 12}])):
        BatchEntryFactory(batch=undated, number=number, warnings=notes)
    for number in (1, 2, 5):  # no total said: the highest number read is what was announced
        BatchEntryFactory(batch=draft, number=number)

    fill(apps, None)
    rows = {b.pk: (b.announced_on, b.announced_total) for b in Batch.objects.all()}
    assert rows == {
        composed.pk: (datetime.date(2026, 12, 4), None),
        dated.pk: (datetime.date(2021, 6, 30), None),
        undated.pk: (None, 36),
        draft.pk: (None, 5),
    }
    assert list(BatchEntry.objects.filter(garbled=True).values_list("batch", "number")) == [(undated.pk, 1)]
