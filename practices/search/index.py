"""What the index holds, whichever engine keeps it: a row per practice with its text's pieces and its facets.

A published practice is indexed with its text as published (frozen in its batch entry) and its batch's year and
sequence; any other with its current text. The batches app keeps the published text, a layer above this one: it
tells this module how to read it at start-up (set_published_text(), from BatchesConfig.ready()).
"""

import re
from collections.abc import Callable, Iterable

from bizenv.web.paging import CAP

from ..models import Practice

TABLE = "practices_searchindex"
# The newest matches ranked: below this many, the full ranking; above, the count reads "1000+" (see ranking.py).
RANK_WINDOW = CAP
CHUNK = 500  # practices per write


def facets(
    *, city: int | None = None, indicator: int | None = None, year: int | None = None, batch: tuple | None = None
) -> list[str]:
    """The index's filter tokens: c<city id>, i<indicator id>, and once published: pub, y<year>, b<year>x<seq>.

    They let a filtered public search be one lookup in the index instead of a join per match. Each engine
    writes them as '#c610100', with a "#" no folded text contains, so that no text query can match one, and
    keeps "pub" apart from them (split_published()).
    """
    tokens = []
    if city is not None:
        tokens.append(f"c{int(city)}")
    if indicator is not None:
        tokens.append(f"i{int(indicator)}")
    if year is not None:
        tokens.append(f"y{int(year)}")
    if batch is not None:
        tokens.append(f"b{int(batch[0])}x{int(batch[1])}")
    return tokens


FACET = re.compile(r"([ciy])(-?[0-9]+)|b(-?[0-9]+)x(-?[0-9]+)")
TOKEN_COLUMNS = {"c": "city", "i": "indicator", "y": "year"}  # a facet's letter, its column in the table of facets


def facet_columns(tokens: Iterable[str]) -> list[tuple[str, int]]:
    """facets() read back as (column, value) pairs of PostgreSQL's table of facets: c3 and b2022x2 are
    ("city", 3), ("year", 2022) and ("sequence", 2)."""
    columns = []
    for token in tokens:
        match = FACET.fullmatch(token)
        if match is None:
            raise ValueError(f"not a facet: {token!r}")
        kind, value, year, sequence = match.groups()
        columns += [(TOKEN_COLUMNS[kind], int(value))] if kind else [("year", int(year)), ("sequence", int(sequence))]
    return columns


PUBLISHED = "pub"
LONG = "long"  # PostgreSQL only: a document beyond what a tsvector's positions can hold


def split_published(tokens: list[str]) -> tuple[bool, list[str]]:
    """Whether the tokens hold "pub", and the other facets. Both engines keep "pub" apart from the index's
    pieces: found in nearly every practice, as a piece it made each lookup read (or, for bm25, weigh) the list
    of all published practices."""
    return PUBLISHED in tokens, [t for t in tokens if t != PUBLISHED]


# ids → {practice id: (title, summary, body, year, sequence)} for the published ones among them.
PublishedText = Callable[[list[int]], dict[int, tuple[str, str, str, int, int]]]
_published_text: list[PublishedText] = []


def set_published_text(read: PublishedText):
    """Tell the index how to read the text of published practices as published, and their batch (see above)."""
    _published_text[:] = [read]


def published_text(ids: list[int]) -> dict[int, tuple[str, str, str, int, int]]:
    """The published ones of these practices: their text as published, and their batch's year and sequence."""
    return _published_text[0](list(ids)) if _published_text and ids else {}


def document_rows(ids: list[int]) -> list[tuple[int, str, str, str, bool, list[str]]]:
    """(practice id, title, summary, body, published, facets) as the index holds them: the frozen text once
    published. Being published is kept apart from the facets, as both engines store it (split_published())."""
    rows = {
        pk: (pk, t, s, b, False, facets(city=city, indicator=indicator))
        for pk, t, s, b, city, indicator in Practice.objects.filter(pk__in=ids).values_list(
            "pk", "title", "summary", "body", "city_id", "indicator_id"
        )
    }
    published = published_text(list(rows))
    for pk, (t, s, b, year, sequence) in published.items():
        if pk in rows:
            own = rows[pk][5]
            rows[pk] = (pk, t, s, b, True, [*own, *facets(year=year, batch=(year, sequence))])
    return list(rows.values())


def counted(ids: tuple[str, list], limit: int) -> tuple[str, list]:
    """The count of an ids query's rows, up to `limit`."""
    sql, params = ids
    return f"SELECT count(*) FROM ({sql} LIMIT {int(limit)}) AS matches", params
