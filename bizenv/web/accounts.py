"""Signing in and out: Django's own views, with a sign-out that a typed URL cannot trigger, and the page a
locked-out sign-in gets (django-axes, configured in settings.py)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils import timezone


class LogoutView(auth_views.LogoutView):
    """Signing out is a POST; a GET (a typed or bookmarked URL) asks for confirmation instead of a bare 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")


def client_address(request) -> str | None:
    """The address a sign-in came from: behind a trusted proxy (TRUSTED_PROXY=1) the last address of
    X-Forwarded-For, the one our proxy added; otherwise the connection's, since anyone can send that header."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUSTED_PROXY and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def locked_out(request, original_response=None, credentials=None):
    """429 with the sign-in page's look, saying until when: each attempt during a lockout starts its 15 minutes
    again (django-axes' AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so it ends 15 minutes from now."""
    until = timezone.localtime() + settings.AXES_COOLOFF_TIME
    context = {"until": until, "failures": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=429)
