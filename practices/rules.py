"""Who may do what with practices, as rules predicates; views only ask.

A user who may not see a practice gets 404 from the view, never 403: the
views fetch through selectors.get_practice_for, which asks these rules.
"""

import rules

from .enums import EDITABLE, WITHDRAWABLE, Source, Status
from .people import is_city_official, is_coordinator, user_city


@rules.predicate
def has_city(user):
    return user_city(user) is not None


@rules.predicate
def is_own_city(user, practice):
    city = user_city(user)
    return city is not None and practice is not None and practice.city_id == city.pk


@rules.predicate
def is_editable(user, practice):
    return practice is not None and practice.status in EDITABLE


@rules.predicate
def is_withdrawable(user, practice):
    return practice is not None and practice.status in WITHDRAWABLE


@rules.predicate
def was_submitted(user, practice):
    """The province's from the first submission on; a draft withdrawn before it was ever submitted never was."""
    if practice is None or practice.status == Status.DRAFT:
        return False
    return practice.status != Status.WITHDRAWN or practice.snapshots.exists() or practice.source != Source.PORTAL


is_city_member = is_city_official & has_city
is_own_city_official = is_city_member & is_own_city

# The city portal: a city's officials, for their own city's practices in any state.
rules.add_perm("practices.view_city_practice", is_own_city_official)
rules.add_perm("practices.add_practice", is_city_member)
rules.add_perm("practices.change_practice", is_own_city_official & is_editable)
rules.add_perm("practices.submit_practice", is_own_city_official & is_editable)
rules.add_perm("practices.withdraw_practice", is_own_city_official & is_withdrawable)
rules.add_perm("practices.import_practices", is_city_member | is_coordinator)

# New accounts: the coordinator invites city officials and reviewers; the administrator anyone (practices.forms).
rules.add_perm("practices.invite_people", is_coordinator | rules.is_superuser)
