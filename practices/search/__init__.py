"""Full-text search over practices, in the database's own engine: FTS5 on SQLite, a tsvector on PostgreSQL.

One row per practice holds its title, summary and body as two-character pieces (text.py) and the public list's
facets (index.py). The modules, from the text up:

- text.py          normalisation, pieces, query parsing and snippets (no database)
- index.py         what a row holds: a practice's text (its published text once published) and facets
- sqlite.py        the FTS5 engine
- postgres.py      the tsvector engine, in segments of practice ids; its SQL in postgres.sql
- engines.py       the engine of the database in use
- maintenance.py   writing rows, rebuilding the whole index, bulk writes
- receivers.py     the rows follow every save and delete of a practice, in the same transaction; a spreadsheet's
                   drafts are indexed after the response (index_later(), SearchPending)
- ranking.py       a list narrowed to a query's matches in rank order; a filtered list counted by its facets
- highlighting.py  a result's title and snippet with the hits marked
- similar.py       similar practices and the 可能重复 flag; published ones found once and stored both ways

What the other apps use of the index is imported here; similar practices are `search.similar.similar`, and for
published ones `search.similar.remember` (found once, stored) and `search.similar.listed` (read back).
"""

from .engines import backend
from .highlighting import hits
from .index import PUBLISHED, facets, set_published_text
from .maintenance import bulk_writes, index_pending, index_practices, reindex_all
from .ranking import Faceted, matching, search
from .receivers import deferred, index_later, touched

__all__ = [
    "PUBLISHED",
    "Faceted",
    "backend",
    "bulk_writes",
    "deferred",
    "facets",
    "hits",
    "index_later",
    "index_pending",
    "index_practices",
    "matching",
    "reindex_all",
    "search",
    "set_published_text",
    "touched",
]
