import argparse
import datetime
import json
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from batches.announcement import default_batch_title
from batches.bulletin import ENCODINGS, BulletinError
from batches.importing import MAX_BYTES, import_bulletin


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        # Raised while arguments are parsed, where argparse (not CommandError) turns it into a usage message.
        raise argparse.ArgumentTypeError(_("日期“%(value)s”不是 YYYY-MM-DD 格式。") % {"value": value}) from exc


class Command(BaseCommand):
    help = (
        "Import a published announcement (公告: .txt, .docx, .html/.htm or .pdf) as a batch with its practices, "
        "all or nothing. --dry-run reads and reports without writing; --json prints what was read as one JSON object."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help="the announcement: plain text (.txt: UTF-8, GB18030, Big5 or UTF-16), Word (.docx), "
            "a web page (.html/.htm) or a PDF with a text layer",
        )
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--sequence", type=int, required=True, help="N of 第N批")
        parser.add_argument("--title", default="", help="the batch title, if the document has none or another")
        parser.add_argument("--date", type=iso_date, help="publication date, YYYY-MM-DD (with --publish)")
        parser.add_argument("--dry-run", action="store_true", help="read and report; write nothing")
        parser.add_argument("--json", action="store_true", help="print what was read as JSON on stdout")
        parser.add_argument("--publish", action="store_true", help="publish the batch (otherwise a draft batch)")
        parser.add_argument("--replace", action="store_true", help="replace an imported batch of that year+sequence")
        parser.add_argument("--encoding", default="auto", choices=["auto", *ENCODINGS])

    def handle(self, *args, file, year, sequence, title, date, dry_run, json, publish, replace, encoding, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": file})
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(_("文件超过 %(mb)d MB，不像是一份公告。") % {"mb": MAX_BYTES // 1024 // 1024})
        try:
            result = import_bulletin(
                data=path.read_bytes(),
                year=year,
                sequence=sequence,
                title=title,
                date=date,
                dry_run=dry_run,
                publish=publish,
                replace=replace,
                encoding=encoding,
                source_name=path.name,
            )
        except BulletinError as exc:
            raise CommandError(str(exc)) from exc
        if json:
            self.print_json(result, year, sequence, title)
        else:
            self.print_summary(result, dry_run, date)

    def print_json(self, result, year, sequence, title):
        bulletin = result.bulletin
        data = {
            "title": result.batch.title
            if result.batch
            else (title or bulletin.title or default_batch_title(year, sequence)),
            "year": year,
            "sequence": sequence,
            "lead": "\n".join(bulletin.lead),
            "declared_total": bulletin.declared_total,
            "announced_total": bulletin.announced_total,
            "date": bulletin.date.isoformat() if bulletin.date else None,
            "issuer": bulletin.issuer,
            "document_number": bulletin.document_number,
            "date_signed": bulletin.date_signed.isoformat() if bulletin.date_signed else None,
            "date_published": bulletin.date_published.isoformat() if bulletin.date_published else None,
            "attachment_title": bulletin.attachment_title,
            "sha256": result.sha256,
            "encoding": bulletin.encoding,
            "items": [item.as_dict() for item in bulletin.items],
            "warnings": [note.as_dict() for note in bulletin.warnings],
        }
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def print_summary(self, result, dry_run, date):
        bulletin = result.bulletin
        out = self.stdout.write
        out(bulletin.title or _("（文件无标题，将使用 --title 或默认标题）"))
        declared = bulletin.declared_total if bulletin.declared_total is not None else "—"
        out(
            _("编码 %(encoding)s；声明 %(declared)s 项，读到 %(found)d 项。")
            % {"encoding": bulletin.encoding, "declared": declared, "found": len(bulletin.items)}
        )
        for label, value in (
            (_("发文机关"), bulletin.issuer),
            (_("文号"), bulletin.document_number),
            (_("成文日期"), bulletin.date_signed),
            (_("附件"), bulletin.attachment_title),
        ):
            if value:
                out(f"{label}：{value}")
        if date:
            out(_("发布日期：%(date)s（--date）。") % {"date": date.isoformat()})
        elif bulletin.date:
            out(_("发布日期：%(date)s（原文所署）。") % {"date": bulletin.date.isoformat()})
        else:
            out(_("原文未注明日期：可用 --date 指定，否则公开页面显示“发布日期不详”。"))
        suggested = _("%(name)s（建议）")
        by_indicator = Counter(
            item.indicator or (suggested % {"name": item.suggested_indicator} if item.suggested_indicator else None)
            for item in bulletin.items
        )
        for heading, counts in (
            (_("按指标："), by_indicator),
            (_("按城市："), Counter(item.city for item in bulletin.items)),
        ):
            out(heading)
            for name, n in counts.items():
                out(f"  {name or _('（未识别）')}  {n}")
        notes = bulletin.all_warnings()
        out(_("提示 %(n)d 条：") % {"n": len(notes)})
        for item, note in notes:
            where = [_("第%(line)d行") % {"line": note.line} if note.line else _("全文")]
            if item:
                where.append(_("第%(n)d项") % {"n": item.number})
            fragment = f" “{note.fragment}”" if note.fragment else ""
            out(f"  {' '.join(where)}：{note.message}{fragment}")
        if dry_run:
            out(self.style.WARNING(_("试运行：未写入任何数据。")))
        else:
            batch = result.batch
            out(
                self.style.SUCCESS(
                    _("已写入“%(title)s”（%(status)s），共 %(n)d 项。")
                    % {"title": batch.title, "status": batch.get_status_display(), "n": len(bulletin.items)}
                )
            )
