"""Who may do what with practices, as rules predicates; views only ask."""

import rules

from .models import Role

is_city_official = rules.is_group_member(Role.CITY_OFFICIAL.value)
is_reviewer = rules.is_group_member(Role.REVIEWER.value)
is_coordinator = rules.is_group_member(Role.COORDINATOR.value)
