"""Similar practices: what else reads like this one, and which of those look like the same practice twice.

Two steps, one query whatever the size of the data:
1. Candidates, in SQL. A few four-character probes are cut from the practice's title, summary and body and looked up in
   the search index, each capped at PROBE_CAP hits. A probe with more hits than that is boilerplate (优化营商环境)
   and says nothing; the rest vote for the practices they find.
2. Scores, on the rows read. The most voted-for candidates are compared with the practice as sets of
   two-character pieces (Jaccard). At settings.BIZENV_DUPLICATE_THRESHOLD or above one is flagged 可能重复.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .engines import backend
from .text import Term, fold_for_search, pairs

PROBE = 4
PROBES_PER_FIELD = {"title": 6, "summary": 4, "body": 8}
PROBE_CAP = 50
CANDIDATES = 40
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
    return {piece for text in texts for piece in pairs(fold_for_search(text))}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _candidates_sql(pieces: list[str], exclude: int) -> tuple[str, list]:
    """The CANDIDATES practice ids found by the most probes, as SQL: a probe with more than PROBE_CAP hits is
    boilerplate and does not vote."""
    engine = backend()
    parts, params = [], []
    for i, piece in enumerate(pieces):
        sql, sql_params = engine.probe_sql([Term(piece)], PROBE_CAP + 1)
        parts.append(f"SELECT {i} AS probe, hit.practice_id FROM ({sql}) AS hit")
        params.extend(sql_params)
    hits = f"SELECT probe, practice_id, count(*) OVER (PARTITION BY probe) AS n FROM ({' UNION ALL '.join(parts)}) AS p"
    sql = (
        f"SELECT practice_id FROM ({hits}) AS h WHERE n <= {PROBE_CAP} AND practice_id <> %s"
        f" GROUP BY practice_id ORDER BY count(*) DESC, practice_id DESC LIMIT {CANDIDATES}"
    )
    return sql, [*params, int(exclude)]


def similar(
    title: str,
    summary: str,
    body: str,
    *,
    among: QuerySet,
    exclude: int,
    field_name: str = "pk",
) -> list[Similar]:
    """The SHOWN practices of `among` most like this text, most alike first; `exclude` is the practice itself.

    Candidates are found among all practices and kept if `among` holds them (CANDIDATES leaves room for those
    it does not). Restricting the probes to published practices in the index itself was measured slower on
    PostgreSQL: every probe then intersects with the list of all published practices.
    """
    pieces = probes(title, summary, body)
    if not pieces:
        return []
    sql, params = _candidates_sql(pieces, exclude)
    mine = _pieces(title, summary, body)
    scored = [
        Similar(obj, jaccard(mine, _pieces(obj.title, obj.summary, obj.body)))
        for obj in among.filter(**{f"{field_name}__in": RawSQL(sql, params)})
    ]
    scored = [s for s in scored if s.score >= MIN_SCORE]
    scored.sort(key=lambda s: (-s.score, -s.obj.pk))
    return scored[:SHOWN]
