"""What adoptions does when the apps below it act (connected in AdoptionsConfig.ready()): publishing a batch creates
what each city owes and tells every city so, an erratum changing an entry's scope changes it; a practice deleted
(a replaced import) takes only the rows nobody has touched; a city made inactive or active again owes accordingly;
and whatever changes what the public statistics count raises their generation."""

from django.db.models import ProtectedError
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from batches.enums import BatchStatus
from batches.models import Batch, BatchEntry
from batches.signals import batch_published, entry_scope_changed
from practices.models import City, Indicator

from . import services
from .enums import AdoptionStatus
from .models import Adoption


@receiver(batch_published, sender=Batch, dispatch_uid="adoptions.batch_published")
def _batch_published(sender, batch, by=None, **kwargs):
    """What each city now owes, then every city told so (and of its own practices), in the publication's
    transaction."""
    services.create_obligations(batch=batch, by=by)
    services.tell_cities(batch=batch)


@receiver(entry_scope_changed, dispatch_uid="adoptions.entry_scope_changed")
def _entry_scope_changed(sender, entry, by=None, **kwargs):
    services.scope_changed(entry=entry, by=by)


@receiver(pre_delete, sender=Adoption, dispatch_uid="adoptions.keep_reports")
def _keep_reports(sender, instance, **kwargs):
    """A row goes with its practice (a replaced import, a practice deleted in the admin) only while nobody has
    touched it: a city's report, or the province's excuse, protects the practice."""
    if instance.status != AdoptionStatus.NOT_STARTED or instance.excused_at is not None or instance.version > 1:
        raise ProtectedError(_("已填报的复制推广记录不能删除。"), {instance})


@receiver(pre_save, sender=City, dispatch_uid="adoptions.city_active_was")
def _city_saving(sender, instance, raw=False, **kwargs):
    """Note whether the city was active, so that only a change of it changes what the city owes."""
    if not raw and instance.pk:
        instance._active_was = City.objects.filter(pk=instance.pk).values_list("active", flat=True).first()


@receiver(post_save, sender=City, dispatch_uid="adoptions.city_changed")
def _city_saved(sender, instance, created=False, raw=False, **kwargs):
    was = getattr(instance, "_active_was", None)
    if raw or created or was is None or was == instance.active:
        return
    services.city_changed(city=instance)


@receiver(post_save, sender=Batch, dispatch_uid="adoptions.statistics_batch_saved")
@receiver(post_delete, sender=Batch, dispatch_uid="adoptions.statistics_batch_deleted")
@receiver(post_delete, sender=BatchEntry, dispatch_uid="adoptions.statistics_entry_deleted")
@receiver(post_save, sender=Indicator, dispatch_uid="adoptions.statistics_indicator_saved")
@receiver(post_save, sender=City, dispatch_uid="adoptions.statistics_city_saved")
def _counted_changed(sender, instance, raw=False, **kwargs):
    """What the public statistics count or name changed outside this app's services (an import replacing a
    published batch, an edit in the admin): their generation is raised (services.changed())."""
    if raw or (sender is Batch and kwargs.get("signal") is post_save and instance.status != BatchStatus.PUBLISHED):
        return
    services.changed()
