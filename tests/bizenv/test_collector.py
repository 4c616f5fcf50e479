"""bizenv/web/collector.py: what a worker holds is frozen at start and after its first requests."""

import gc
import weakref

import pytest
from django.core.signals import request_finished

from bizenv.web import collector

pytestmark = pytest.mark.django_db


@pytest.fixture
def interpreter_gc():
    """The test process's collector as it was: thresholds, nothing frozen, no receiver left behind."""
    thresholds = gc.get_threshold()
    yield
    request_finished.disconnect(dispatch_uid=collector._DISPATCH_UID)
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def is_frozen(obj) -> bool:
    """gc.get_objects() lists the three generations, not the permanent one that gc.freeze() moves objects to."""
    return not any(o is obj for o in gc.get_objects())


def test_tune_freezes_what_is_loaded_then_what_the_first_requests_built(client, interpreter_gc):
    loaded = [[] for _ in range(3)]
    collector.tune(warm_up_requests=3)
    assert gc.get_threshold() == collector.THRESHOLDS
    assert is_frozen(loaded)

    built = [[] for _ in range(3)]  # as a page's first request builds its caches
    for _ in range(2):
        assert client.get("/accounts/login/").status_code == 200
    assert not is_frozen(built)
    assert client.get("/accounts/login/").status_code == 200
    assert is_frozen(built)

    later = [[] for _ in range(3)]
    assert client.get("/accounts/login/").status_code == 200
    assert not is_frozen(later)  # twice per process, never again


class Node:
    pass


def test_freezing_keeps_no_garbage(interpreter_gc):
    """A cycle nobody references any more is collected before the freeze, not kept for the process's life."""
    node = Node()
    node.itself = node
    alive = weakref.ref(node)
    del node
    gc.disable()  # no automatic collection frees it first
    try:
        collector.freeze()
    finally:
        gc.enable()
    assert alive() is None
