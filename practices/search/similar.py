"""Similar practices: what else reads like this one, and which of those look like the same practice twice.

Two steps, one query whatever the size of the data:
1. Candidates, in SQL. A few four-character probes are cut from the practice's title, summary and body and looked up in
   the search index, each capped at PROBE_CAP hits. A probe with more hits than that is boilerplate (优化营商环境)
   and says nothing; the rest vote for the practices they find.
2. Scores, on the rows read. The most voted-for candidates are compared with the practice as sets of
   two-character pieces (Jaccard). At settings.BIZENV_DUPLICATE_THRESHOLD or above one is flagged 可能重复.

The score is symmetric, the candidates are not: B may be among A's candidates while A, whose probes are boilerplate
or outvoted where B's text is concerned, is not among B's. So a public page's list (published practices, their
text frozen) is not searched on each view but found once, when a practice is published (remember()), and each pair
found is stored both ways with its one score (practices.models.SimilarPair): A lists B exactly when B's stored
pairs hold A with the same score, and each page shows its SHOWN best. Stored are a practice's SHOWN best
candidates, and any other that would make a candidate's own list (so that it shows on at least one side). The
review workbench still searches on each view: what it compares is not yet frozen.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

from ..models import SimilarPair, SimilarSearched
from .engines import backend
from .index import published_text
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


def _scored(pk: int, title: str, summary: str, body: str) -> list[tuple[int, float]]:
    """(other published practice, score) for the candidates of this published practice scoring MIN_SCORE or more,
    most alike first."""
    pieces = probes(title, summary, body)
    if not pieces:
        return []
    sql, params = _candidates_sql(pieces, pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        candidates = [row[0] for row in cursor.fetchall()]
    mine = _pieces(title, summary, body)
    scored = [(other, jaccard(mine, _pieces(*text[:3]))) for other, text in published_text(candidates).items()]
    return sorted(((o, s) for o, s in scored if s >= MIN_SCORE), key=lambda pair: (-pair[1], -pair[0]))


def _makes_the_list(scores: list[float], score: float) -> bool:
    """Whether a pair of this score is among the SHOWN best of a list holding these scores."""
    return len(scores) < SHOWN or score >= sorted(scores, reverse=True)[SHOWN - 1]


@transaction.atomic
def remember(ids: Iterable[int]) -> int:
    """Find the similar published practices of these published practices, once each, and store each pair both ways
    (see the module's docstring); those searched already, and any not published, are left. Returns the pairs
    stored. The index must hold their published text (it does once they are indexed as published)."""
    ids = set(ids)  # read once: a generator would be spent by the first use
    ids = sorted(ids - set(SimilarSearched.objects.filter(practice__in=ids).values_list("practice", flat=True)))
    texts = published_text(ids)
    stored = 0
    for pk in ids:
        if pk not in texts:
            continue
        scored = _scored(pk, *texts[pk][:3])
        # Each candidate's list as it stands: a pair outside this practice's best is kept if it makes that list.
        lists = defaultdict(list)
        for owner, score in SimilarPair.objects.filter(practice__in=[o for o, _s in scored]).values_list(
            "practice", "score"
        ):
            lists[owner].append(score)
        kept = [(o, s) for rank, (o, s) in enumerate(scored) if rank < SHOWN or _makes_the_list(lists[o], s)]
        rows = [SimilarPair(practice_id=a, other_id=b, score=s) for o, s in kept for a, b in ((pk, o), (o, pk))]
        SimilarPair.objects.bulk_create(rows, ignore_conflicts=True)
        SimilarSearched.objects.bulk_create([SimilarSearched(practice_id=pk)], ignore_conflicts=True)
        stored += len(kept)
    return stored


def listed(pk: int, among: QuerySet, field_name: str = "pk") -> list[Similar]:
    """The SHOWN practices of `among` stored as most like this published one (remember()), most alike first, with
    their stored score: one query."""
    rows = (
        among.filter(**{f"{field_name}__similar_listings__practice": pk})
        .annotate(similar_score=F(f"{field_name}__similar_listings__score"))
        .order_by("-similar_score", "-pk" if field_name == "pk" else f"-{field_name}_id")[:SHOWN]
    )
    return [Similar(obj, obj.similar_score) for obj in rows]
