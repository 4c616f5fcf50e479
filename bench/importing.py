"""python -m bench.importing (also run by make bench): time importing announcements on SQLite, a dry run and a
write (as a draft batch, as import_bulletin does without --publish) of:

- the State Council's 130-item notice (fixtures/bulletins/state-council-2018-commendation.txt), title-only items
  named by locality, written under their regions (those outside the province created by the first write); an
  item whose place is not recognised would get a city chosen for it, as the coordinator does in the browser;
- a 1,000-item table, grown from the NDRC's table (fixtures/bulletins/ndrc-table-flattened.txt): its rows again and
  again, each title led by a city of the province, under headings of which some are indicators and some are not
  (their items get suggested indicators).

Targets: the notice in under 1 s, the table in under 5 s, dry run and write each. In a process of its own, on a
throwaway SQLite database (the reference data and the demo's published batch: suggestions by similarity search
it); BENCH_IMPORT_RUNS (default 3) runs of each, the median shown. Prints one table, and a JSON line with --json.
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
BULLETINS = ROOT / "fixtures" / "bulletins"
RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "3"))
TABLE_ITEMS = 1000
TARGETS = {"notice": 1.0, "table": 5.0}  # seconds
# Group headings of the grown table, in turn: indicators (their items take them) and others (suggested ones).
HEADINGS = ["开办企业", "优化市场准入", "纳税", "提升政务服务效能", "获得电力", "加强监管执法"]


def grown_table(items: int) -> bytes:
    """The NDRC table's notice with its rows repeated to `items` rows, titles led by the province's cities."""
    from batches.bulletin import parse
    from practices.selectors import known_cities, known_indicators

    source = (BULLETINS / "ndrc-table-flattened.txt").read_text(encoding="utf-8")
    rows = parse(source, cities=known_cities(), indicators=known_indicators()).items
    header = source.partition("一、")[0].replace("（共8项）", f"（共{items}项）")
    cities = [city.name for city in known_cities()]
    lines = [header.rstrip("\n")]
    per_heading = 50
    for number in range(1, items + 1):
        if number % per_heading == 1:
            group = (number - 1) // per_heading
            count = min(per_heading, items - number + 1)
            lines.append(f"{chinese(group + 1)}、{HEADINGS[group % len(HEADINGS)]}方面（共{count}项）")
        row = rows[(number - 1) % len(rows)]
        lines += [str(number), cities[number % len(cities)] + row.title, *row.paragraphs, row.department, row.scope]
    return ("\n".join(lines) + "\n").encode()


def chinese(number: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (up to 99), as a notice numbers its group headings."""
    digits = "〇一二三四五六七八九"
    tens, ones = divmod(number, 10)
    return (digits[tens] if tens > 1 else "") + ("十" if tens else "") + (digits[ones] if ones else "")


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def measure() -> list[dict]:
    """Each case's median seconds for a dry run and a write; every write removed again, untimed."""
    from batches.importing import Correction, import_bulletin
    from batches.models import Batch
    from practices.models import City, Practice

    notice = (BULLETINS / "state-council-2018-commendation.txt").read_bytes()
    cases = [
        ("notice", "State Council notice", notice),
        ("table", f"{TABLE_ITEMS:,}-item table", grown_table(TABLE_ITEMS)),
    ]
    city_ids = list(City.objects.values_list("pk", flat=True))
    results = []
    for key, name, data in cases:
        options = {"data": data, "year": 2030, "sequence": 1, "source_name": name}
        read = import_bulletin(dry_run=True, **options).bulletin
        unknown = [item.number for item in read.items if item.city is None]
        corrections = {n: Correction(city_id=city_ids[n % len(city_ids)]) for n in unknown}
        dry, write = [], []
        for _ in range(RUNS):
            dry.append(timed(lambda: import_bulletin(dry_run=True, corrections=corrections, **options)))  # noqa: B023
            write.append(timed(lambda: import_bulletin(corrections=corrections, **options)))  # noqa: B023
            batch = Batch.objects.get(year=2030, sequence=1)
            ids = list(batch.entries.values_list("practice_id", flat=True))
            batch.delete()
            Practice.objects.filter(pk__in=ids).delete()
        items = len(read.items)
        for kind, times in (("dry run", dry), ("write", write)):
            seconds = statistics.median(times)
            results.append(
                {
                    "case": f"{name}, {kind}",
                    "items": items,
                    "corrected": len(unknown),
                    "seconds": round(seconds, 3),
                    "items_per_second": round(items / seconds),
                    "target": TARGETS[key],
                }
            )
    return results


def table(results: list[dict]) -> str:
    lines = [f"{'import (SQLite, median of ' + str(RUNS) + ')':<40} {'items':>6} {'seconds':>8} {'items/s':>8}"]
    for r in results:
        mark = "✓" if r["seconds"] < r["target"] else "✗"
        figures = f"{r['items']:>6,} {r['seconds']:>8.3f} {r['items_per_second']:>8,}"
        lines.append(f"{r['case']:<40} {figures}  < {r['target']:g} s {mark}")
    return "\n".join(lines)


def one():
    """In the process run() starts: set up the throwaway database, measure, print the results as JSON."""
    import io
    import logging

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizenv.settings")
    django.setup()
    logging.disable(logging.INFO)  # a line per row created or deleted, thousands of them
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", force=True, stdout=io.StringIO())
    print(json.dumps(measure(), ensure_ascii=False))


def run() -> list[dict]:
    """Measure in a process of its own, on a throwaway SQLite database."""
    with tempfile.TemporaryDirectory(prefix="bizenv-bench-import.") as work:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{Path(work) / 'import.sqlite3'}",
            "DEBUG": "0",  # production settings: no query log
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "localhost",
            "MEDIA_ROOT": str(Path(work) / "media"),
            "PYTHONPATH": str(ROOT),
        }
        from bench.run import one_shot  # run.py imports this module

        return one_shot("bench.importing", env=env, failure="the import measurement")


def main():
    if "--one" in sys.argv[1:]:
        one()
        return
    results = run()
    print(table(results))
    if "--json" in sys.argv[1:]:
        print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
