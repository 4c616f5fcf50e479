"""Signals through which the apps above batches act on what happens to a batch, without batches importing them."""

from django.dispatch import Signal

# Sent when a batch has been published (sender=Batch, batch=…, by=…), inside the publishing transaction, whether by
# the coordinator or by importing an announcement with --publish. adoptions creates what each city owes.
batch_published = Signal()

# Sent when an erratum changes a published entry's scope (sender=BatchEntry, entry=…, by=…), inside the erratum's
# transaction. adoptions changes what each city owes for it.
entry_scope_changed = Signal()
