"""python -m bench.uploads: time a city's two spreadsheet uploads, each checked (the preview) and then written (the
confirmation), through the functions the views call, file reading included:

- drafts: a 500-row .xlsx of practices (practices.imports: read_table, then import_drafts, dry run and not). The
  write is timed as the confirmation is served, between Django's request_started and request_finished signals: the
  search index is written after the response (bizenv/web/after.py), on request_finished, timed on a line of its
  own ("drafts, indexed after the response": the web worker's time, not the city's);
- 台账: the city's downloaded 复制推广 ledger with 500 rows filled in (adoptions.spreadsheet: read_ledger, then
  plan_ledger for the preview and apply_ledger for the confirmation), every run changing every row again.

Targets: the check in at most 0.5 s, the write in at most 1 s (what the city waits through); none for the work after
the response. On a throwaway SQLite database, and on PostgreSQL as make bench finds one (bench.run.postgres_server():
the server BENCH_DATABASE_URL names, where databases can be created, or a throwaway cluster); each in a process of
its own, set up as the demo (load_demo) plus a published table of practices from the other cities, so that 汉中市
owes more than 500 rows. BENCH_UPLOAD_RUNS (default 3) runs of each, the median shown (elapsed, and this process's
CPU: other processes of a busy machine add to the first only), with the queries of the last run. Prints one table,
and a JSON line with --json.
"""

import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_UPLOAD_RUNS", "3"))
TARGETS = {"dry run": 0.5, "write": 1.0}  # seconds; the work after the response has none
CITY = "610700"  # 汉中市, whose demo official (hanzhong) uploads
OFFICIAL = "hanzhong"
TABLE_ITEMS = 600  # the published table's items: those of the other cities are owed by 汉中市
# As a city's file writes a row's city: its name, its short name, or nothing (the official's own).
CITY_CELLS = ["{name}", "{short}", ""]
LEDGER_CHANGES = ["推进中", "已落地", "暂不适用"]  # a row's status, in turn: every run changes every row


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def drafts_file(city, rows: int) -> bytes:
    """The city's draft spreadsheet: rows practices of varied indicators, text from the seed announcement."""
    from batches.synth import seed_sentences
    from practices.imports import COLUMNS
    from practices.selectors import known_indicators

    sentences = seed_sentences()
    indicators = [indicator.name for indicator in known_indicators()]
    lines = []
    for n in range(rows):
        at = n * 7
        values = {
            "title": f"{city.name}{sentences[at % len(sentences)][:40]}（{n + 1}）",
            "indicator": indicators[n % len(indicators)],
            "city": CITY_CELLS[n % len(CITY_CELLS)].format(name=city.name, short=city.short_name),
            "summary": sentences[(at + 1) % len(sentences)][:400],
            "body": "\n\n".join(sentences[(at + k) % len(sentences)] for k in range(2, 6)),
            "outcomes": sentences[(at + 6) % len(sentences)][:400],
            "contact_name": "李明",
            "contact_phone": "0916-2626123",
        }
        lines.append([values[key] for key in COLUMNS])
    return xlsx(list(COLUMNS.values()), lines)


def ledger_file(city, rows: int, turn: int) -> bytes:
    """The city's 台账 as it downloads it, its first rows filled in, each with a status other than last turn's."""
    import datetime
    import io

    from openpyxl import load_workbook

    from adoptions import spreadsheet
    from adoptions.selectors import city_ledger

    book = load_workbook(io.BytesIO(spreadsheet.city_ledger_xlsx(city_ledger(city))))
    sheet = book[spreadsheet.SHEET]
    at = {cell.value: cell.column for cell in sheet[1]}
    if sheet.max_row - 1 < rows:
        raise SystemExit(f"bench: the 台账 has {sheet.max_row - 1} rows, fewer than {rows}")
    sheet.delete_rows(rows + 2, sheet.max_row)
    for line in range(2, rows + 2):
        status = LEDGER_CHANGES[(line + turn) % len(LEDGER_CHANGES)]
        if status == sheet.cell(line, at[spreadsheet.STATUS]).value == "推进中":  # would be no change: the next one
            status = LEDGER_CHANGES[(line + turn + 1) % len(LEDGER_CHANGES)]
        sheet.cell(line, at[spreadsheet.STATUS]).value = status
        if status == "已落地":
            sheet.cell(line, at[spreadsheet.ADOPTED_ON]).value = datetime.date(2024, 5, 1 + line % 28)
            result = f"已在全市推行，办理时间压缩 {line % 50 + 10}%（第{turn}轮）。"
            sheet.cell(line, at[spreadsheet.RESULT]).value = result
        elif status == "暂不适用":
            sheet.cell(line, at[spreadsheet.REASON]).value = f"本市暂无此类业务（第{turn}轮）。"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Counted:
    """Times one call and counts the queries it sends (a bulk insert is one)."""

    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)

    def run(self, call) -> tuple[float, float]:
        """Seconds elapsed, and seconds of this process's CPU (what a busy machine's other processes do not add)."""
        from django.db import connection

        self.queries = 0
        with connection.execute_wrapper(self):
            start, cpu = time.perf_counter(), time.process_time()
            call()
            return time.perf_counter() - start, time.process_time() - cpu


def prepare():
    """The demo, and a published table of practices (bench/importing.py's) that every other city owes."""
    import io
    import logging

    from django.core.management import call_command

    from batches.importing import import_bulletin
    from bench.importing import grown_table

    logging.disable(logging.INFO)  # a line per row created or deleted, thousands of them
    call_command("migrate", verbosity=0)
    call_command("load_demo", force=True, stdout=io.StringIO())
    import_bulletin(data=grown_table(TABLE_ITEMS), year=2031, sequence=1, publish=True, source_name="bench")


