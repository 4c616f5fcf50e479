import rules

from .people import user_city, user_roles

# The header's links, by the permission each needs. Asked of the rules alone: a permission the rules deny would
# otherwise fall through to Django's model permissions, two queries on every signed-in page.
HEADER_LINKS = {
    "city": "practices.add_practice",
    "ledger": "adoptions.view_ledger",
    "queue": "reviews.view_queue",
    "invite": "practices.invite_people",
}


def membership(request):
    """The signed-in user's roles and city, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_roles": user_roles(user),
        "user_city": user_city(user),
        "header_links": {link: rules.has_perm(name, user) for link, name in HEADER_LINKS.items()},
        # Lazy: counted only on pages whose template shows it.
        "unread_count": lambda: user.notifications.filter(read_at__isnull=True).count(),
    }
