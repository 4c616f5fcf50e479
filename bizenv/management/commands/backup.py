from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from bizenv.backups import VENDORS, BackupError, backup, default_output


class Command(BaseCommand):
    help = _(
        "把数据库和全部媒体文件（MEDIA_ROOT，即附件）写进一个备份文件（tar），附清单："
        "每张表的行数、每个文件的 SHA-256、各应用最新的迁移、数据库类型和备份时间。"
        "PostgreSQL 用 pg_dump（程序目录可用 PG_BIN 指定），SQLite 用在线备份接口。"
        "先写临时文件，完成后才改名：失败时不留下半个备份。备份文件含密码散列和会话，只有所有者可读。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help=_("备份文件的路径（默认：当前目录下的 bizenv-backup-年月日-时分秒.tar）；已有的文件不会被覆盖"),
        )

    def handle(self, *args, output, **options):
        try:
            result = backup(output=output or default_output())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        contents = result.contents
        self.stdout.write(
            self.style.SUCCESS(
                _("已写入备份：%(path)s（%(size)s，用时 %(seconds).1f 秒）")
                % {"path": result.path, "size": filesizeformat(result.size), "seconds": result.seconds}
            )
        )
        self.stdout.write(
            _("数据库（%(vendor)s）：%(tables)d 张表，%(rows)d 行；媒体文件：%(files)d 个，%(bytes)s。")
            % {
                "vendor": VENDORS[result.vendor],
                "tables": len(contents.tables),
                "rows": contents.rows,
                "files": len(contents.files),
                "bytes": filesizeformat(contents.bytes),
            }
        )
