"""Python's cycle collector in a long-running worker: no full collection in the middle of a request.

With the interpreter's defaults (a young collection every 700 allocations), a request of ours survives several
young collections, so what it allocates is promoted to the oldest generation, and every few dozen requests a full
collection walks everything the process holds: the ~125,000 objects of Django, our code and the caches the pages
fill. That walk took 70–95 ms, and fell on whichever request was running: the benchmark's p95 of the province's
matrix was 96 ms for a p50 of 20 (bench/RESULTS.md). Two changes remove it:

- young collections every 20,000 allocations, so that a request's objects are mostly freed by their reference
  counts before any collection sees them, and far fewer reach the oldest generation;
- gc.freeze() of what the process holds once it has started, and again after its first requests (compiled
  templates, catalogues, the resolver's caches): a full collection no longer walks them.

Frozen objects are never collected, so each freeze follows a full collection (no garbage is frozen) and happens a
fixed number of times per process. bizenv/wsgi.py calls tune() (gunicorn, runserver); bench/measure.py too, so
that the benchmark times what production runs.
"""

import gc

from django.core.signals import request_finished

THRESHOLDS = (20_000, 20, 10)  # the interpreter's defaults: (700, 10, 10)
WARM_UP_REQUESTS = 200  # the lazily built caches of every page a worker serves are built by then
_DISPATCH_UID = "bizenv.web.collector.freeze"


def tune(warm_up_requests: int = WARM_UP_REQUESTS):
    """Set the thresholds, freeze what is loaded now, and freeze again after `warm_up_requests` requests."""
    gc.set_threshold(*THRESHOLDS)
    freeze()
    served = 0

    def after_request(**kwargs):
        nonlocal served
        served += 1
        if served >= warm_up_requests:
            request_finished.disconnect(dispatch_uid=_DISPATCH_UID)
            freeze()

    request_finished.connect(after_request, weak=False, dispatch_uid=_DISPATCH_UID)


def freeze():
    gc.collect()
    gc.freeze()
