"""What must hold after a load test, whatever happened during it (bench/load.py runs this against its database):

- every practice's status is the target of its last event;
- no practice was decided twice in one round;
- every attachment's file exists;
- the search index holds exactly the practices, each published one marked so, and finds each practice changed
  during the run by its exact title.

Run as `python -m bench.invariants [--since ISO-TIME]` with the settings of the database to check; prints one
line per invariant and exits 1 if any fails.
"""

import argparse
import os
import sys

import django


def check(since) -> list[tuple[str, bool, str]]:
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.db.models import Count, OuterRef, Subquery

    from batches.models import BatchEntry
    from practices.enums import Status
    from practices.models import Attachment, Practice, PracticeEvent
    from practices.search import matching
    from practices.search.index import TABLE

    decided_statuses = [Status.APPROVED, Status.REVISION_REQUESTED, Status.REJECTED]
    results = []
    last = PracticeEvent.objects.filter(practice=OuterRef("pk")).order_by("-pk").values("to_status")[:1]
    wrong = Practice.objects.annotate(last=Subquery(last)).exclude(last=None).exclude(status=Subquery(last)).count()
    evented = PracticeEvent.objects.values("practice").distinct().count()
    results.append(("status = last event's target", wrong == 0, f"{evented:,} practices with events, {wrong} differ"))

    twice = (
        PracticeEvent.objects.filter(to_status__in=decided_statuses)
        .values("practice", "round")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    decided = PracticeEvent.objects.filter(to_status__in=decided_statuses).count()
    results.append(("no practice decided twice in a round", twice == 0, f"{decided:,} decisions, {twice} twice"))

    names = list(Attachment.objects.values_list("file", flat=True))
    missing = [name for name in names if not default_storage.exists(name)]
    results.append(("every attachment's file exists", not missing, f"{len(names):,} files, {len(missing)} missing"))

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {TABLE}")
        indexed = {row[0] for row in cursor.fetchall()}
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT rowid FROM {TABLE} WHERE published")
        else:
            cursor.execute("SELECT rowid FROM practices_searchpublished")
        marked = {row[0] for row in cursor.fetchall()}
    practices = set(Practice.objects.values_list("pk", flat=True))
    published = set(BatchEntry.objects.filter(batch__status="published").values_list("practice_id", flat=True))
    changed = Practice.objects.filter(updated_at__gte=since) if since else Practice.objects.none()
    sample = list(changed.order_by("-pk").values_list("pk", "title")[:50])
    unfound = [pk for pk, title in sample if not matching(Practice.objects.filter(pk=pk), title).exists()]
    same = indexed == practices and marked == published and not unfound
    results.append(
        (
            "the search index matches the practices",
            same,
            f"{len(practices):,} practices, {len(indexed):,} indexed, {len(indexed ^ practices)} apart; "
            f"{len(published):,} published, {len(marked ^ published)} marked wrong; "
            f"{len(sample)} changed in the run, {len(unfound)} not found by title",
        )
    )
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--since", help="ISO time the run began: its changed practices are searched for")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizenv.settings")
    django.setup()
    from django.utils.dateparse import parse_datetime

    results = check(parse_datetime(args.since) if args.since else None)
    for name, ok, detail in results:
        print(f"  {'✓' if ok else '✗'} {name}: {detail}")
    sys.exit(0 if all(ok for _name, ok, _detail in results) else 1)


if __name__ == "__main__":
    main()
