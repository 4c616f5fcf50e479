"""What a result shows of itself: its title and a snippet, with the query's hits marked (bizenv.web.fast.marked)."""

from collections.abc import Iterable
from dataclasses import dataclass

from .text import Fragment, Term, hit_at, snippet


@dataclass(frozen=True)
class Hit:
    """What a result shows of itself: its title and a snippet, cut into plain and highlighted fragments."""

    title: list[Fragment]
    snippet: list[Fragment]


def hits(objects: Iterable, terms: list[Term], *, text=("summary", "body")) -> None:
    """Give each object a .hit: its title highlighted, and a snippet of the first of `text` that has a hit."""
    for obj in objects:
        for name in text:
            source = getattr(obj, name) or ""
            at = hit_at(source, terms)
            if at is not None:
                shown = snippet(source, terms, at=at)
                break
        else:  # a hit in the title only: the beginning of the first field that has text (it has no hit to mark)
            shown = snippet(next((getattr(obj, name) for name in text if getattr(obj, name)), ""), [])
        obj.hit = Hit(title=snippet(obj.title, terms, width=max(len(obj.title), 1)), snippet=shown)
