"""make bench, its HTTP phase: every page a visitor reaches, over HTTP through gunicorn, loaded by wrk.

For each database (SQLite, PostgreSQL) and size (10,000 and 100,000 practices, in 2,000 published batches at
100,000): the database is filled as bench/measure.py fills it (SQLite files in .bench/, kept; PostgreSQL databases
bizenv_http_<size> on BENCH_DATABASE_URL's server, kept, or on a throwaway cluster), then served by gunicorn with
deploy/gunicorn.conf.py and production settings (DEBUG off, two workers, no worker recycled during the run) with
bench/urls.py's bare view beside the project's pages. wrk (Debian's package) loads each page in turn with
BENCH_HTTP_CONNECTIONS (8) connections for BENCH_HTTP_SECONDS (5) seconds, in BENCH_HTTP_ROUNDS (2) rounds after one
warm-up round of a second a page; the city official's and the coordinator's pages with their cookies (the session's
and the CSRF token's, as a browser has them after its first page). Printed for every page: requests per second, the
ratio to the bare view's in the same run, p50/p95/p99, errors (sockets, timeouts, answers of 400 and above, and the
page's answer before and after its load if it was not 200), each target met or not; then each page's cost at the
larger size over the smaller (requests per second at the smaller over the larger), and each worker's resident memory
after the run. The load generator runs on the same machine, as the issue's figures were taken.

BENCH_SIZES and BENCH_DATABASES narrow the run as for bench/run.py. Exits 1 if a target is missed.
"""

import contextlib
import http.client
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench.cluster import ensure_database
from bench.load import environment, free_port, healthy, wait_until

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", 5))
ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", 2))
CONNECTIONS = int(os.environ.get("BENCH_HTTP_CONNECTIONS", 8))
WORKERS = 2
BARE = "bare Django view"
MEMORY_MB = 150.0
GROWTH = 1.5  # the most a page may cost at 100k over 10k


