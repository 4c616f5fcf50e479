from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from practices import search


class Command(BaseCommand):
    help = _("重建全文检索索引（所有经验做法；已发布的按发布时的文本）。")

    def handle(self, *args, **options):
        with transaction.atomic():
            count = search.reindex_all()
        message = _("已重建检索索引：%(count)d 条（%(engine)s）。")
        self.stdout.write(message % {"count": count, "engine": search.backend().name})
