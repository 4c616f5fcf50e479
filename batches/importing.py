"""Importing a published announcement as one batch: its practices, their frozen entries and events, all or nothing."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from practices import regions, search
from practices.enums import Source, Status
from practices.models import City, Indicator, Practice, PracticeEvent
from practices.search import similar
from practices.selectors import known_cities, known_indicators
from practices.services import outside_city

from .announcement import default_batch_title, ordinal
from .bulletin import Bulletin, BulletinError, Note, parse
from .documents import extract
from .enums import BatchStatus
from .models import Batch, BatchEntry
from .signals import batch_published


def read_bulletin(*, data: bytes, encoding: str = "auto", name: str = "") -> Bulletin:
    """Read an announcement's file (text, Word, web page or PDF; name is a hint) and parse it against the cities
    and indicators in the database; writes nothing."""
    extracted = extract(data, name, encoding)
    bulletin = parse(
        extracted.text,
        cities=known_cities(),
        indicators=known_indicators(),
        encoding=extracted.label,
        body_lines=extracted.body_lines,
    )
    bulletin.warnings[:0] = extracted.notes  # the document's doubts first: they concern every line
    return bulletin


@dataclass
class ImportResult:
    bulletin: Bulletin
    batch: Batch | None  # None in a dry run


def import_bulletin(
    *,
    data: bytes,
    year: int,
    sequence: int,
    title: str = "",
    date: datetime.date | None = None,
    dry_run: bool = False,
    publish: bool = False,
    replace: bool = False,
    encoding: str = "auto",
    source_name: str = "",
    by=None,
) -> ImportResult:
    """Read an announcement and, unless a dry run, write it as one batch with its practices, all or nothing."""
    if not 2000 <= year <= 2100:
        raise BulletinError(_("年份 %(year)d 不合理。") % {"year": year})
    if sequence < 1:
        raise BulletinError(_("批次序号必须大于 0。"))
    if date and not publish:
        raise BulletinError(_("--date 是发布日期，只能与 --publish 一起使用。"))
    bulletin = read_bulletin(data=data, encoding=encoding, name=source_name)
    existing = Batch.objects.filter(year=year, sequence=sequence).first()
    if dry_run and existing:
        bulletin.warnings.append(
            Note(
                None,
                "batch_exists",
                _("%(year)d年第%(sequence)s批已存在（“%(title)s”）：正式导入需加 --replace。")
                % {"year": year, "sequence": ordinal(sequence), "title": existing.title},
            )
        )
    if not dry_run:
        with transaction.atomic():
            with search.deferred():  # each item indexed once, at the end of the block
                batch = _write(bulletin, year, sequence, title, date, publish, replace, source_name, by)
            if publish:  # indexed as published: each item's similar practices are found in the index, both ways
                similar.remember(batch.entries.values_list("practice_id", flat=True))
        return ImportResult(bulletin, batch)
    return ImportResult(bulletin, None)


@transaction.atomic
def _write(bulletin, year, sequence, title, date, publish, replace, source_name, by) -> Batch:
    existing = Batch.objects.select_for_update().filter(year=year, sequence=sequence).first()
    if existing:
        if not replace:
            raise BulletinError(
                _("%(year)d年第%(sequence)s批已存在（“%(title)s”）。如确需覆盖，请加 --replace。")
                % {"year": year, "sequence": ordinal(sequence), "title": existing.title}
            )
        _delete_imported_batch(existing)

    _refuse_unwritable(bulletin)
    every_city = list(City.objects.all())
    cities = {c.name: c for c in every_city if not c.is_outside}
    by_code = {c.code: c for c in every_city}  # regions outside the province named before, and those named now
    indicators = {i.name: i for i in Indicator.objects.all()}
    status = Status.PUBLISHED if publish else Status.APPROVED
    # The announcement's own date: as the operator gives it, else as the document bears it; else not known, and
    # the batch is published now without a date of its own (the public pages say so, not the import's date).
    date = date or bulletin.date
    published_at = None
    if publish:
        published_at = timezone.make_aware(datetime.datetime.combine(date, datetime.time())) if date else timezone.now()
    batch = Batch(
        year=year,
        sequence=sequence,
        title=title or bulletin.title or default_batch_title(year, sequence),
        lead="\n".join(bulletin.lead),
        status=BatchStatus.PUBLISHED if publish else BatchStatus.DRAFT,
        published_at=published_at,
        published_by=by if publish else None,
        source_name=source_name,
        source_encoding=bulletin.encoding,
        source_text=bulletin.original_text,
        import_warnings=[note.as_dict() for note in bulletin.warnings],
        announced_on=date,
        announced_total=bulletin.announced_total,
    )
    _validate(batch, line=None)
    batch.save()

    events = []
    for item in bulletin.items:
        own = cities.get(item.city)
        city = own if own is not None and item.region_code in ("", own.code) else _outside(item, by_code)
        practice = Practice(
            city=city,
            indicator=indicators.get(item.indicator),
            title=item.title,
            body="\n\n".join(item.paragraphs),
            status=status,
            source=Source.IMPORT,
            created_by=by,
            updated_by=by,
        )
        _validate(practice, line=item.line)
        practice.save()
        entry = BatchEntry(
            batch=batch,
            practice=practice,
            number=item.number,
            title=item.title,
            city_name=city.name,
            indicator_name=item.indicator or "",
            body=practice.body,
            original_title=item.original_title[:200],
            original_text="\n".join(item.original_lines),
            warnings=[note.as_dict() for note in item.warnings],
            garbled=any(note.code == "damaged_text" for note in item.warnings),
        )
        _validate(entry, line=item.line, exclude=["batch", "practice"])
        entry.save()
        events.append(
            PracticeEvent(
                practice=practice,
                from_status=Status.DRAFT,
                to_status=status,
                actor=by,
                note=f"自公告导入：{batch.title} 第{item.number}项（{source_name or '-'} 第{item.line}行）",
            )
        )
    PracticeEvent.objects.bulk_create(events)
    if publish:
        batch_published.send(sender=Batch, batch=batch, by=by)
    return batch


def _outside(item, by_code: dict[str, City]) -> City:
    """The City of a region outside the province that the item names (created the first time it is named)."""
    if item.region_code in by_code:
        return by_code[item.region_code]
    region = regions.get(item.region_code)
    if region is None:  # one of the province's own cities, renamed or removed since the document was read
        raise BulletinError(
            _("第%(line)d行：第%(number)d项的城市“%(city)s”已不存在，请重新导入。")
            % {"line": item.line, "number": item.number, "city": item.city}
        )
    by_code[region.code] = outside_city(region)
    return by_code[region.code]


def _refuse_unwritable(bulletin: Bulletin):
    """Problems a dry run only warns about but that cannot be written: say which line, write nothing. An item from
    outside the province is written under its region; only an item naming no place at all is refused."""
    numbers: dict[int, int] = {}
    for item in bulletin.items:
        if item.city is None:
            raise BulletinError(
                _(
                    "第%(line)d行：第%(number)d项“%(title)s”未能识别城市，无法写入。请在标题开头写明城市，或先在管理后台为城市添加别名。"
                )
                % {"line": item.line, "number": item.number, "title": item.title}
            )
        if item.number in numbers:
            raise BulletinError(
                _("第%(line)d行：序号 %(number)d 与第%(first)d行重复，无法写入。请先更正原文的编号。")
                % {"line": item.line, "number": item.number, "first": numbers[item.number]}
            )
        numbers[item.number] = item.line


def _validate(instance, *, line: int | None, exclude=None):
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        details = "；".join(f"{field}: {'、'.join(messages)}" for field, messages in exc.message_dict.items())
        if line is None:
            raise BulletinError(_("数据不合规：%(details)s") % {"details": details}) from exc
        raise BulletinError(_("第%(line)d行：%(details)s") % {"line": line, "details": details}) from exc


def _delete_imported_batch(batch: Batch):
    """Remove a batch that came from an import, to import it again; refuse if anything else hangs on it."""
    practices = Practice.objects.filter(batch_entry__batch=batch)
    if practices.exclude(source=Source.IMPORT).exists():
        raise BulletinError(_("“%(title)s”包含通过系统填报的经验做法，不能整批替换。") % {"title": batch.title})
    ids = list(practices.values_list("pk", flat=True))
    batch.delete()  # entries go with it
    try:
        Practice.objects.filter(pk__in=ids).delete()
    except ProtectedError as exc:  # what later apps keep of a practice (a city's 复制推广) protects it
        kinds = "、".join(sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects}))
        raise BulletinError(
            _("“%(title)s”中已有经验做法被引用（%(kinds)s），不能整批替换。") % {"title": batch.title, "kinds": kinds}
        ) from exc
