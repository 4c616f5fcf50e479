"""make bench: time the public pages on SQLite and PostgreSQL at 10k and 100k practices, print one table.

Each database and size is measured by bench/measure.py in a process of its own, all of them started (and filled)
first; then they take BENCH_RUNS rounds (default 40) in turn, each round every page once. SQLite databases are kept in
.bench/ and reused when they already hold enough practices. PostgreSQL is the server BENCH_DATABASE_URL names
(a role that may create databases), or else a throwaway PostgreSQL 15 cluster started here when its programs are
installed (with the rum extension when Debian's postgresql-15-rum is). Without either, PostgreSQL is skipped,
and the output says so.

BENCH_SIZES (default "10000 100000") and BENCH_DATABASES (default "sqlite postgresql") narrow the run.

Then every page a visitor reaches is loaded over HTTP through gunicorn (bench/served.py), and, with SQLite,
importing announcements is timed (bench/importing.py): a 130-item notice and a 1,000-item table; and a city's
500-row uploads, on both databases (bench/uploads.py).
"""

import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import importing, served, uploads
from bench.cluster import PGBIN, Cluster, create_database
from bench.figures import RUNS, WARMUP, summary

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "search": 50.0,
    "list": 25.0,
    "filtered list": 25.0,
    "announcement": 25.0,
    "stats": 25.0,
    "city: 台账": 25.0,
    "city: 台账, filtered": 25.0,
    "province: matrix (50 entries)": 25.0,
    "city: 台账 .xlsx (5,000 rows)": 2000.0,
}


class Measurer:
    """bench/measure.py --serve for one database at one size, in a process of its own: started, it fills the
    database if needed and counts each page's queries; then it times one round of the pages when asked (warm-up
    rounds too: run.py asks for them just before the timed ones)."""

    def __init__(self, database_url: str, size: int):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "0",  # production settings: cached templates, no query log, collected static files
            "SECRET_KEY": secrets.token_urlsafe(50),
            "STATIC_ROOT": str(ROOT / ".bench" / "static"),
            "PYTHONPATH": str(ROOT),
        }
        self.label = f"{database_url.split(':', 1)[0]}, {size:,} practices"
        self.errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 (outlives __init__; read if the process fails)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.measure", str(size), "--serve"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
        )
        self.about = self._read("filling and preparing")
        self.rounds: list[dict[str, float]] = []

    def one_round(self, timed: bool = True):
        try:
            self.process.stdin.write("round\n")
            self.process.stdin.flush()
        except OSError:  # the process has ended
            self._fail("a round")
        times = self._read("a round")
        if timed:
            self.rounds.append(times)

    def _read(self, doing: str) -> dict:
        """The process's next JSON line; any other line it prints is passed on to stderr."""
        for line in self.process.stdout:
            try:
                return json.loads(line)
            except ValueError:
                sys.stderr.write(line)
        self._fail(doing)

    def _fail(self, doing: str):
        self.stop()
        self.errors.seek(0)
        sys.stderr.write(self.errors.read())
        raise SystemExit(f"bench: {doing} failed ({self.label})")

    def stop(self):
        """End the process (it ends by itself at the end of its input) and wait for it."""
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        self.process.wait()

    def close(self) -> dict:
        """The result as measure.py alone prints it; appended to .bench/results.jsonl as well."""
        self.stop()
        if self.process.returncode != 0:
            self._fail("ending")
        self.errors.close()
        about = {key: value for key, value in self.about.items() if key != "queries"}
        data = {**about, "rounds": len(self.rounds), "results": summary(self.rounds, self.about["queries"])}
        with (ROOT / ".bench" / "results.jsonl").open("a") as log:
            log.write(json.dumps(data, ensure_ascii=False) + "\n")
        return data


def one_shot(module: str, *args: str, env: dict, failure: str) -> dict:
    """Run `python -m module --one *args` in a process of its own with env; the JSON of its last line."""
    done = subprocess.run(
        [sys.executable, "-m", module, "--one", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: {failure} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def postgres_server():
    """A URL prefix for a PostgreSQL server where databases can be created, or None (with the reason printed)."""
    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        yield given.rsplit("/", 1)[0]
        return
    if not Cluster.available():
        print(f"bench: PostgreSQL skipped: no {PGBIN}/initdb and no BENCH_DATABASE_URL", file=sys.stderr)
        yield None
        return
    cluster = Cluster()
    try:
        cluster.start()
        cluster.install_rum()
        yield cluster.url
    finally:
        cluster.remove()


def target_of(name: str) -> float | None:
    if name.startswith("search") or name == "API search":
        return TARGETS["search"]
    return TARGETS.get(name)


def table(runs: list[dict]) -> str:
    names = list(runs[0]["results"])
    header = ["page"] + [f"{r['engine']} {r['size']:,}" for r in runs]
    rows = [header, ["", *["p50 / p95 ms · queries" for _ in runs]]]
    for name in names:
        row = [name]
        for r in runs:
            m = r["results"][name]
            target = target_of(name)
            mark = "" if target is None else (" ✓" if m["p95"] <= target else " ✗")
            row.append(f"{m['p50']:6.1f} / {m['p95']:6.1f} · {m['queries']}{mark}")
        rows.append(row)
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)) for row in rows]
    return "\n".join(lines)