def target(name: str) -> tuple[float | None, float | None]:
    """(the least ratio to the bare view's requests per second, the most p95 in ms) the page must meet."""
    if name in {"home", "announcement", "practice page"}:
        return 0.8, None
    if name.startswith("announcement ."):
        return 0.5, None
    if name.startswith("search"):
        return 0.2, 25.0
    if name.startswith(("city:", "province:")):
        return None, 25.0
    if name == BARE:
        return None, None
    return 0.35, None  # the lists, /batches/, the API, the feed, the statistics


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def prepare(database_url: str, size: int, key: str) -> dict:
    """Fill the database to size (bench/measure.py) and return its pages and the signed-in users' sessions."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": key, "PYTHONPATH": str(ROOT)}
    env["STATIC_ROOT"] = str(ROOT / ".bench" / "static")
    done = subprocess.run(
        [sys.executable, "-m", "bench.measure", str(size), "--prepare"], cwd=ROOT, env=env, stdout=subprocess.PIPE
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: preparing {database_url} failed")
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


class Server:
    """gunicorn with the production configuration and settings, WORKERS workers, none recycled during the run."""

    def __init__(self, database_url: str, key: str):
        self.workdir = Path(tempfile.mkdtemp(prefix="bizenv-http."))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = environment(database_url, self.workdir, self.port)
        env.update({"SECRET_KEY": key, "DJANGO_SETTINGS_MODULE": "bench.settings", "GUNICORN_WORKERS": str(WORKERS)})
        self.log = (self.workdir / "gunicorn.log").open("w")
        self.process = subprocess.Popen(
            [BIN / "gunicorn", "--config", "deploy/gunicorn.conf.py", "--max-requests", "0"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        if wait_until(lambda: healthy(self.base), 60) is None:
            self.stop()
            raise SystemExit(f"bench: gunicorn did not come up (see {self.workdir / 'gunicorn.log'})")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    @staticmethod
    def resident_mb(pid: int) -> float:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def load(base: str, path: str, seconds: float, cookie: str | None = None) -> dict:
    """wrk against base + path for seconds: what bench/wrk.lua printed, with "not_200" the answers of 400 and
    above plus the page's answer before and after the load if it was not 200 (a redirect to the login page)."""
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--timeout", "10s", "-s", "bench/wrk.lua"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    quoted = urllib.parse.quote(path, safe="/?=&%+:")  # wrk sends the path as given: percent-encoded
    before = status_of(base, quoted, cookie)
    done = subprocess.run([*command, base + quoted], cwd=ROOT, capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["not_200"] = figures.pop("status") + (before != 200) + (status_of(base, quoted, cookie) != 200)
    return figures


def status_of(base: str, path: str, cookie: str | None) -> int:
    """The status of one GET of the page, redirects not followed."""
    address = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        return connection.getresponse().status
    finally:
        connection.close()


def measure(database_url: str, size: int) -> dict:
    key = secrets.token_urlsafe(50)
    prepared = prepare(database_url, size, key)
    cookies = prepared["cookies"]  # the signed-in users': session and CSRF, as a browser sends them

    def cookie_of(path: str) -> str | None:
        return next((cookie for prefix, cookie in cookies.items() if path.startswith(prefix)), None)

    server = Server(database_url, key)
    try:
        rounds: list[dict[str, dict]] = []
        for timed in [False] + [True] * ROUNDS:
            figures = {}
            for name, path in prepared["pages"]:
                figures[name] = load(server.base, path, SECONDS if timed else 1, cookie_of(path))
            if timed:
                rounds.append(figures)
        memory = [round(server.resident_mb(pid), 1) for pid in server.workers()]
    finally:
        server.stop()
    return {
        "database": prepared["database"],
        "engine": prepared["engine"],
        "size": prepared["size"],
        "results": combined(rounds),
        "worker_mb": memory,
    }


def combined(rounds: list[dict[str, dict]]) -> dict[str, dict]:
    """Each page over its rounds: requests per second over all of them, the median p50, the worst p95 and p99,
    every error; and its ratio to the bare view's requests per second."""
    pages = {}
    for name in rounds[0]:
        runs = [r[name] for r in rounds]
        seconds = max(sum(run["microseconds"] for run in runs) / 1e6, 1e-9)
        p50s = sorted(run["p50"] for run in runs)
        pages[name] = {
            "rps": sum(run["requests"] for run in runs) / seconds,
            "p50": p50s[len(p50s) // 2] / 1000,
            "p95": max(run["p95"] for run in runs) / 1000,
            "p99": max(run["p99"] for run in runs) / 1000,
            "errors": sum(run["socket"] + run["timeout"] + run["not_200"] for run in runs),
            "kb": sum(run["bytes"] for run in runs) / max(1, sum(run["requests"] for run in runs)) / 1024,
        }
    for figures in pages.values():
        figures["ratio"] = figures["rps"] / max(pages[BARE]["rps"], 1e-9)
    return pages


def verdict(name: str, figures: dict) -> tuple[str, bool]:
    ratio, p95 = target(name)
    ok = figures["errors"] == 0
    goals = []
    if ratio is not None:
        goals.append(f"≥ {ratio:g}×")
        ok = ok and figures["ratio"] >= ratio
    if p95 is not None:
        goals.append(f"p95 ≤ {p95:g}")
        ok = ok and figures["p95"] <= p95
    return " ".join(goals), ok


def table(run: dict) -> tuple[str, bool]:
    from bench.run import _pad  # run.py imports this module

    lines = [
        f"# {run['engine']}, {run['size']:,} practices: gunicorn -w {WORKERS}, wrk -c{CONNECTIONS}, "
        f"{ROUNDS} × {SECONDS:g} s a page",
        f"{'page':<26} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'KB':>7}"
        "  target",
    ]
    all_ok = True
    for name, f in run["results"].items():
        goal, ok = verdict(name, f)
        mark = "" if not goal else (" ✓" if ok else " ✗")
        all_ok = all_ok and (ok or not goal)
        lines.append(
            f"{_pad(name, 26)} {f['rps']:>8,.0f} {f['ratio']:>5.2f}× {f['p50']:>7.1f} {f['p95']:>7.1f} "
            f"{f['p99']:>7.1f} {f['errors']:>6} {f['kb']:>7.1f}  {goal}{mark}"
        )
    memory_ok = all(mb <= MEMORY_MB for mb in run["worker_mb"])
    lines.append(
        f"worker memory after the run: {', '.join(f'{mb:.0f} MB' for mb in run['worker_mb'])} "
        f"(≤ {MEMORY_MB:.0f} MB each{' ✓' if memory_ok else ' ✗'})"
    )
    return "\n".join(lines), all_ok and memory_ok


def growth(runs: list[dict]) -> tuple[str, bool]:
    """Each page's cost (1 / requests per second) at the largest size over the smallest, per database."""
    lines, all_ok = [], True
    by_database: dict[str, list[dict]] = {}
    for run in runs:
        by_database.setdefault(run["database"], []).append(run)
    for database, sized in by_database.items():
        if len(sized) < 2:
            continue
        small, large = sized[0], sized[-1]
        parts = []
        for name in small["results"]:
            if name == BARE:
                continue
            cost = small["results"][name]["rps"] / max(large["results"][name]["rps"], 1e-9)
            ok = cost <= GROWTH
            all_ok = all_ok and ok
            parts.append(f"{name} {cost:.2f}×{'' if ok else ' ✗'}")
        lines.append(
            f"{database}: cost at {large['size']:,} over {small['size']:,} (≤ {GROWTH:g}×): " + ", ".join(parts)
        )
    return "\n".join(lines), all_ok


def about_machine() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), platform.machine())
    return f"# commit {commit.stdout.strip() or '?'}; {os.cpu_count()} cores ({model}); {time.strftime('%Y-%m-%d')}"


def main() -> bool:
    if not wrk_available():
        print("bench: HTTP phase skipped: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return True
    from bench.run import postgres_server  # run.py imports this module

    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "10000 100000").split()]
    databases = os.environ.get("BENCH_DATABASES", "sqlite postgresql").split()
    (ROOT / ".bench").mkdir(exist_ok=True)
    runs = []
    with contextlib.ExitStack() as stack:
        urls = []
        if "sqlite" in databases:
            urls += [(f"sqlite:///{ROOT / '.bench' / f'sqlite-{size}.sqlite3'}", size) for size in sizes]
        server = stack.enter_context(postgres_server()) if "postgresql" in databases else None
        if server:
            for size in sizes:
                ensure_database(f"{server}/bizenv_http_{size}")
                urls.append((f"{server}/bizenv_http_{size}", size))
        for url, size in urls:
            print(f"bench: HTTP, {url.split(':', 1)[0]}, {size:,} practices …", file=sys.stderr, flush=True)
            runs.append(measure(url, size))
    print(about_machine())
    all_ok = True
    for run in runs:
        text, ok = table(run)
        print(text)
        all_ok = all_ok and ok
    text, ok = growth(runs)
    print(text)
    with (ROOT / ".bench" / "http.jsonl").open("a") as log:
        for run in runs:
            log.write(json.dumps(run, ensure_ascii=False) + "\n")
    return all_ok and ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