def measure() -> list[dict]:
    """Each upload's median seconds, checked and written; the drafts written removed again, untimed."""
    from django.contrib.auth import get_user_model
    from django.core.signals import request_finished, request_started

    from adoptions import spreadsheet
    from practices.imports import MAX_IMPORT_ROWS, import_drafts, read_table
    from practices.models import City, Practice, SearchPending

    city = City.objects.get(code=CITY)
    by = get_user_model().objects.get(username=OFFICIAL)
    rows = MAX_IMPORT_ROWS
    drafts = drafts_file(city, rows)
    counter = Counted()

    def checked(preview, count):
        if not preview.ok or count(preview) != rows:
            errors = "; ".join(f"{e.row} {e.column} {e.message}" for e in preview.errors[:5])
            raise SystemExit(f"bench: the upload was not taken whole: {errors}")

    def drafts_check():
        preview = import_drafts(table=read_table(name="草稿.xlsx", content=drafts), city=city, by=by, dry_run=True)
        checked(preview, lambda p: len(p.rows))

    def drafts_write():
        preview = import_drafts(table=read_table(name="草稿.xlsx", content=drafts), city=city, by=by, dry_run=False)
        checked(preview, lambda p: p.created)

    def drafts_after_the_response():
        request_finished.send(sender=__name__)
        if SearchPending.objects.exists():
            raise SystemExit("bench: drafts were left pending after the response (see the log)")

    times: dict[str, list[float]] = {}
    cpu_times: dict[str, list[float]] = {}
    queries: dict[str, int] = {}

    def timed(name, call):
        seconds, cpu = counter.run(call)
        times.setdefault(name, []).append(seconds)
        cpu_times.setdefault(name, []).append(cpu)
        queries[name] = counter.queries

    for _ in range(RUNS):
        before = set(Practice.objects.values_list("pk", flat=True))
        timed("drafts, dry run", drafts_check)
        request_started.send(sender=__name__)  # as the confirmation is served
        timed("drafts, write", drafts_write)
        timed("drafts, indexed after the response", drafts_after_the_response)
        Practice.objects.exclude(pk__in=before).delete()

    for turn in range(RUNS):
        ledger = ledger_file(city, rows, turn)

        def ledger_check(ledger=ledger):
            preview = spreadsheet.plan_ledger(city=city, rows=spreadsheet.read_ledger(name="台账.xlsx", content=ledger))
            checked(preview, lambda p: len(p.changes))

        def ledger_write(ledger=ledger):
            lines = spreadsheet.read_ledger(name="台账.xlsx", content=ledger)
            checked(spreadsheet.apply_ledger(city=city, by=by, rows=lines), lambda p: p.written)

        timed("台账, dry run", ledger_check)
        timed("台账, write", ledger_write)

    return [
        {
            "case": name,
            "rows": rows,
            "seconds": round(statistics.median(seconds), 3),
            "runs": [round(s, 3) for s in seconds],
            "cpu_seconds": round(statistics.median(cpu_times[name]), 3),
            "queries": queries[name],
            "target": TARGETS.get(name.rsplit(", ", 1)[1]),
        }
        for name, seconds in times.items()
    ]


def one():
    """In the process run() starts: set up its database, measure, print the results as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizenv.settings")
    django.setup()
    prepare()
    print(json.dumps(measure(), ensure_ascii=False))


def run() -> dict[str, list[dict]]:
    """Each database's results, measured in a process of its own: SQLite, then PostgreSQL if a server is found."""
    from bench.cluster import create_database
    from bench.run import one_shot, postgres_server  # run.py may import this module

    with tempfile.TemporaryDirectory(prefix="bizenv-bench-uploads.") as work:
        env = {
            **os.environ,
            "DEBUG": "0",  # production settings: no query log
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "localhost",
            "MEDIA_ROOT": str(Path(work) / "media"),
            "PYTHONPATH": str(ROOT),
        }
        databases = {}
        print("bench: uploads on SQLite …", file=sys.stderr, flush=True)
        sqlite = {**env, "DATABASE_URL": f"sqlite:///{Path(work) / 'uploads.sqlite3'}"}
        databases["SQLite"] = one_shot("bench.uploads", env=sqlite, failure="the uploads measurement (SQLite)")
        with postgres_server() as server:
            if server:
                print("bench: uploads on PostgreSQL …", file=sys.stderr, flush=True)
                url = f"{server}/bizenv_bench_uploads"
                create_database(url)
                postgres = {**env, "DATABASE_URL": url}
                databases["PostgreSQL"] = one_shot(
                    "bench.uploads", env=postgres, failure="the uploads measurement (PostgreSQL)"
                )
        return databases


def table(databases: dict[str, list[dict]]) -> str:
    from bench.run import _pad, _width

    engines = list(databases)
    first = databases[engines[0]]
    header = [f"upload (median of {RUNS})", "rows", *(f"{engine}: s (CPU s) · queries" for engine in engines), "target"]
    rows = [header]
    for index, case in enumerate(first):
        cells = []
        for engine in engines:
            r = databases[engine][index]
            mark = "" if r["target"] is None else " ✓" if r["seconds"] <= r["target"] else " ✗"
            cells.append(f"{r['seconds']:.3f} ({r['cpu_seconds']:.3f}) · {r['queries']}{mark}")
        target = "" if case["target"] is None else f"≤ {case['target']:g} s"
        rows.append([case["case"], str(case["rows"]), *cells, target])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)) for row in rows)


def main():
    if "--one" in sys.argv[1:]:
        one()
        return
    databases = run()
    print(table(databases))
    if "--json" in sys.argv[1:]:
        print(json.dumps(databases, ensure_ascii=False))


if __name__ == "__main__":
    main()
