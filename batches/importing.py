"""Importing a published announcement as one batch: its practices, their frozen entries and events, all or nothing."""

import dataclasses
import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from bizenv.web.history import recorded
from practices import regions, search
from practices.enums import Source, Status
from practices.models import City, Indicator, Practice, PracticeEvent
from practices.search import similar
from practices.selectors import known_cities, known_indicators
from practices.services import outside_city

from . import exportfiles
from .announcement import default_batch_title, ordinal
from .bulletin import PLACE_NOTES, Bulletin, BulletinError, Item, Note, parse
from .documents import extract
from .enums import BatchStatus, EntryScope
from .models import Batch, BatchEntry
from .signals import batch_published
from .suggest import suggest_indicators

# Read into memory whole: announcements are tens of kilobytes; anything this large is not one.
MAX_BYTES = 20 * 1024 * 1024


def read_bulletin(*, data: bytes, encoding: str = "auto", name: str = "") -> Bulletin:
    """Read an announcement's file (text, Word, web page or PDF; name is a hint) and parse it against the cities
    and indicators in the database, suggesting an indicator where no heading gives one; writes nothing."""
    extracted = extract(data, name, encoding)
    indicators = known_indicators()
    bulletin = parse(
        extracted.text,
        cities=known_cities(),
        indicators=indicators,
        encoding=extracted.label,
        body_lines=extracted.body_lines,
    )
    bulletin.warnings[:0] = extracted.notes  # the document's doubts first: they concern every line
    suggest_indicators(bulletin.items, indicators=indicators)
    return bulletin


def fingerprint(data: bytes) -> str:
    """What a batch records of the file it was imported from, to know the file again."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Correction:
    """What the coordinator chose for one item instead of what was read: one of the known cities, an indicator
    (which confirms a suggested one). None keeps what was read."""

    city_id: int | None = None
    indicator_id: int | None = None


@dataclass
class ImportResult:
    bulletin: Bulletin
    batch: Batch | None  # None in a dry run
    sha256: str = ""


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
    corrections: Mapping[int, Correction] | None = None,
    by=None,
) -> ImportResult:
    """Read an announcement, apply the corrections (item number → Correction) and, unless a dry run, write it as one
    batch with its practices, all or nothing."""
    if not 2000 <= year <= 2100:
        raise BulletinError(_("年份 %(year)d 不合理。") % {"year": year})
    if sequence < 1:
        raise BulletinError(_("批次序号必须大于 0。"))
    if date and not publish:
        raise BulletinError(_("--date 是发布日期，只能与 --publish 一起使用。"))
    bulletin = read_bulletin(data=data, encoding=encoding, name=source_name)
    apply_corrections(bulletin, corrections or {})
    sha256 = fingerprint(data)
    if dry_run:
        bulletin.warnings += notes_on_writing(year=year, sequence=sequence, sha256=sha256, replace=replace)
    else:
        with transaction.atomic():
            with search.deferred():  # each item indexed once, at the end of the block
                batch = _write(bulletin, year, sequence, title, date, publish, replace, source_name, by, sha256)
            if publish:  # indexed as published: each item's similar practices are found in the index, both ways
                similar.remember(batch.entries.values_list("practice_id", flat=True))
        return ImportResult(bulletin, batch, sha256)
    return ImportResult(bulletin, None, sha256)


def notes_on_writing(*, year: int, sequence: int, sha256: str, replace: bool) -> list[Note]:
    """What a dry run says the write would meet: the batch exists already, or the file was imported already."""
    notes = []
    if existing := Batch.objects.filter(year=year, sequence=sequence).first():
        message = _("%(year)d年第%(sequence)s批已存在（“%(title)s”）：正式导入需选择替换（--replace）。") % {
            "year": year,
            "sequence": ordinal(sequence),
            "title": existing.title,
        }
        notes.append(Note(None, "batch_exists", message))
    if same := _same_file(sha256, year, sequence, replace):
        notes.append(Note(None, "same_file", _same_file_message(same)))
    return notes


def refusals(bulletin: Bulletin) -> dict[int, str]:
    """Why the write would refuse each item that it would refuse on its own (no city, say), by item number."""
    refused = {}
    for item in bulletin.items:
        try:
            _refuse_unwritable(Bulletin(items=[item]))
        except BulletinError as exc:
            refused[item.number] = str(exc)
    return refused


def apply_corrections(bulletin: Bulletin, corrections: Mapping[int, Correction]):
    """Put the coordinator's choices in place of what was read, each said on its item."""
    if not corrections:
        return
    items = {item.number: item for item in bulletin.items}
    cities = City.objects.in_bulk({c.city_id for c in corrections.values() if c.city_id is not None})
    indicators = Indicator.objects.in_bulk({c.indicator_id for c in corrections.values() if c.indicator_id is not None})
    for number, correction in sorted(corrections.items()):
        item = items.get(number)
        if item is None:
            raise BulletinError(_("文件中没有第%(n)d项，无法更正。") % {"n": number})
        if correction.city_id is not None:
            city = cities.get(correction.city_id)
            if city is None:
                raise BulletinError(_("第%(n)d项所选的城市不存在，请刷新后重试。") % {"n": number})
            item.city, item.region_code = city.name, city.code
            item.warnings = [note for note in item.warnings if note.code not in PLACE_NOTES]
            message = _("城市由导入人选定为“%(name)s”。") % {"name": city.name}
            item.warnings.append(Note(item.line, "corrected_city", message))
        if correction.indicator_id is not None:
            indicator = indicators.get(correction.indicator_id)
            if indicator is None:
                raise BulletinError(_("第%(n)d项所选的指标不存在，请刷新后重试。") % {"n": number})
            item.indicator, item.suggested_indicator = indicator.name, None
            item.warnings = [note for note in item.warnings if note.code != "suggested_indicator"]
            message = _("指标由导入人选定为“%(name)s”。") % {"name": indicator.name}
            item.warnings.append(Note(item.line, "corrected_indicator", message))


