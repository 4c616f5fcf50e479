"""Write every published batch's exports (Word, Excel, CSV, PDF) to storage, and delete those no longer served:
after an upgrade, a restore, or a change to how exports look (batches/exportfiles.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from batches import exportfiles


class Command(BaseCommand):
    help = _("生成所有已发布批次的导出文件（Word、Excel、CSV、PDF），并删除不再使用的旧文件。")

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help=_("只生成尚未生成的文件，已有的不重写"))

    def handle(self, *args, missing, **options):
        written, failed = exportfiles.build_all(missing=missing)
        self.stdout.write(_("已生成 %(written)d 个文件。") % {"written": written})
        if failed:
            raise CommandError(_("%(failed)d 个文件未能生成，原因见日志。") % {"failed": failed})
