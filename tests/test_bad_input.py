"""Bad input never gets a 500: every URL of tests/matrix.py, asked by a role that may use it, with every query
parameter our pages read and every field of every form on the page set to values of the wrong type, empty, huge,
unknown or with a NUL byte. Each answer must be a page (200, with the form's errors), a redirect, 400, 404 or 405;
whatever a request writes is rolled back."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.matrix import MATRIX, ROLES, USERS, build_world

pytestmark = pytest.mark.django_db

BAD = ["", "abc", "-1", "0", "9" * 30, "²", "1.5", "２０２２", "<script>alert(1)</script>", "x" * 20_000, "a\x00b"]
# Every query parameter a page of ours reads.
PARAMETERS = [
    "page", "page_size", "q", "city", "indicator", "batch", "year", "status", "sort", "round", "overdue",
    "practice", "next", "format",
]  # fmt: skip
FINE = {200, 302, 400, 404, 405}


class Forms(HTMLParser):
    """The names of the fields of a page's POST forms, and whether one takes a file."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: set[str] = set()
        self.files: set[str] = set()
        self.in_post = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_post = (attrs.get("method") or "").lower() == "post"
        elif self.in_post and tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            if attrs.get("type") == "file":
                self.files.add(attrs["name"])
            elif attrs["name"] != "csrfmiddlewaretoken":
                self.fields.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_post = False


def user_of(expected: str) -> str | None:
    """A role the row lets in (a page or a redirect after a POST), signed in if any signed-in role is."""
    allowed = [role for role, answer in zip(ROLES, expected.split(), strict=True) if answer in ("200", "302")]
    signed_in = [role for role in allowed if role != "anonymous"]
    return (signed_in or allowed or [None])[0]


def ask(client, method, url, data=None) -> str | None:
    """What went wrong with one request, or None; rolled back whatever it did."""
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, data or {})
            transaction.set_rollback(True)
    except Exception as exc:
        return f"{method.upper()} {url} {sorted(data or {})[:6]}…: {type(exc).__name__}: {exc}"[:400]
    if response.status_code not in FINE:
        return f"{method.upper()} {url} {sorted(data or {})[:6]}…: {response.status_code}"
    return None


@pytest.fixture
def world(demo, media):
    return build_world()


def test_no_bad_input_gets_a_500(world):
    clients = {"anonymous": Client()}
    for role, username in USERS.items():
        clients[role] = Client()
        clients[role].force_login(get_user_model().objects.get(username=username))
    pages = [(name, obj, method, user_of(expected)) for name, obj, method, expected in MATRIX]
    forms = {}  # url → field names, from the pages as their users see them
    for name, obj, method, role in pages:
        if role is None or method != "get":
            continue
        url = reverse(name, kwargs=world[obj])
        response = clients[role].get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found = Forms(response.content.decode())
            forms[url] = (found.fields, found.files)
    every_field = set().union(*(fields for fields, _ in forms.values()))

    failures = []
    for name, obj, method, role in pages:
        if role is None:
            continue
        url = reverse(name, kwargs=world[obj])
        client = clients[role]
        for value in BAD:
            if method == "get":
                failures.append(ask(client, "get", url, dict.fromkeys(PARAMETERS, value)))
            # Every field any of our forms posts, as a stale or forged form may send them to any URL.
            fields, files = forms.get(url, (set(), set()))
            data = dict.fromkeys(every_field | fields, value)
            data.update({name: SimpleUploadedFile(value[:50] or "x", value.encode()) for name in files})
            failures.append(ask(client, "post", url, data))
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"


def test_the_walk_reaches_the_forms(world):
    """The walk is only as good as what it sends: it finds the forms it should."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="xian"))
    row = re.search(r'href="/city/adoptions/(\d+)/"', client.get("/city/adoptions/").content.decode()).group(1)
    found = Forms(client.get(f"/city/adoptions/{row}/").content.decode())
    assert {"status", "adopted_on", "result", "reason", "version", "results-TOTAL_FORMS"} <= found.fields
    assert found.files == {"evidence"}
