"""Signed-in pages kept whole for the session that asked for them: @kept_for_user on a view (the city's home, the
province's review queue) answers a repeated GET with the page rendered before, as long as nothing has been written
to the database since (bizenv/writes.py counts every write, by anyone).

A page is kept under the key of: the session cookie and the CSRF secret (so only the session that rendered it, with
the same CSRF cookie, ever gets it), the user, the address with its query, the language and today's date (the days a
practice has waited); and under the count of writes read before the view reads anything: a page rendered while a
write commits is kept under a count that write leaves behind. Not kept, nor answered from what is kept: anything but
a GET that the view answers 200 with a page, a request with messages waiting or a response that adds one, a request
without a CSRF cookie or with one refused (the page would carry a token its browser does not have yet), a response
that sets a cookie. A kept page lasts SECONDS at most (a write made outside the application is not counted; the list
filters' cities and indicators are each process's for a minute, bizenv/web/fast.py).

Under load a page is read many times between writes: a reviewer going back to the queue, several of them at once.
What it saves is measured by bench/served.py (bench/RESULTS.md).
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone

from .. import writes

SECONDS = writes.KEPT_SECONDS
KEY = "bizenv:userpage:1:{}"  # the 1: what is kept under it, (count, status, headers, content)


def _key(request) -> str | None:
    if request.method != "GET" or not request.user.is_authenticated:
        return None
    session, csrf = request.COOKIES.get(settings.SESSION_COOKIE_NAME), request.META.get("CSRF_COOKIE")
    if not session or not csrf or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return None  # no CSRF secret yet, or the cookie's was refused: the page's token goes with a new cookie
    if request.COOKIES.get("messages") or request.session.get("_messages"):
        return None
    parts = [session, csrf, str(request.user.pk), request.get_full_path(), request.LANGUAGE_CODE]
    parts.append(timezone.localdate().isoformat())
    return KEY.format(hashlib.sha256("\n".join(parts).encode()).hexdigest())


def kept_for_user(view):
    """Keep the view's pages for the session that asked (see the module's docstring), inside @login_required. The
    view's own checks of who may see the page run when it is rendered, not when a kept page is answered: a kept page
    goes only to the session it was rendered for, and a change to what that user may see is a write."""

    @wraps(view)
    def kept(request, *args, **kwargs):
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        count = writes.current(connection)
        held = cache.get(key)
        if held is not None and held[0] == count:
            _count, status, headers, content = held
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            return response
        response = view(request, *args, **kwargs)
        messages = getattr(request, "_messages", None)
        if (
            response.status_code == 200
            and not response.streaming
            and getattr(response, "is_rendered", True)
            and not response.cookies
            and not (messages is not None and messages.added_new)
        ):
            cache.set(key, (count, response.status_code, list(response.items()), response.content), SECONDS)
        return response

    return kept
