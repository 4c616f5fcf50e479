"""Rendering in Python where Django's template engine is too slow for a busy page: one place for all of it.

The public list of practices and an announcement are the pages read most, and each of their requests renders the
same few things many times over. Each piece here writes exactly what the plain Django rendering it replaces writes
(tests/bizenv/test_fast.py compares the two on the same data); what it saves is measured by `make bench`, whose
history is in bench/RESULTS.md.

What each piece replaces, and why:

- FastSelect, FastTextInput, FastNumberInput replace forms.Select, TextInput and NumberInput. Django renders each
  option and input through its template machinery, about 0.1 ms an option: several milliseconds a request for the
  list's city and indicator filters alone.
- ReadOnceChoiceField and ReferenceChoiceFilter replace django-filter's ModelChoiceField and ModelChoiceFilter,
  which query their rows once to render the select and again to validate the value; with shared_rows() the
  cities and indicators are read once per process, sparing two queries (about 3 ms on PostgreSQL) on every
  public list and search page; shared_view() does the same for some of a model's rows (the published batches
  the list's batch filter offers).
- Reversed replaces a {% url %} (a reverse()) per row: about 50 µs each, and a page has dozens.
- marked replaces a {% for %} over a snippet's fragments with {% if fragment.hit %}<mark>: a page of results
  has a few hundred fragments.
- entry_rows replaces a {% for %} over the public list's rows with a {% url %} and a dozen lookups each: its 30
  rows cost about 10 ms through the engine, well under one here.
- announcement_items replaces the same for an announcement's items: about 5 ms for 50 items.
- ledger_rows replaces the same for a city's 复制推广 台账: its 50 rows cost about 12 ms through the engine.
- matrix_rows replaces the same for the province's 复制推广 matrix, a batch's entries × the cities: 650 cells for
  50 entries, about 30 ms through the engine.

The figures are from bench/RESULTS.md. Templates load the tags as `{% load fast %}` (bizenv/settings.py names
this module as the library "fast").
"""

import threading
import time
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

import django_filters
from django import forms, template
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django_filters.fields import ModelChoiceField

register = template.Library()

# ---------------------------------------------------------------------------------------------------------------
# Widgets


