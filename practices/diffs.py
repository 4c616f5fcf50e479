"""What changed between two versions of a practice, character by character (Chinese has no spaces to split on)."""

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.translation import gettext_lazy as _

from .text import plain_text

# The fields a city writes, in form order, with the labels the diff shows.
FIELDS = [
    ("title", _("标题")),
    ("indicator_name", _("指标")),
    ("summary", _("摘要")),
    ("body", _("正文")),
    ("outcomes", _("成效")),
    ("results_text", _("量化成效")),
]


@dataclass
class Change:
    label: str
    before: str
    after: str
    segments: list[tuple[str, str]]  # ("equal" | "delete" | "insert", text)


def segments(before: str, after: str) -> list[tuple[str, str]]:
    """The two texts as runs of kept, removed and added characters."""
    runs = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("equal", before[a1:a2]))
        if op in ("delete", "replace"):
            runs.append(("delete", before[a1:a2]))
        if op in ("insert", "replace"):
            runs.append(("insert", after[b1:b2]))
    return runs


def results_text(results: list[dict]) -> str:
    lines = (f"{r['measure']}：{r.get('before') or '—'} → {r['after']} {r.get('unit', '')}" for r in results)
    return "\n".join(line.rstrip() for line in lines)


def changes(before: dict, after: dict) -> list[Change]:
    r"""The fields whose text differs, each with its character diff. Both sides are compared as they are kept
    (plain_text()), so that a line break sent as "\r\n" one time and "\n" the next is no change."""
    found = []
    for name, label in FIELDS:
        old, new = (plain_text(str(side.get(name, "") or "")) for side in (before, after))
        if old != new:
            found.append(Change(str(label), old, new, segments(old, new)))
    return found


def state(*, title, indicator, summary, body, outcomes, results, **_ignored) -> dict:
    """The comparable text of a practice, from a model's fields or a form's cleaned data alike."""
    rows = [{k: r.get(k, "") or "" for k in ("measure", "before", "after", "unit")} for r in results]
    return {
        "title": title,
        "indicator_name": getattr(indicator, "name", indicator or ""),
        "summary": summary,
        "body": body,
        "outcomes": outcomes,
        "results": rows,
        "results_text": results_text(rows),
    }


def practice_state(practice) -> dict:
    """The text of a practice as the diff compares it (see FIELDS)."""
    results = list(practice.results.values("measure", "before", "after", "unit"))
    return state(
        title=practice.title,
        indicator=practice.indicator,
        summary=practice.summary,
        body=practice.body,
        outcomes=practice.outcomes,
        results=results,
    )
