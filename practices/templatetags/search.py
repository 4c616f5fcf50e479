"""{{ fragments|marked }}: a title or snippet with its hits in <mark>, everything else escaped."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def marked(fragments) -> str:
    return format_html_join(
        "", "{}", ((format_html("<mark>{}</mark>", f.text) if f.hit else f.text,) for f in fragments)
    )
