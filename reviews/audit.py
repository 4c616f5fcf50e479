"""/review/audit/: the province's record of who changed what, read from the field-level history of every model a
person edits (bizenv/web/history.py). The models come from django-simple-history's registry, so this module
imports none of the apps above reviews; each row is shown with the fields it changed, before and after."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from simple_history.models import registered_models

PAGE = 50
SHOWN = 80  # characters of a value shown before and after

ACTIONS = {"+": _("新建"), "~": _("修改"), "-": _("删除")}


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Row:
    record: object  # a historical row
    kind: str
    action: str
    changes: list[Change]


def kinds() -> dict[str, type]:
    """Every model with a history, by its label (practices.practice …), in the order of their verbose names."""
    models = [m for m in registered_models.values() if hasattr(m, "history") and not m._meta.auto_created]
    return dict(sorted(((m._meta.label_lower, m) for m in models), key=lambda item: str(item[1]._meta.verbose_name)))


def changes(record) -> list[Change]:
    """What a historical row changed against the one before it: each field's label, before and after."""
    previous = record.prev_record
    if previous is None:
        return []
    model = record.instance_type
    shown = []
    for change in record.diff_against(previous).changes:
        field = model._meta.get_field(change.field)
        shown.append(Change(str(field.verbose_name), _shown(field, change.old), _shown(field, change.new)))
    return shown


def _shown(field, value) -> str:
    """A value as a person reads it: a related object by its name, not its id; a long text cut short."""
    if field.is_relation and field.many_to_one and value is not None:
        value = field.related_model._default_manager.filter(pk=value).first() or value
    elif field.choices and value is not None:
        value = dict(field.flatchoices).get(value, value)
    return _short(value)


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def audit_rows(*, user=None, kind: str = "", since: datetime.date | None = None,
               until: datetime.date | None = None, before: datetime.datetime | None = None) -> list[Row]:  # fmt: skip
    """The newest PAGE changes (older than `before`, for the next page), of one kind of object or of all."""
    models = kinds()
    chosen = [models[kind]] if kind else list(models.values())
    records = []
    for model in chosen:
        history = model.history.select_related("history_user").order_by("-history_date", "-history_id")
        if user is not None:
            history = history.filter(history_user=user)
        if since:
            history = history.filter(history_date__date__gte=since)
        if until:
            history = history.filter(history_date__date__lte=until)
        if before:
            history = history.filter(history_date__lt=before)
        records += [(record, model) for record in history[:PAGE]]
    records.sort(key=lambda pair: pair[0].history_date, reverse=True)
    return [
        Row(record, str(model._meta.verbose_name), str(ACTIONS.get(record.history_type, "")), changes(record))
        for record, model in records[:PAGE]
    ]


def object_history(instance) -> list[Row]:
    """One object's changes, newest first."""
    model = type(instance)
    history = instance.history.select_related("history_user").order_by("-history_date", "-history_id")
    return [
        Row(record, str(model._meta.verbose_name), str(ACTIONS.get(record.history_type, "")), changes(record))
        for record in history[:PAGE]
    ]
