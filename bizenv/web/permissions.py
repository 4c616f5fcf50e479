"""Asking the rules from a view: a user without the permission gets 404, never 403, so nobody learns what exists."""

from django.http import Http404


def require(request, perm: str, obj=None):
    """Http404 unless the signed-in user holds `perm` (on `obj`, for an object-level rule)."""
    if not request.user.has_perm(perm, obj):
        raise Http404
