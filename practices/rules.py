"""Who may do what with practices, as rules predicates; views only ask."""

import rules

from .models import Role

is_city_official = rules.is_group_member(Role.CITY_OFFICIAL.value)
is_reviewer = rules.is_group_member(Role.REVIEWER.value)
is_coordinator = rules.is_group_member(Role.COORDINATOR.value)

ROLE_PREDICATES = {
    Role.CITY_OFFICIAL: is_city_official,
    Role.REVIEWER: is_reviewer,
    Role.COORDINATOR: is_coordinator,
}
