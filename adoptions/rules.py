"""Who may do what with 复制推广, as rules predicates; views only ask.

A city reports only for itself, never on its own practice (no such row exists), never on a row the province has
excused it from, and only on a published practice.
"""

import rules

from practices.enums import Status
from practices.people import is_city_official, is_coordinator, is_province_staff, user_city
from practices.rules import has_city


@rules.predicate
def is_own_row(user, adoption):
    city = user_city(user)
    return adoption is not None and city is not None and adoption.city_id == city.pk


@rules.predicate
def is_reportable(user, adoption):
    return adoption is not None and adoption.excused_at is None and adoption.practice.status == Status.PUBLISHED


rules.add_perm("adoptions.view_ledger", is_city_official & has_city)
rules.add_perm("adoptions.report", is_city_official & is_own_row & is_reportable)
rules.add_perm("adoptions.view_matrix", is_province_staff)
rules.add_perm("adoptions.manage", is_coordinator)
