from .people import user_city, user_roles


def membership(request):
    """The signed-in user's roles and city, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_roles": user_roles(user),
        "user_city": user_city(user),
        # Lazy: counted only on pages whose template shows it.
        "unread_count": lambda: user.notifications.filter(read_at__isnull=True).count(),
    }
