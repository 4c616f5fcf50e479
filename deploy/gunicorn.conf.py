"""gunicorn for bizenv: `gunicorn -c deploy/gunicorn.conf.py` (deploy/systemd/bizenv-web.service, make serve).

Each name below is one of gunicorn's settings (tests/bizenv/test_deploy.py checks it; gunicorn ignores a misspelt
one); helpers start with "_". Three can be changed from the environment (deploy/bizenv.env): GUNICORN_BIND,
GUNICORN_WORKERS and FORWARDED_ALLOW_IPS.
"""

import os

wsgi_app = "bizenv.wsgi:application"

# Only the local nginx talks to gunicorn. With several application servers, bind the address nginx reaches
# (GUNICORN_BIND=10.0.0.11:8000) and name nginx's address in FORWARDED_ALLOW_IPS.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")


def _cores() -> int:
    """The cores this process may run on (systemd's CPUAffinity or a container's limit), not the machine's."""
    return len(os.sched_getaffinity(0))


# Synchronous workers: one request at a time each, so the usual two per core (one waits on the database while
# the other computes) and one more. Each holds the whole app, about 70 MB (a PDF renders in a child process of its
# own, batches/pdf.py); lower the number where memory is short.
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * _cores() + 1)
worker_class = "sync"

# The longest request (a batch's PDF, stopped at BIZENV_PDF_SECONDS, 30 by default; the statistics rebuilt at
# 100,000 practices) takes seconds; a worker silent for a minute is stuck and is replaced. nginx's
# proxy_read_timeout (70 s) is longer, so the app answers first.
timeout = 60
# On restart or stop, a request under way gets this long to finish.
graceful_timeout = 30

# A worker is replaced after about this many requests, so that no slow growth of its memory lasts; the jitter
# keeps the workers from all restarting at the same moment.
max_requests = 1000
max_requests_jitter = 100

# Load the app once in the master, then fork the workers: they share its memory, a bad setting stops the master at
# once with its message, and a worker replaced after max_requests starts in milliseconds. bizenv/wsgi.py calls
# collector.tune() as it loads: the master freezes what it has loaded before forking (the workers inherit it), and
# each worker counts its own first requests before freezing again. A code upgrade needs a restart, not a reload.
preload_app = True


def pre_fork(server, worker):
    """No database connection crosses a fork: two workers talking over one socket would mix their queries. Nothing
    queries at start-up today; this keeps it true."""
    from django.db import connections

    connections.close_all()


# X-Forwarded-Proto is believed from these addresses only (gunicorn's own default), and it is the only header
# that says https: nginx sets it and overwrites a client's. Django believes it too with TRUSTED_PROXY=1.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# No access log from gunicorn: nginx logs every request (with its request id), and so does the app. Errors and
# start/stop go to stderr, which systemd's journal keeps (journalctl -u bizenv-web).
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "bizenv"

# Workers' heartbeat files in memory rather than on disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# systemctl does what gunicorn's control socket would (and under systemd's ProtectSystem there is nowhere to put it).
control_socket_disable = True
