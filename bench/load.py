"""make loadtest: bizenv under gunicorn and PostgreSQL, with production settings, loaded by 64 simulated users for
60 seconds (locust, bench/locustfile.py), with PostgreSQL stopped for 5 seconds in the middle.

Steps: a throwaway PostgreSQL 15 cluster (bench/cluster.py); the demo data and LOAD_PRACTICES synthetic published
practices; collected static files; gunicorn with deploy/gunicorn.conf.py; locust headless. At LOAD_FAULT_AT
seconds the cluster is stopped (`pg_ctl stop -m fast`: every connection cut) and started again LOAD_FAULT_SECONDS
later; the window runs from the stop until /healthz finds the database again. Printed: throughput, p50/p95/p99
and errors per kind of request, outside and inside the window (inside it a 503 page is the right answer), the
recovery time, and the invariants of bench/invariants.py checked afterwards. Exits 1 if a target is missed.

LOAD_USERS (64), LOAD_SECONDS (60), LOAD_PRACTICES (10000), LOAD_FAULT_AT (25), LOAD_FAULT_SECONDS (5); set
LOAD_FAULT_SECONDS=0 for a run without the fault.
"""

import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.cluster import Cluster, create_database

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PUBLIC_P95_MS = 100.0
RECOVERY_SECONDS = 5.0
WARMUP = 5.0  # seconds after the last user started (and signed in) before times count


def setting(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def environment(database_url: str, workdir: Path, port: int) -> dict:
    """Production settings (DEBUG off) on plain http on this machine, as `make serve` has them."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(ROOT / ".bench" / "static"),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def manage(env: dict, *args):
    subprocess.run(
        [sys.executable, "manage.py", *map(str, args)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def healthy(base: str, check: str = "") -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz{check}", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until(condition, seconds: float, step: float = 0.05) -> float | None:
    """When condition() first held (time.time()), polling every step for up to seconds; None if never."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return time.time()
        time.sleep(step)
    return None


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(share) - 1]


def report(records: list, window: tuple[float, float] | None, seconds: float, steady: float) -> tuple[str, dict]:
    """The table of figures, and the totals the verdict needs. Times are of the steady state: requests begun after
    the ramp-up (`steady`, when every user has signed in) and outside the fault window; errors are of all."""
    kinds = sorted({r[2] for r in records})
    lines = [
        f"{'kind':<12} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  server errors outside · in the window"
    ]
    totals = {"outside": 0, "unclear": 0, "public_p95": 0.0}

    def during(started: float, ms: float) -> bool:
        return bool(window) and started <= window[1] and started + ms / 1000 >= window[0]

    def timed(started: float, ms: float) -> bool:
        return started >= steady and not during(started, ms)

    for kind in [*kinds, "all"]:
        rows = records if kind == "all" else [r for r in records if r[2] == kind]
        outside, inside = [], []
        times = [r[1] for r in rows if timed(r[0], r[1])]
        for started, ms, _kind, _name, status, error, *_rest in rows:
            if not 0 < status < 500:
                (inside if during(started, ms) else outside).append(r_status(status, error))
        p95 = percentile(times, 95)
        lines.append(
            f"{kind:<12} {len(rows):>8,} {percentile(times, 50):>8.1f} {p95:>8.1f} {percentile(times, 99):>8.1f}  "
            f"{summary_of(outside)} · {summary_of(inside)}"
        )
        if kind == "all":
            totals["outside"] = len(outside)
        if kind in {"public", "search", "download"}:
            totals["public_p95"] = max(totals["public_p95"], p95)
    lines.append("")
    lines.append(f"{'request':<22} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8}   (steady state, slowest first)")
    by_name = {}
    for started, ms, _kind, name, *_rest in records:
        if timed(started, ms):
            by_name.setdefault(name, []).append(ms)
    for name, times in sorted(by_name.items(), key=lambda item: -percentile(item[1], 95)):
        lines.append(f"{name:<22} {len(times):>8,} {percentile(times, 50):>8.1f} {percentile(times, 95):>8.1f}")
    totals["unclear"] = len([r for r in records if r[4] >= 500 and not (r[4] == 503 and r[6])])
    lines.append(f"throughput: {len(records) / seconds:.1f} requests/s over {seconds:.0f} s")
    return "\n".join(lines), totals


def r_status(status: int, error: str) -> str:
    return str(status) if status else (error or "no answer")


def summary_of(failures: list[str]) -> str:
    if not failures:
        return "0"
    counts = {name: failures.count(name) for name in sorted(set(failures))}
    return ", ".join(f"{n} × {name}" for name, n in counts.items())


