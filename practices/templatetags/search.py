"""{{ fragments|marked }}: a title or snippet with its hits in <mark>, everything else escaped."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def marked(fragments) -> str:
    # The standard library's escape (the same five characters as Django's), without Django's lazy-string checks:
    # a page of results has a few hundred fragments.
    return mark_safe("".join(f"<mark>{escape(f.text)}</mark>" if f.hit else escape(f.text) for f in fragments))
