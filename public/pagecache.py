"""Whole public pages kept in Django's cache, for visitors who are not signed in.

A page a visitor reaches (the home page, /batches/, an announcement, a practice, the lists and searches, the API,
the feed, the statistics) is the same for every visitor until something public changes, and every such change
raises one counter in the database in its own transaction (adoptions.services.changed(): a publication, an
erratum, a report in the 台账, an attachment made public…; see public/receivers.py for the ones made outside a
service). So the page is rendered once per counter value and language, and kept; each later request costs the
counter's one-row query and a cache hit, before the session, the user or the CSRF machinery are looked at.
Once a change commits, the next request finds the counter moved, renders the page afresh, and keeps that.

What is kept: the views marked with @public_page, answered 200 to a GET from a visitor who has no session cookie
and no message waiting, without setting a cookie, built from figures of the current generation (a page built while
the statistics were being rebuilt, with the previous figures, is served but not kept). Keyed by scheme, host, path
and query, and the language the visitor's browser asks for. Signed-in users never get a kept page: theirs carries
their name and their work.

Each kept page has an ETag of its content, answered 304 when the browser has it, and Cache-Control that lets a
reverse proxy keep it while asking again each time (public, max-age=0, must-revalidate; Vary: Cookie,
Accept-Language), so that no proxy serves a page after the change that replaced it.

The middleware sits after WhiteNoise and before SessionMiddleware (bizenv/settings.py): the headers added outside
it (security, CSP, the request log) are added to a kept page as to any other.
"""

import hashlib
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe
from django.utils.translation import get_language_from_request

from adoptions.models import Generation
from bizenv.writes import one_value

KEY = "public.page.v1:{}"
SECONDS = 24 * 60 * 60  # a page nobody has asked for in a day makes room
CACHE_CONTROL = "public, max-age=0, must-revalidate"
# Headers of the view's response that a kept page keeps; the ones added outside this middleware are added again.
KEPT_HEADERS = {"content-type", "content-language", "content-disposition", "vary", "last-modified", "etag", "link"}
KEPT_HEADERS |= {"cache-control"}  # a view's own (the OpenAPI document may be kept an hour); else CACHE_CONTROL

# The generation this request's page is kept under, read before its view (public/statistics.py uses it too).
read: ContextVar[int | None] = ContextVar("public.pagecache.read", default=None)

# Set by whatever serves figures older than the current generation (public/statistics.py cached()): the page is
# answered but not kept.
outdated: ContextVar[bool] = ContextVar("public.pagecache.outdated", default=False)


def public_page(view):
    """Mark a view whose answer to a visitor who is not signed in may be kept (see the module's docstring)."""
    view.public_page = True
    return view


def current_generation() -> int:
    """The counter of public changes: one indexed row, read on every kept page (bizenv.writes.one_value(): through
    the driver's cursor, or Django's while queries are recorded)."""
    return one_value(f"SELECT value FROM {Generation._meta.db_table} WHERE id = 1") or 0


def _key(request) -> str | None:
    """The cache key of this request's page, or None when no kept page may answer it."""
    if request.method != "GET":
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies or "HTTP_AUTHORIZATION" in request.META:
        return None
    scheme = "https" if request.is_secure() else "http"
    language = request.LANGUAGE_CODE = get_language_from_request(request)
    address = f"{scheme}://{request.META.get('HTTP_HOST', '')}{request.get_full_path()}"
    return KEY.format(hashlib.sha256(f"{language} {address}".encode()).hexdigest())


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _key(request)
        kept = cache.get(key) if key else None
        known = None
        if kept is not None:
            generation, status, headers, content = kept
            known = current_generation()
            if generation == known:
                # The language LocaleMiddleware would have activated: what runs after, in this thread, speaks it.
                translation.activate(request.LANGUAGE_CODE)
                return self._answer(request, status, headers, content)
        request._public_page_key, request._public_page_known = key, known
        token, read_token = outdated.set(False), read.set(None)
        try:
            response = self.get_response(request)
            if self._keepable(request, response):
                headers = {k: v for k, v in response.items() if k.lower() in KEPT_HEADERS}
                headers.setdefault("ETag", f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"')
                kept = (request._public_page_generation, response.status_code, headers, response.content)
                cache.set(key, kept, SECONDS)
                response.headers["ETag"] = headers["ETag"]
                self._public(response)
        finally:
            outdated.reset(token)
            read.reset(read_token)
        return response

    def process_view(self, request, view, args, kwargs):
        """A marked view's generation is read before the view reads anything: a page built from rows older than a
        change is so kept under the generation before it, which the next request no longer asks for."""
        if getattr(request, "_public_page_key", None) and getattr(view, "public_page", False):
            known = request._public_page_known  # read just now, when a kept page turned out to be older
            request._public_page_generation = current_generation() if known is None else known
            read.set(request._public_page_generation)

    def _keepable(self, request, response) -> bool:
        return (
            hasattr(request, "_public_page_generation")
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not outdated.get()
            and not (hasattr(request, "user") and request.user.is_authenticated)
        )

    def _answer(self, request, status, headers, content) -> HttpResponse:
        response = HttpResponse(content, status=status)
        for name, value in headers.items():
            response.headers[name] = value
        self._public(response)
        # 304 Not Modified to a browser (or proxy) that has this very page.
        modified = parse_http_date_safe(headers.get("Last-Modified", ""))
        return get_conditional_response(request, etag=headers["ETag"], last_modified=modified, response=response)

    @staticmethod
    def _public(response):
        response.headers.setdefault("Cache-Control", CACHE_CONTROL)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