def _text(value) -> str:
    """A value as Django's templates write it: escaped (the same five characters), unless it is safe HTML already;
    without Django's lazy-string checks, which cost more than the escaping on a select's every option."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


def _attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html writes them, in their order: False left out, True as the bare name,
    anything else (None too) as text."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastSelect(forms.Select):
    """A plain <select> (one choice, no option groups) built in Python: Django renders every option through its
    own template (see the module's docstring)."""

    def render(self, name, value, attrs=None, renderer=None):
        wanted = {str(v) for v in self.format_value(value)}
        options, chosen = [], False
        for choice, label in self.choices:
            choice = "" if choice is None else choice
            selected = str(choice) in wanted and not chosen  # as Django's optgroups(): the first match only
            chosen |= selected
            options.append(f'<option value="{_text(choice)}"{" selected" if selected else ""}>{_text(label)}</option>')
        attributes = _attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{_text(name)}"{attributes}>{"".join(options)}</select>')


class FastInputMixin:
    """An <input> built in Python, as django/forms/widgets/input.html writes it: type, name, the value when there
    is one, then the attributes."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
        return mark_safe(f'<input type="{widget["type"]}" name="{_text(name)}"{shown}{_attributes(widget["attrs"])}>')


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastNumberInput(FastInputMixin, forms.NumberInput):
    pass


# ---------------------------------------------------------------------------------------------------------------
# Shared rows

SHARED_SECONDS = 60
_shared: dict[tuple[type, str, str], tuple[float, list]] = {}  # (model, database, view) → (when read, rows)
_changes: dict[type, int] = {}  # per shared model, how many saves and deletes this process has seen
_lock = threading.Lock()


def share(*models: type):
    """Let these models' rows be shared (shared_rows()): called once, at start-up (an AppConfig.ready()), so
    that every save and delete of theirs is heard, whichever thread makes it and whenever. Only theirs: a receiver
    for every model would keep Django from deleting any model's rows in bulk."""
    for model in models:
        uid = f"bizenv.web.fast.share.{model._meta.label}"
        post_save.connect(_forget, sender=model, dispatch_uid=uid)
        post_delete.connect(_forget, sender=model, dispatch_uid=uid)
        with _lock:
            _changes.setdefault(model, 0)


def shared_rows(model: type, using: str = DEFAULT_DB_ALIAS) -> list:
    """All of a shared model's rows (see share()), in its default order, read once and shared by the process's
    requests and threads for up to SHARED_SECONDS. They are shared: nothing may change them.

    For the reference rows every public list and search page shows as selects (cities, indicators): read per
    request, they were two queries a page. A save or delete of the model in this process
    drops its rows, and once more when its transaction commits (another thread may have read the rows before it);
    a read that a save overtook is not kept, nor are rows read inside a transaction (it may yet roll back). A flush
    or migrate in this process drops them all (the tests'). Every other change (another process's save, update(),
    bulk_create(), SQL) shows within SHARED_SECONDS.
    """
    return shared_view(model, "", lambda rows: rows, using)


def shared_view(model: type, name: str, read: Callable[[QuerySet], Iterable], using: str = DEFAULT_DB_ALIAS) -> list:
    """What read() makes of a shared model's rows (it is given all of them, as a queryset), read once and shared as
    shared_rows() shares all of them, under `name`: for choices that are some of a model's rows, or a few of their
    columns (the published batches' years and sequences, without their texts)."""
    if model not in _changes:
        raise LookupError(f"{model._meta.label}'s rows are not shared: see share()")
    now = time.monotonic()
    key = (model, using, name)
    kept = _shared.get(key)
    if kept and now - kept[0] < SHARED_SECONDS:
        return kept[1]
    changes = _changes[model]
    rows = list(read(model._default_manager.db_manager(using).all()))
    with _lock:
        if not connections[using].in_atomic_block and _changes[model] == changes:
            _shared[key] = (now, rows)
    return rows


def _forget(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    _drop(sender)
    transaction.on_commit(lambda: _drop(sender), using=using)


def _drop(model: type):
    with _lock:
        _changes[model] += 1
        for key in [key for key in _shared if key[0] is model]:
            del _shared[key]


@receiver(post_migrate, dispatch_uid="bizenv.web.fast.forget_all_shared_rows")
def _forget_all(**kwargs):
    with _lock:
        _shared.clear()


# ---------------------------------------------------------------------------------------------------------------
# Choices read once


class _FromCache(ModelChoiceIterator):
    """The choices from the field's rows as read once (Django's own iterator queries every time)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.rows():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.rows()) + (self.field.empty_label is not None)


class ReadOnceChoiceField(ModelChoiceField):
    """A ModelChoiceField whose rows are read once: the select is rendered from them and the value is looked
    up among them, so a filtered list costs one query per filter instead of two (with `shared`, none: see
    shared_rows()).

    The value is compared as text with each row's key ("03" is not the id 3), and django-filter's null choice
    (null_label) is not offered: none of our filters uses it.
    """

    iterator = _FromCache

    def __init__(self, *args, shared: bool = False, keep: Callable[[Any], bool] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared, self.keep, self._shared_rows = shared, keep, None

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result._shared_rows = None
        return result

    def rows(self):
        """The queryset, evaluated once; with `shared`, all of its model's shared_rows(), asked for once (the
        queryset only names the model), or those of them `keep` keeps."""
        if not self.shared:
            return self.queryset
        if self._shared_rows is None:
            rows = shared_rows(self.queryset.model, self.queryset.db)
            self._shared_rows = [row for row in rows if self.keep(row)] if self.keep else rows
        return self._shared_rows

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        if isinstance(value, self.queryset.model):
            value = getattr(value, key)
        for obj in self.rows():
            if str(getattr(obj, key)) == str(value):
                return obj
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class ReferenceChoiceFilter(django_filters.ModelChoiceFilter):
    """ModelChoiceFilter with ReadOnceChoiceField, rendered as a FastSelect. With `shared=True`, the choices are all
    of the model's rows, shared across requests (shared_rows()): declare its queryset as Model.objects.all(); and
    `keep=`, a test of a row, to offer only some of them."""

    field_class = ReadOnceChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)


# ---------------------------------------------------------------------------------------------------------------
# Rows of the public list and of an announcement

# Placeholder arguments: numbers every converter of these URLs accepts (999999999 is the largest practice id).
PLACEHOLDERS = ("999999999", "999999998")


class Reversed:
    """reverse() of one URL for many rows, in its escaped form: reversed once with placeholder arguments, which
    each call replaces by the row's numbers (see the module's docstring). reverse()
    percent-encodes braces, so the URL is a safe format string."""

    def __init__(self, name: str, arity: int):
        url = escape(reverse(name, args=PLACEHOLDERS[:arity]))
        for i, placeholder in enumerate(PLACEHOLDERS[:arity]):
            url = url.replace(placeholder, f"{{{i}}}")
        self.pattern = url

    def __call__(self, *numbers: int) -> str:
        return self.pattern.format(*(int(number) for number in numbers))


@register.filter
def marked(fragments) -> str:
    """{{ fragments|marked }}: a title or snippet (search's Fragments) with its hits in <mark>, the rest escaped."""
    return mark_safe("".join(f"<mark>{escape(f.text)}</mark>" if f.hit else escape(f.text) for f in fragments))


@register.simple_tag
def entry_rows(entries, terms, practice_url_name: str, batch_url_name: str, batch_names=None) -> str:
    """One <tr> per entry: the title (with its hits and a snippet when searched), city, indicator, its batch and
    number ("2022年第二批 第14项"), each cell after the title labelled for a phone's card (data-label). The URLs are
    named by the template (a practice's by its id, a batch's by year and sequence); `batch_names` names the batches
    by (year, sequence), else they read YEAR-SEQ."""
    practice_url, batch_url = Reversed(practice_url_name, 1), Reversed(batch_url_name, 2)
    city, indicator, batch_label = (escape(gettext(text)) for text in ("城市", "指标", "批次"))
    number = gettext("第%(n)d项")
    rows = []
    for entry in entries:
        batch = entry.batch
        title = marked(entry.hit.title) if terms else escape(entry.title)
        snippet = f'\n<p class="snippet">{marked(entry.hit.snippet)}</p>' if terms else ""
        name = (batch_names or {}).get((batch.year, batch.sequence)) or f"{batch.year}-{batch.sequence}"
        rows.append(
            f'<tr><td><a href="{practice_url(entry.practice_id)}">{title}</a>{snippet}</td>'
            f'<td data-label="{city}">{escape(entry.city_name)}</td>'
            f'<td data-label="{indicator}">{escape(entry.indicator_name or "—")}</td>'
            f'<td data-label="{batch_label}"><a href="{batch_url(batch.year, batch.sequence)}">{escape(name)}</a>'
            f" {escape(number % {'n': entry.number})}</td></tr>"
        )
    return mark_safe("\n".join(rows))


@register.simple_tag
def announcement_items(entries, practice_url_name: str, adopted=None) -> str:
    """One <li> per entry of an announcement's section: its number in the batch, its title linking to the practice
    (the URL named by the template, by the practice's id), its city, a word where the imported text was garbled
    (its `garbled`), and in how many cities it was copied (`adopted`: practice id → count, where there is one)."""
    practice_url = Reversed(practice_url_name, 1)
    copied = gettext("已在 %(n)d 个市（区）复制落地")
    garbled = f' <span class="source-note">{escape(gettext("原文此处存在乱码，内容照录原文"))}</span>'
    items = []
    for entry in entries:
        count = adopted.get(entry.practice_id) if adopted else None
        mark = f' <span class="adopted">{escape(copied % {"n": count})}</span>' if count else ""
        items.append(
            f'<li value="{entry.number}"><span class="number">{entry.number}、</span>'
            f'<a href="{practice_url(entry.practice_id)}">{escape(entry.title)}</a>'
            f' <span class="meta">{escape(entry.city_name)}</span>{garbled if entry.garbled else ""}{mark}</li>'
        )
    return mark_safe("\n".join(items))


@register.simple_tag
def matrix_rows(lines, row_url_name: str) -> str:
    """One <tr> per entry of the province's matrix (adoptions.selectors.Matrix.lines): the entry, then a cell per
    city (the row's status linking to it, marked excused or overdue; "—" where there is no row), then answered/owed.
    A row's URL is named by the template, by the row's id."""
    row_url = Reversed(row_url_name, 1)
    excused, overdue = escape(gettext("免于填报")), escape(gettext("已逾期"))
    labels: dict[str, str] = {}
    out = []
    for entry, cells, done in lines:
        city = f'<span class="meta">{escape(entry.city_name)}</span>'
        parts = [f'<tr><th scope="row">{entry.number}、{escape(entry.title)} {city}</th>']
        for cell in cells:
            row = cell.row
            if row is None:
                parts.append("<td>—</td>")
                continue
            label = labels.get(row.status)
            if label is None:
                label = labels[row.status] = escape(row.get_status_display())
            mark = (
                f' <span class="meta">{excused}</span>'
                if row.excused_at
                else (f" <strong>{overdue}</strong>" if row.overdue else "")
            )
            parts.append(
                f'<td><a href="{row_url(row.pk)}" class="status adoption-{escape(row.status)}">{label}</a>{mark}</td>'
            )
        parts.append(f'<td class="num">{done[0]}/{done[1]}</td></tr>')
        out.append("".join(parts))
    return mark_safe("\n".join(out))


@register.simple_tag
def ledger_rows(rows, row_url_name: str) -> str:
    """One <tr> per row of a city's 台账 (adoptions.selectors.city_ledger(), marked by mark_overdue()): the entry
    linking to the row, its indicator, batch, deadline, and the row's status (excused, overdue, voluntary), each
    cell after the first labelled for a phone's card (data-label). A row's URL is named by the template, by the
    row's id."""
    row_url = Reversed(row_url_name, 1)
    excused, overdue, voluntary = (escape(gettext(text)) for text in ("免于填报", "已逾期", "自愿填报"))
    indicator, batch_label, deadline_label, status = (
        escape(gettext(text)) for text in ("指标", "批次", "截止日期", "状态")
    )
    labels: dict[str, str] = {}
    dates: dict = {}
    out = []
    for row in rows:
        entry = row.practice.batch_entry
        batch = entry.batch
        plan = getattr(batch, "adoption_plan", None)
        deadline = "—"
        if plan is not None:
            deadline = dates.get(plan.deadline)
            if deadline is None:
                deadline = dates[plan.deadline] = escape(date_format(plan.deadline, "DATE_FORMAT"))
        label = labels.get(row.status)
        if label is None:
            label = labels[row.status] = escape(row.get_status_display())
        state = f" · {excused}" if row.excused_at else (f" · <strong>{overdue}</strong>" if row.overdue else "")
        if not row.owed:
            state += f" · {voluntary}"
        out.append(
            f'<tr><td><a href="{row_url(row.pk)}">{entry.number}、{escape(entry.title)}</a>'
            f' <span class="meta">{escape(entry.city_name)}</span></td>'
            f'<td data-label="{indicator}">{escape(entry.indicator_name or "—")}</td>'
            f'<td data-label="{batch_label}">{escape(batch.label)}</td>'
            f'<td data-label="{deadline_label}">{deadline}</td><td data-label="{status}">{label}{state}</td></tr>'
        )
    return mark_safe("\n".join(out))


@register.simple_tag
def practice_rows(practices, practice_url_name: str) -> str:
    """One <tr> per practice of a city's list (practices.selectors.city_practices()): the title linking to it, its
    indicator, status, round and last change, each cell after the title labelled for a phone's card (data-label).
    The practice's URL is named by the template, by its id."""
    url = Reversed(practice_url_name, 1)
    indicator, status, round_, changed = (escape(gettext(text)) for text in ("指标", "状态", "轮次", "最后修改"))
    labels: dict[str, str] = {}
    out = []
    for practice in practices:
        label = labels.get(practice.status)
        if label is None:
            label = labels[practice.status] = escape(practice.get_status_display())
        when = escape(date_format(localtime(practice.updated_at), "SHORT_DATETIME_FORMAT"))
        name = practice.indicator.name if practice.indicator_id else "—"
        out.append(
            f'<tr><td><a href="{url(practice.pk)}">{escape(practice.title)}</a></td>'
            f'<td data-label="{indicator}">{escape(name)}</td>'
            f'<td data-label="{status}"><span class="status status-{escape(practice.status)}">{label}</span></td>'
            f'<td class="num" data-label="{round_}">{int(practice.round)}</td>'
            f'<td data-label="{changed}">{when}</td></tr>'
        )
    return mark_safe("\n".join(out))
