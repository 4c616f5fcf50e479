"""Who may compose and publish batches, as rules predicates; views only ask."""

import rules

from practices.people import is_coordinator

rules.add_perm("batches.manage", is_coordinator)
