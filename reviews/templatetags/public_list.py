"""{% entry_rows page terms %} and {% announcement_items entries %}: the rows of the public list of practices and
the items of an announcement, built in Python.

The list is the busiest page of the site, and an announcement is where every batch is read. Through the template
engine the list's 30 rows cost about 10 ms (every variable lookup, every {% url %}), an announcement's 50 items
about 5; built here they cost well under one.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from practices.templatetags.search import marked

register = template.Library()

# Placeholder arguments: numbers every converter of these URLs accepts (999999999 is the largest practice id).
PLACEHOLDERS = ("999999999", "999999998")


class Reversed:
    """reverse() of one URL for many rows, in its escaped form: reversed once with placeholder arguments, which
    each call replaces by the row's numbers (a reverse() costs about 50 µs; a page has dozens). reverse()
    percent-encodes braces, so the URL is a safe format string."""

    def __init__(self, name: str, arity: int):
        url = escape(reverse(name, args=PLACEHOLDERS[:arity]))
        for i, placeholder in enumerate(PLACEHOLDERS[:arity]):
            url = url.replace(placeholder, f"{{{i}}}")
        self.pattern = url

    def __call__(self, *numbers: int) -> str:
        return self.pattern.format(*(int(number) for number in numbers))


@register.simple_tag
def entry_rows(entries, terms) -> str:
    """One <tr> per entry: the title (with its hits and a snippet when searched), city, indicator, batch · number."""
    practice_url, batch_url = Reversed("practice_detail", 1), Reversed("batch_detail", 2)
    rows = []
    for entry in entries:
        batch = entry.batch
        title = marked(entry.hit.title) if terms else escape(entry.title)
        snippet = f'\n<p class="snippet">{marked(entry.hit.snippet)}</p>' if terms else ""
        rows.append(
            f'<tr><td><a href="{practice_url(entry.practice_id)}">{title}</a>{snippet}</td>'
            f"<td>{escape(entry.city_name)}</td><td>{escape(entry.indicator_name or '—')}</td>"
            f'<td><a href="{batch_url(batch.year, batch.sequence)}">{batch.year}-{batch.sequence}</a>'
            f" · {entry.number}</td></tr>"
        )
    return mark_safe("\n".join(rows))


@register.simple_tag
def announcement_items(entries) -> str:
    """One <li> per entry of an announcement's section: its number in the batch, its title linking to the practice,
    its city."""
    practice_url = Reversed("practice_detail", 1)
    return mark_safe(
        "\n".join(
            f'<li value="{entry.number}"><span class="number">{entry.number}、</span>'
            f'<a href="{practice_url(entry.practice_id)}">{escape(entry.title)}</a>'
            f' <span class="meta">{escape(entry.city_name)}</span></li>'
            for entry in entries
        )
    )