def ratios(runs: list[dict]) -> str:
    """Each page's p50 against the bare Django view's, and 100k against 10k on the same database."""
    lines = []
    for r in runs:
        bare = r["results"]["bare Django view"]["p50"]
        worst = max((m["p50"] / bare, n) for n, m in r["results"].items() if n != "bare Django view")
        lines.append(f"{r['engine']} {r['size']:,}: slowest page {worst[1]} = {worst[0]:.0f}× the bare view")
    by_db: dict[str, list[dict]] = {}
    for r in runs:
        by_db.setdefault(r["engine"], []).append(r)
    for engine, sized in by_db.items():
        if len(sized) < 2:
            continue
        small, large = sized[0], sized[-1]
        growth = [
            f"{n} {large['results'][n]['p50'] / small['results'][n]['p50']:.1f}×"
            for n in small["results"]
            if n != "bare Django view"
        ]
        queries_same = all(small["results"][n]["queries"] == large["results"][n]["queries"] for n in small["results"])
        lines.append(
            f"{engine}: p50 at {large['size']:,} over {small['size']:,}: "
            + ", ".join(growth)
            + f"; query counts {'identical' if queries_same else 'DIFFER'}"
        )
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def main():
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "10000 100000").split()]
    databases = os.environ.get("BENCH_DATABASES", "sqlite postgresql").split()
    (ROOT / ".bench").mkdir(exist_ok=True)
    measurers = []
    with contextlib.ExitStack() as stack:
        if "sqlite" in databases:
            for size in sizes:
                print(f"bench: SQLite, {size:,} practices …", file=sys.stderr, flush=True)
                measurers.append(Measurer(f"sqlite:///{ROOT / '.bench' / f'sqlite-{size}.sqlite3'}", size))
                stack.callback(measurers[-1].stop)  # should anything fail: no process outlives the run
        server = stack.enter_context(postgres_server()) if "postgresql" in databases else None
        if server:
            for size in sizes:
                print(f"bench: PostgreSQL, {size:,} practices …", file=sys.stderr, flush=True)
                url = f"{server}/bizenv_bench_{size}"
                create_database(url)
                measurers.append(Measurer(url, size))
                stack.callback(measurers[-1].stop)  # before the server stops
        if not measurers:
            raise SystemExit("bench: nothing measured")
        # Every database and size takes its rounds in turn, as every page does within a round: a slow spell of
        # the machine falls on all of them alike, not on whichever was being measured at the time.
        # Warmed up first: the later fills pushed the earlier databases out of the caches.
        print(f"bench: {RUNS} rounds of each …", file=sys.stderr, flush=True)
        for timed in [False] * WARMUP + [True] * RUNS:
            for measurer in measurers:
                measurer.one_round(timed)
        runs = [measurer.close() for measurer in measurers]
    for r in runs:
        print(
            f"# {r['engine']}, {r['size']:,} practices, {r.get('adoptions', 0):,} rows of the 台账: "
            f"filled in {r['fill_seconds']} s, {r['rounds']} rounds"
        )
    print(table(runs))
    print(ratios(runs))
    print(
        "targets at 100k (p95): search ≤ 50 ms; list, announcement, stats, 台账 and matrix ≤ 25 ms; "
        "台账 .xlsx of 5,000 rows ≤ 2 s; ✓ met, ✗ missed"
    )
    http_ok = served.main()  # every page over HTTP, through gunicorn, loaded by wrk
    if "sqlite" in databases:
        print(f"bench: importing announcements, {importing.RUNS} runs of each …", file=sys.stderr, flush=True)
        print(importing.table(importing.run()))
    print("bench: a city's 500-row uploads …", file=sys.stderr, flush=True)
    print(uploads.table(uploads.run()))  # bench/uploads.py: the drafts and the 台账, checked and written
    if not http_ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
