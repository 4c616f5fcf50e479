"""Who a user is: their roles (the groups of the same names) and the city they act for."""

import rules

from .enums import Role
from .models import City, Membership

is_city_official = rules.is_group_member(Role.CITY_OFFICIAL.value)
is_reviewer = rules.is_group_member(Role.REVIEWER.value)
is_coordinator = rules.is_group_member(Role.COORDINATOR.value)
is_province_staff = is_reviewer | is_coordinator

ROLE_PREDICATES = {
    Role.CITY_OFFICIAL: is_city_official,
    Role.REVIEWER: is_reviewer,
    Role.COORDINATOR: is_coordinator,
}


def user_roles(user) -> list[Role]:
    """The user's roles, in a fixed order (the predicates cache the groups on the user)."""
    return [role for role in Role if ROLE_PREDICATES[role](user)]


def user_city(user) -> City | None:
    """The city the user acts for, or None; cached on the user for the request."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_bizenv_city"):
        membership = Membership.objects.select_related("city").filter(user=user).first()
        user._bizenv_city = membership.city if membership else None
    return user._bizenv_city
