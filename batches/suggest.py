"""An indicator for an imported item that no heading gave one, suggested from its text until the coordinator
confirms it.

First the indicators' names and aliases as the item's title says them (the earliest wins), then as its body does
(the most often said wins); else the indicator of the published practice its text is most like
(practices.search.similar), for at most SIMILAR_AT_MOST items of one import: each is a query of the search index.
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from practices.enums import Status
from practices.models import Practice
from practices.search import similar
from practices.text import Known, fold

from .bulletin import Item, Note

SIMILAR_AT_MOST = 200


class _Spellings:
    """Every folded spelling of every indicator, longest first, so that 获得用水用气 is found before 获得用水."""

    def __init__(self, indicators: Iterable[Known]):
        by_key: dict[str, str] = {}
        for indicator in indicators:
            for spelling in (indicator.name, *indicator.aliases):
                if key := fold(spelling):
                    by_key.setdefault(key, indicator.name)
        self.keys = sorted(by_key.items(), key=lambda pair: len(pair[0]), reverse=True)

    def in_title(self, title: str) -> str | None:
        """The indicator the title names first."""
        text = fold(title)
        found = [(text.find(key), -len(key), name) for key, name in self.keys if key in text]
        return min(found)[2] if found else None

    def in_body(self, paragraphs: list[str]) -> str | None:
        """The indicator the body names most often (first named, if tied)."""
        text = fold("".join(paragraphs))
        counts: dict[str, tuple[int, int]] = {}
        for key, name in self.keys:
            if (first := text.find(key)) >= 0:
                times, earliest = counts.get(name, (0, first))
                counts[name] = (times + text.count(key), min(earliest, first))
        return min(counts, key=lambda name: (-counts[name][0], counts[name][1])) if counts else None


def suggest_indicators(items: list[Item], *, indicators: Iterable[Known]) -> None:
    """Give each item without an indicator the one its text suggests, if any, and say so on the item."""
    spellings = _Spellings(indicators)
    classified = Practice.objects.filter(status=Status.PUBLISHED, indicator__isnull=False).select_related("indicator")
    lookups = SIMILAR_AT_MOST if classified.exists() else 0
    for item in items:
        if item.indicator is not None or not item.title:
            continue
        name = spellings.in_title(item.title) or spellings.in_body(item.paragraphs)
        if name is None and lookups:
            lookups -= 1
            alike = similar.similar(item.title, "", "\n".join(item.paragraphs), among=classified, exclude=0)
            name = alike[0].obj.indicator.name if alike else None
        if name is None:
            continue
        item.suggested_indicator = name
        item.warnings.append(
            Note(
                item.line,
                "suggested_indicator",
                _("原文未注明指标，按文字建议归入“%(name)s”，请确认。") % {"name": name},
            )
        )
