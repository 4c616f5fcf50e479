"""Work done for a request once its response has been sent: after_response(fn).

Within a request, fn is queued, and the queue runs when Django's request_finished signal is sent: gunicorn's sync
worker and runserver send it once the body has been written (the user is no longer waiting), the test client before
client.get() or client.post() returns. Outside a request (a management command, the shell, the worker, a test
calling a function directly) fn runs at once. Either way a function that fails is logged, with the request's id, and
neither stops the others nor changes the response; work that must not be lost keeps a record of its own in the
database, for another process to finish (see practices/search/receivers.py).

The queue runs before Django's own clean-up at the end of a request (connect() puts it first): the work uses the
request's database connection, and Django's close_old_connections then closes that connection as it would after any
request, when it is too old (CONN_MAX_AGE) or unusable; likewise the caches' connections.
"""

import logging
from collections.abc import Callable
from contextvars import ContextVar

from django.core.cache import close_caches
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from . import logs

logger = logging.getLogger(__name__)

# The request's queue: (function, the id of the request that queued it); None outside a request.
_queued: ContextVar[list[tuple[Callable[[], object], str]] | None] = ContextVar("bizenv_after_response", default=None)


def after_response(fn: Callable[[], object]):
    """Run fn once the current request's response has been sent; outside a request, now."""
    queued = _queued.get()
    if queued is None:
        _run(fn)
    else:
        queued.append((fn, logs.request_id()))


def _run(fn: Callable[[], object]):
    try:
        fn()
    except Exception:
        name = f"{fn.__module__}.{fn.__qualname__}" if hasattr(fn, "__qualname__") else repr(fn)
        logger.exception("work after the response failed: %s", name)


def start_queue(**kwargs):
    """request_started: a new queue for this request."""
    _queued.set([])


def run_queue(**kwargs):
    """request_finished: run what the request queued, in order (what that work queues in turn runs at once)."""
    queued = _queued.get()
    _queued.set(None)  # from here on, after_response() runs at once
    for fn, request_id in queued or ():
        with logs.named(request_id):
            _run(fn)


# What Django closes at the end of a request, once the queue has run (the work may use both).
DJANGO_CLEANUP = (close_caches, close_old_connections)


def connect():
    """Connect the queue to the request's signals, ahead of Django's clean-up at its end."""
    request_started.connect(start_queue, dispatch_uid="bizenv_after_response_start")
    for cleanup in DJANGO_CLEANUP:
        request_finished.disconnect(cleanup)
    request_finished.connect(run_queue, dispatch_uid="bizenv_after_response_run")
    for cleanup in DJANGO_CLEANUP:
        request_finished.connect(cleanup)
