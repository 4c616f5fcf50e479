"""Signals through which the apps above practices add to what it shows, without practices importing them."""

from django.dispatch import Signal

# Sent by the city portal's page of a practice (sender=Practice, practice=…, user=…) before it renders; each
# receiver returns a dict of what it adds to the page's context, or None. reviews answers with the comments its
# reviewers wrote for the city ("city_comments").
city_practice_shown = Signal()

# Sent when a city submits a practice (sender=Practice, practice=…, by=…), inside the submission's transaction.
# reviews tells the coordinators, with a link to the practice's page in the workbench.
practice_submitted = Signal()