def _same_file(sha256: str, year: int, sequence: int, replace: bool) -> Batch | None:
    """The batch this very file was imported as, unless it is the one being replaced."""
    same = Batch.objects.filter(source_sha256=sha256).first()
    if same is None or (replace and (same.year, same.sequence) == (year, sequence)):
        return None
    return same


def _same_file_message(batch: Batch) -> str:
    return _(
        "此文件已导入为%(label)s“%(title)s”，不能重复导入。如需重新导入，请以%(label)s导入并选择替换（--replace）。"
    ) % {"label": batch.label, "title": batch.title}


# A practice's relations, read from the database just before: validating them would read each again, per item.
RELATIONS_READ = ["city", "indicator", "created_by", "updated_by"]


@transaction.atomic
def _write(bulletin, year, sequence, title, date, publish, replace, source_name, by, sha256) -> Batch:
    existing = Batch.objects.select_for_update().filter(year=year, sequence=sequence).first()
    if existing and not replace:
        raise BulletinError(
            _("%(year)d年第%(sequence)s批已存在（“%(title)s”）。如确需覆盖，请选择替换（--replace）。")
            % {"year": year, "sequence": ordinal(sequence), "title": existing.title}
        )
    if same := _same_file(sha256, year, sequence, replace):
        raise BulletinError(_same_file_message(same))
    if existing:
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
        issuer=bulletin.issuer[:200],
        document_number=bulletin.document_number[:100],
        date_signed=bulletin.date_signed,
        date_published=bulletin.date_published,
        attachment_title=bulletin.attachment_title[:200],
        source_sha256=sha256,
    )
    _validate(batch, line=None)
    try:
        with transaction.atomic():
            batch.save()
    except IntegrityError as exc:  # the same file or batch, imported meanwhile by someone else
        raise BulletinError(_("同一文件或同一批次刚刚已被导入，请刷新后查看。")) from exc

    practices, entries, events = [], [], []
    for item in bulletin.items:
        # A suggested indicator is written as the item's, and its entry marked so, until the coordinator confirms it.
        item = dataclasses.replace(item, indicator=item.indicator or item.suggested_indicator)
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
        _validate(practice, line=item.line, exclude=RELATIONS_READ)
        entry = BatchEntry(
            batch=batch,
            practice=practice,
            number=item.number,
            title=item.title,
            city_name=city.name,
            # The announcement's heading: the indicator the coordinator chose for the item, else the heading as the
            # document has it (the indicator it names, or its own such as "优化市场准入方面"). A suggestion
            # classifies the practice but is no heading: the source gave none.
            indicator_name=(item.indicator if _chosen(item) else item.heading)[:100],
            body=practice.body,
            original_title=item.original_title[:200],
            original_text="\n".join(item.original_lines),
            warnings=[note.as_dict() for note in item.warnings],
            garbled=any(note.code == "damaged_text" for note in item.warnings),
            indicator_suggested=item.suggested_indicator is not None,
            department=item.department[:500],
            scope_text=item.scope[:200],
            scope=item.entry_scope or EntryScope.REPLICATE,
        )
        _validate(entry, line=item.line, exclude=["batch", "practice"])
        practices.append(practice)
        entries.append(entry)
        events.append(
            PracticeEvent(
                practice=practice,
                from_status=Status.DRAFT,
                to_status=status,
                actor=by,
                note=f"自公告导入：{batch.title} 第{item.number}项（{source_name or '-'} 第{item.line}行）",
            )
        )
    # In bulk, as bizenv.web.history and practices.search ask of bulk writes: the rows' history, their index rows.
    Practice.objects.bulk_create(practices)
    BatchEntry.objects.bulk_create(entries)
    PracticeEvent.objects.bulk_create(events)
    recorded(practices, by=by, created=True)
    recorded(entries, by=by, created=True)
    search.touched([practice.pk for practice in practices])
    if publish:
        batch_published.send(sender=Batch, batch=batch, by=by)
    if publish or existing:  # the replaced batch's files go; the worker writes the new ones
        transaction.on_commit(partial(exportfiles.tidy, year, sequence))
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


def _chosen(item: Item) -> bool:
    """Whether the importer chose the item's indicator (apply_corrections)."""
    return any(note.code == "corrected_indicator" for note in item.warnings)


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
