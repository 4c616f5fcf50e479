"""What batches tells the apps below it (connected in BatchesConfig.ready()): the search index reads a published
practice's text as published, and follows every change of an entry or a batch's publication."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from practices import search

from .enums import BatchStatus
from .models import Batch, BatchEntry


def published_text(ids: list[int]) -> dict[int, tuple[str, str, str, int, int]]:
    """The frozen title, summary and body of those of these practices that are published, with their batch's year
    and sequence (a practice has one entry at most)."""
    rows = BatchEntry.objects.filter(practice_id__in=ids, batch__status=BatchStatus.PUBLISHED).values_list(
        "practice_id", "title", "summary", "body", "batch__year", "batch__sequence"
    )
    return {pk: tuple(rest) for pk, *rest in rows}


@receiver(post_save, sender=BatchEntry, dispatch_uid="search_entry_saved")
@receiver(post_delete, sender=BatchEntry, dispatch_uid="search_entry_deleted")
def _entry_written(sender, instance, raw=False, **kwargs):
    if not raw:
        search.touched([instance.practice_id])


@receiver(post_save, sender=Batch, dispatch_uid="search_batch_saved")
def _batch_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """A batch saved as published (in the admin, say): its entries gain their facets. batch_publish() indexes
    its entries itself and saves only the title and lead afterwards."""
    if raw or instance.status != BatchStatus.PUBLISHED or (update_fields is not None and "status" not in update_fields):
        return
    search.touched(instance.entries.values_list("practice_id", flat=True))


def connect():
    search.set_published_text(published_text)
