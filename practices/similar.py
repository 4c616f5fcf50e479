"""Similar practices: what else reads like this one, and which of those look like the same practice twice.

Two steps, two queries whatever the size of the data:
1. Candidates. A few four-character probes are cut from the practice's title, summary and body and looked up in
   the search index, each capped at PROBE_CAP hits. A probe with more hits than that is boilerplate (优化营商环境)
   and says nothing; the rest vote for the practices they find.
2. Scores. The most voted-for candidates are compared with the practice as sets of two-character pieces
   (Jaccard). At DUPLICATE_AT or above a candidate is flagged 可能重复.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from .search import PUBLISHED, backend
from .searchtext import Term, fold_for_search

PROBE = 4
PROBES_PER_FIELD = {"title": 6, "summary": 4, "body": 8}
PROBE_CAP = 50
CANDIDATES = 20
SHOWN = 5
MIN_SCORE = 0.05


@dataclass(frozen=True)
class Similar:
    obj: object
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def duplicate(self) -> bool:
        return self.score >= settings.BIZENV_DUPLICATE_THRESHOLD


def probes(title: str, summary: str, body: str) -> list[str]:
    """Non-overlapping four-character pieces, spread evenly over each field, without repeats."""
    found: list[str] = []
    for text, limit in zip((title, summary, body), PROBES_PER_FIELD.values(), strict=True):
        folded = fold_for_search(text)
        pieces = [folded[i : i + PROBE] for i in range(0, len(folded) - PROBE + 1, PROBE)]
        step = max(1, len(pieces) // limit)
        for piece in pieces[::step][:limit]:
            if piece not in found:
                found.append(piece)
    return found


def _pieces(*texts: str) -> set[str]:
    pieces = set()
    for text in texts:
        folded = fold_for_search(text)
        pieces.update(map(str.__add__, folded, folded[1:]))
    return pieces


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _candidates(pieces: list[str], exclude: int, tokens: list[str]) -> list[int]:
    """Practice ids found by the most probes, most first; one query for all the probes."""
    engine = backend()
    parts, params = [], []
    for i, piece in enumerate(pieces):
        sql, sql_params = engine.probe_sql([Term(piece)], tokens, PROBE_CAP + 1)
        parts.append(f"SELECT {i} AS probe, hit.practice_id FROM ({sql}) AS hit")
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    by_probe: dict[int, list[int]] = {}
    for probe, pk in rows:
        by_probe.setdefault(probe, []).append(pk)
    votes = Counter(pk for hits in by_probe.values() if len(hits) <= PROBE_CAP for pk in hits if pk != exclude)
    return [pk for pk, _ in sorted(votes.items(), key=lambda item: (-item[1], -item[0]))[:CANDIDATES]]


def similar(
    title: str,
    summary: str,
    body: str,
    *,
    among: QuerySet,
    exclude: int,
    field_name: str = "pk",
    published_only: bool = False,
) -> list[Similar]:
    """The SHOWN practices of `among` most like this text, most alike first; `exclude` is the practice itself.

    `published_only` (the public page) looks for candidates among published practices alone, so drafts never
    take the places of what the public may see.
    """
    pieces = probes(title, summary, body)
    if not pieces:
        return []
    candidates = _candidates(pieces, exclude, [PUBLISHED] if published_only else [])
    if not candidates:
        return []
    mine = _pieces(title, summary, body)
    scored = [
        Similar(obj, jaccard(mine, _pieces(obj.title, obj.summary, obj.body)))
        for obj in among.filter(**{f"{field_name}__in": candidates})
    ]
    scored = [s for s in scored if s.score >= MIN_SCORE]
    scored.sort(key=lambda s: (-s.score, -s.obj.pk))
    return scored[:SHOWN]
