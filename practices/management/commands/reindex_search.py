from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from practices import search
from practices.enums import Status
from practices.models import Practice
from practices.search import similar as similarity

CHUNK = 500  # practices whose similar ones are found in one transaction


class Command(BaseCommand):
    help = _(
        "重建全文检索索引（所有经验做法；已发布的按发布时的文本）。"
        "加 --similar：再为尚未查找过的已发布经验做法查找相似经验做法（否则在其页面首次打开时查找）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--similar",
            action="store_true",
            help="then find the similar practices of every published practice not searched yet (one search each)",
        )

    def handle(self, *args, similar: bool, **options):
        with transaction.atomic():
            count = search.reindex_all()
        message = _("已重建检索索引：%(count)d 条（%(engine)s）。")
        self.stdout.write(message % {"count": count, "engine": search.backend().name})
        if similar:
            self.find_similar()

    def find_similar(self):
        published = Practice.objects.filter(status=Status.PUBLISHED, similar_searched=None)
        ids = list(published.order_by("pk").values_list("pk", flat=True))
        pairs = sum(similarity.remember(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK))
        message = _("已为 %(count)d 项已发布的经验做法查找相似经验做法，记录 %(pairs)d 对。")
        self.stdout.write(message % {"count": len(ids), "pairs": pairs})