def main():
    if not Cluster.available():
        print("loadtest: needs PostgreSQL 15 (apt-get install postgresql-15 postgresql-15-rum)", file=sys.stderr)
        sys.exit(2)
    users, seconds = int(setting("LOAD_USERS", 64)), setting("LOAD_SECONDS", 60)
    fault_at, fault_seconds = setting("LOAD_FAULT_AT", 25), setting("LOAD_FAULT_SECONDS", 5)
    size = int(setting("LOAD_PRACTICES", 10_000))
    cluster = Cluster()
    workdir = Path(tempfile.mkdtemp(prefix="bizenv-load."))
    gunicorn = None
    try:
        cluster.start()
        cluster.install_rum()
        url = f"{cluster.url}/bizenv_load"
        create_database(url)
        port = free_port()
        env = environment(url, workdir, port)
        base = f"http://127.0.0.1:{port}"
        print(f"loadtest: filling PostgreSQL with the demo data and {size:,} practices …", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo", "--force")
        manage(env, "synth_practices", size)
        manage(env, "collectstatic", "--noinput")
        settle(url)
        server_log = (workdir / "gunicorn.log").open("w")
        gunicorn = subprocess.Popen(
            [BIN / "gunicorn", "--config", "deploy/gunicorn.conf.py"], cwd=ROOT, env=env, stderr=server_log
        )
        if wait_until(lambda: healthy(base), 60) is None:
            raise SystemExit("loadtest: gunicorn did not come up")
        began = time.time()
        records_file = workdir / "requests.json"
        print(f"loadtest: {users} users for {seconds:.0f} s against {base} …", flush=True)
        locust = subprocess.Popen(
            [
                BIN / "locust",
                "-f",
                "bench/locustfile.py",
                "--headless",
                "--only-summary",
                "-u",
                str(users),
                "-r",
                str(max(1, users // 4)),
                "-t",
                f"{seconds:.0f}s",
                "--host",
                base,
                "--stop-timeout",
                "5",
                "--loglevel",
                "ERROR",
            ],
            cwd=ROOT,
            env={**env, "LOAD_REQUESTS_FILE": str(records_file)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        window = recovery = again = None
        if fault_seconds > 0:
            time.sleep(max(0.0, began + fault_at - time.time()))
            stopped = time.time()
            cluster.stop("fast")
            time.sleep(fault_seconds)
            cluster.start()
            back = time.time()
            found = wait_until(lambda: healthy(base, "?check=database"), 30)
            recovery = (found - back) if found else None
            window = (stopped, found or time.time())
            again = f"{recovery:.2f} s later" if recovery is not None else "never"
            print(f"loadtest: PostgreSQL stopped for {back - stopped:.1f} s; the service answered again {again}")
        _out, errors = locust.communicate(timeout=seconds + 120)
        if locust.returncode not in (0, 1):  # 1: some requests failed, which the report counts
            print(errors.decode(errors="replace")[-3000:], file=sys.stderr)
            raise SystemExit(f"loadtest: locust exited {locust.returncode}")
        records = json.loads(records_file.read_text(encoding="utf-8"))
        table, totals = report(records, window, seconds, steady=began + users / max(1, users // 4) + WARMUP)
        print(table)
        checked = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.invariants",
                "--since",
                time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(began)),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        print("invariants after the run:")
        print(checked.stdout.rstrip() or checked.stderr[-3000:])
        verdict = [
            (f"0 server errors outside the fault window ({totals['outside']})", totals["outside"] == 0),
            (
                f"p95 of public pages ≤ {PUBLIC_P95_MS:.0f} ms ({totals['public_p95']:.1f})",
                totals["public_p95"] <= PUBLIC_P95_MS,
            ),
            (f"every error in the window a clear 503 page ({totals['unclear']} not)", totals["unclear"] == 0),
            ("invariants hold", checked.returncode == 0),
        ]
        if fault_seconds > 0:
            verdict.append(
                (
                    f"recovery ≤ {RECOVERY_SECONDS:.0f} s after the database returned ({again})",
                    recovery is not None and recovery <= RECOVERY_SECONDS,
                )
            )
        for text, ok in verdict:
            print(f"{'✓' if ok else '✗'} {text}")
        sys.exit(0 if all(ok for _text, ok in verdict) else 1)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        cluster.remove()
        shutil.rmtree(workdir, ignore_errors=True)


def settle(url: str):
    """After the fill, what a database that has been in use for a while has done: statistics gathered, dead rows
    vacuumed, the writes checkpointed (else autovacuum does it in the middle of the run)."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
        connection.execute("CHECKPOINT")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
