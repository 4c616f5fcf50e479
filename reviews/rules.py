"""Who may do what on the review side, as rules predicates; views only ask.

Reviewers never review their own city's practices: a reviewer with a city
(reviewer_xian) is recused from that city's practices everywhere here.
"""

import rules

from practices.enums import Status
from practices.people import is_coordinator, is_province_staff, is_reviewer, user_city
from practices.rules import was_submitted


@rules.predicate
def is_recused(user, practice):
    city = user_city(user)
    return practice is not None and city is not None and practice.city_id == city.pk


is_under_province_review = was_submitted


@rules.predicate
def is_assigned(user, practice):
    return (
        practice is not None
        and practice.reviews.filter(reviewer=user, round=practice.round, declined_at__isnull=True).exists()
    )


@rules.predicate
def is_in_review(user, practice):
    return practice is not None and practice.status == Status.IN_REVIEW


@rules.predicate
def is_decidable(user, practice):
    return practice is not None and practice.status == Status.IN_REVIEW


rules.add_perm("reviews.view_queue", is_province_staff)
# The province's view of a practice: the coordinator sees every submitted one; a reviewer every one not of
# their own city.
rules.add_perm("reviews.view_practice", is_under_province_review & (is_coordinator | (is_reviewer & ~is_recused)))
rules.add_perm("reviews.assign", is_coordinator)
rules.add_perm("reviews.score", is_reviewer & ~is_recused & is_assigned & is_in_review)
rules.add_perm("reviews.decide", is_coordinator & is_decidable)
rules.add_perm("reviews.manage_criteria", is_coordinator)

# Who changed what (/review/audit/, and a practice's field history on its page): the coordinator.
rules.add_perm("reviews.view_audit", is_coordinator)
