"""Asking the rules from a view: a user without the permission gets 404, never 403, so nobody learns what exists.

Our permissions are asked of the rules themselves (rules.has_perm), not through user.has_perm(): Django answers
yes to every permission of an active superuser before any rule is asked, which would let the IT administrator
act as any city's official or any reviewer (submit a city's draft, read a draft in the province's workbench).
The administrator works in /admin/; in the site, what a user may do follows from their roles
(tests/test_permission_matrix.py).
"""

import rules
from django.http import Http404


def can(user, perm: str, obj=None) -> bool:
    """Whether the rules let `user` do `perm` (on `obj`, for an object-level rule)."""
    return rules.has_perm(perm, user, obj)


def require(request, perm: str, obj=None):
    """Http404 unless the signed-in user holds `perm` (on `obj`, for an object-level rule)."""
    if not can(request.user, perm, obj):
        raise Http404
