"""What public pages show but no service of adoptions counts (connected in PublicConfig.ready()): an erratum, an
attachment of a published practice, a published entry or practice saved (an edit in the admin) raise
the generation that public/pagecache.py keeps pages under, in the writer's transaction, as every service that
changes something public already does (adoptions.services.changed(); adoptions/receivers.py for batches, cities
and indicators)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from adoptions import services
from batches.enums import BatchStatus
from batches.models import BatchEntry, Erratum
from practices.enums import Status
from practices.models import Attachment, Practice


@receiver(post_save, sender=Erratum, dispatch_uid="public.erratum_saved")
@receiver(post_delete, sender=Erratum, dispatch_uid="public.erratum_deleted")
def _erratum(sender, instance, raw=False, **kwargs):
    if not raw:
        services.changed()


@receiver(post_save, sender=BatchEntry, dispatch_uid="public.entry_saved")
def _entry(sender, instance, raw=False, **kwargs):
    if not raw and instance.batch.status == BatchStatus.PUBLISHED:
        services.changed()


@receiver(post_save, sender=Practice, dispatch_uid="public.practice_saved")
def _practice(sender, instance, raw=False, **kwargs):
    if not raw and instance.status == Status.PUBLISHED:
        services.changed()


@receiver(post_save, sender=Attachment, dispatch_uid="public.attachment_saved")
@receiver(post_delete, sender=Attachment, dispatch_uid="public.attachment_deleted")
def _attachment(sender, instance, raw=False, **kwargs):
    if not raw and Practice.objects.filter(pk=instance.practice_id, status=Status.PUBLISHED).exists():
        services.changed()
