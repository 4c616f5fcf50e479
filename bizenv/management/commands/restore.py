from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bizenv.backups import VENDORS, BackupError, restore


class Command(BaseCommand):
    help = _(
        "从 backup 写的备份文件恢复数据库和媒体文件。目标须是空的："
        "数据库中除 migrate 自动写入的内容外没有数据（或还没有表），媒体目录中没有文件；否则须加 --force。"
        "先读取并检查整个备份（清单、每个文件的 SHA-256），有任何问题都不做改动；"
        "恢复后再按清单核对每张表的行数和每个文件的校验和，并清空缓存。"
        "只能恢复到同一种数据库（SQLite 或 PostgreSQL）。恢复前请先停止网站。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=_("备份文件"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_(
                "目标不是空的也恢复：数据库被整体替换；媒体目录中原有的文件不删除，"
                "而是移到旁边的 <MEDIA_ROOT>.before-restore-<时间> 目录，恢复后的媒体目录与备份完全一致"
            ),
        )

    def handle(self, *args, file, force, **options):
        try:
            result = restore(path=file, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        contents = result.contents
        created_at = timezone.localtime(parse_datetime(result.created_at))
        out = self.stdout.write
        out(
            self.style.SUCCESS(
                _("已恢复备份：%(path)s（%(vendor)s，备份于 %(created)s）")
                % {"path": result.path, "vendor": VENDORS[result.vendor], "created": f"{created_at:%Y-%m-%d %H:%M:%S}"}
            )
        )
        out(
            _("数据库：%(tables)d 张表，%(rows)d 行，与清单一致。")
            % {"tables": len(contents.tables), "rows": contents.rows}
        )
        out(
            _("媒体文件：%(files)d 个，%(bytes)s，校验和与清单一致。")
            % {"files": len(contents.files), "bytes": filesizeformat(contents.bytes)}
        )
        if result.moved_aside:
            out(_("原有的媒体文件已移到：%(path)s") % {"path": result.moved_aside})
        out(_("已清空缓存。用时 %(seconds).1f 秒。") % {"seconds": sum(result.seconds.values())})
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
