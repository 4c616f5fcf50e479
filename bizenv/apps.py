from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BizenvConfig(AppConfig):
    name = "bizenv"
    verbose_name = _("系统运行")

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import writes
        from .web import after

        connection_created.connect(writes.install, dispatch_uid="bizenv_count_writes")
        after.connect()
