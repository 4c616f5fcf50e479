from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "batches"
    verbose_name = _("批次与发布")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from bizenv import worker
        from bizenv.web.fast import share

        from . import exportfiles, receivers
        from .models import Batch, Erratum

        receivers.connect()
        worker.background.connect(exportfiles.build_pending, dispatch_uid="batches_exports_pending")
        for model in (Batch, Erratum):
            for signal in (post_save, post_delete):
                signal.connect(exportfiles.batch_changed, sender=model, dispatch_uid=f"exports_{model.__name__}")
        share(Batch)  # the public list's filter offers the published batches on every page
