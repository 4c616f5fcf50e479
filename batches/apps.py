from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "batches"
    verbose_name = _("批次与发布")

    def ready(self):
        from bizenv import worker
        from bizenv.web.fast import share

        from . import exportfiles, receivers
        from .models import Batch

        receivers.connect()
        worker.background.connect(exportfiles.build_pending, dispatch_uid="batches_exports_pending")
        share(Batch)  # the public list's filter offers the published batches on every page
