"""Similar practices: a near-copy of a published practice is flagged 可能重复 where reviewers and the public look."""

import random
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from batches import services as batches
from batches.selectors import published_entries
from batches.synth import seed_sentences
from practices.enums import Role, Status
from practices.models import Practice, SimilarPair, SimilarSearched
from practices.search.similar import SHOWN, jaccard, listed, probes, remember, similar
from practices.search.text import fold_for_search as fold
from practices.search.text import pairs
from tests.factories import BatchEntryFactory, BatchFactory, CityFactory, PracticeFactory, UserFactory


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coordinator", role=Role.COORDINATOR)


pytestmark = pytest.mark.django_db

ORIGINAL = {
    "title": "一表申报：企业开办全流程一次填报",
    "summary": "将企业登记、公章刻制、发票申领、社保登记、公积金开户整合为一张表，数据一次采集、多方共享。",
    "body": (
        "渭南市市场监管局会同税务、人社、公安等部门，梳理企业开办各环节材料，合并重复字段一百二十余项，"
        "形成企业开办一表申报清单。申请人在线填写一次，系统自动分发至各部门，办理结果实时反馈，"
        "企业开办时间压缩至一个工作日以内。"
    ),
}


def publish(practice, number=1):
    batch = BatchFactory(status="published", published_at=timezone.now())
    BatchEntryFactory(
        batch=batch,
        practice=practice,
        number=number,
        title=practice.title,
        summary=practice.summary,
        body=practice.body,
        city_name=practice.city.name,
    )
    return practice


def others(n, seed=1):
    """Published practices made of the seed's sentences: related in topic, not copies."""
    rng = random.Random(seed)
    sentences = seed_sentences()
    return [
        publish(
            PracticeFactory(
                status=Status.PUBLISHED,
                title=rng.choice(sentences)[:24],
                summary=rng.choice(sentences),
                body="".join(rng.sample(sentences, 4)),
            )
        )
        for _ in range(n)
    ]


def test_a_near_copy_is_flagged_and_a_different_practice_is_not():
    original = publish(PracticeFactory(status=Status.PUBLISHED, **ORIGINAL))
    others(10)
    copy = PracticeFactory(
        status=Status.SUBMITTED,
        title="一表申报 企业开办全流程一次填报",
        summary=ORIGINAL["summary"].replace("渭南", "宝鸡"),
        body=ORIGINAL["body"].replace("渭南市", "宝鸡市").replace("一百二十余项", "九十余项"),
    )
    found = similar(copy.title, copy.summary, copy.body, among=Practice.objects.all(), exclude=copy.pk)
    assert found[0].obj == original and found[0].duplicate and found[0].percent >= 80
    assert all(not s.duplicate for s in found[1:])
    unrelated = others(1, seed=99)[0]
    found = similar(
        unrelated.title, unrelated.summary, unrelated.body, among=Practice.objects.all(), exclude=unrelated.pk
    )
    assert original not in [s.obj for s in found]


def test_the_review_page_shows_the_published_original_and_respects_recusal(client, xian):
    original = publish(PracticeFactory(status=Status.PUBLISHED, **ORIGINAL))
    pending_in_xian = PracticeFactory(city=xian, status=Status.SUBMITTED, **{**ORIGINAL, "title": "西安的一表申报"})
    copy = PracticeFactory(status=Status.SUBMITTED, **ORIGINAL)
    client.force_login(UserFactory(role="reviewer", city=xian))
    html = client.get(f"/review/practices/{copy.pk}/").content.decode()
    assert "相似的经验做法" in html and f'href="/practices/{original.pk}/"' in html
    assert html.count("可能重复") == 2  # beside the title, and on the original in the list
    assert f"/review/practices/{pending_in_xian.pk}/" not in html  # the reviewer is recused from 西安's work
    client.force_login(UserFactory(role="coordinator"))
    html = client.get(f"/review/practices/{copy.pk}/").content.decode()
    assert f"/review/practices/{pending_in_xian.pk}/" in html


def test_the_public_page_shows_only_published_practices():
    original = publish(PracticeFactory(status=Status.PUBLISHED, **ORIGINAL))
    twin = publish(PracticeFactory(status=Status.PUBLISHED, **{**ORIGINAL, "title": "一表申报（宝鸡）"}), number=2)
    pending = PracticeFactory(status=Status.SUBMITTED, **ORIGINAL)
    html = Client().get(f"/practices/{original.pk}/").content.decode()
    assert f'href="/practices/{twin.pk}/"' in html and "可能重复" in html
    assert f"/practices/{pending.pk}/" not in html and "/review/" not in html


def test_the_public_page_costs_the_same_queries_whatever_the_rows(client):
    city = CityFactory(code="610500", name="渭南市")
    counts = []
    for n, seed in ((3, 1), (27, 2)):
        others(n, seed=seed)
        # Published without batch_publish() (as synth_practices does): its similar practices are found on the
        # first view of its page, once.
        original = publish(PracticeFactory(city=city, status=Status.PUBLISHED, **{**ORIGINAL, "title": f"一表申报{n}"}))
        publish(PracticeFactory(status=Status.PUBLISHED, **ORIGINAL))  # a twin: there is something to store
        for _view in range(2):
            with CaptureQueriesContext(connection) as page:
                assert client.get(f"/practices/{original.pk}/").status_code == 200
            counts.append(len(page))
    # The first view: the generation the page would be kept under (public/pagecache.py), the entry (and whether its
    # similar practices were looked for), then in a savepoint which of them were, its published text, the
    # candidates (found by the probes in one query), their text, their lists, the pairs and the mark written, and
    # the generation raised (the twin's page lists it now); then its public attachments, the cities that adopted it
    # (none: so no measured results to read), and the similar practices stored. The next view, not the page kept
    # under the generation before: the generation, the entry, the attachments, the adoptions, the similar practices.
    assert counts == [15, 5, 15, 5]


def test_probes_and_scores():
    assert probes("一表申报企业开办", "", "") == ["一表申报", "企业开办"]
    assert jaccard({"ab", "bc"}, {"ab", "bc"}) == 1.0 and jaccard({"ab"}, {"cd"}) == 0.0


def test_a_probe_found_everywhere_does_not_vote(monkeypatch):
    from practices.search import similar as module

    shared = "优化营商环境"
    practices = [
        PracticeFactory(status=Status.PUBLISHED, title=f"{shared}{name}", body=body)
        for name, body in (("甲", "推行电子证照。"), ("乙", "压缩办电时间。"), ("丙", "建立信用修复机制。"))
    ]
    target = practices[0]
    found = similar(target.title, "", "", among=Practice.objects.all(), exclude=target.pk)
    assert {s.obj for s in found} == set(practices[1:])
    monkeypatch.setattr(module, "PROBE_CAP", 2)  # now 优化营商 is in more practices than the cap: boilerplate
    assert similar(target.title, "", "", among=Practice.objects.all(), exclude=target.pk) == []


# ---------------------------------------------------------------------------------------------------------------
# Symmetric: found once, stored both ways

# A's text is a sentence B holds in the middle of its own, where none of B's probes fall: A's probes find B, B's
# find nothing but B. Searched from each side, B is similar to A and A to nothing.
SENTENCE = "推行企业开办一表申报一窗出件全程网办"
ONE_SIDED = {
    "a": {"title": "一表申报一窗出件", "summary": "", "body": SENTENCE},
    "b": {
        "title": "铜川市打造服务样板间",
        "summary": "",
        "body": "铜川市税务局整合办税服务厅窗口职能设置综合岗位实行一窗通办" + SENTENCE + "纳税人满意度持续提升",
    },
}


def page_list(client, practice) -> list[tuple[int, int]]:
    """(practice id, percent) as the public page of this practice lists them."""
    html = client.get(f"/practices/{practice.pk}/").content.decode()
    section = html[html.index('id="similar-heading"') :] if 'id="similar-heading"' in html else ""
    found = re.findall(r'href="/practices/(\d+)/">.*?相似度 (\d+)%', section, re.S)
    return [(int(pk), int(percent)) for pk, percent in found]


def test_a_pair_found_from_one_side_is_listed_on_both_with_one_score(client):
    a = publish(PracticeFactory(status=Status.PUBLISHED, **ONE_SIDED["a"]))
    b = publish(PracticeFactory(status=Status.PUBLISHED, **ONE_SIDED["b"]))
    searched = {
        name: [s.obj for s in similar(p.title, p.summary, p.body, among=Practice.objects.all(), exclude=p.pk)]
        for name, p in (("a", a), ("b", b))
    }
    assert searched == {"a": [b], "b": []}  # what each page listed when it searched from its own text
    score = jaccard(pieces(a), pieces(b))
    assert score == jaccard(pieces(b), pieces(a)) and score >= 0.05
    # Neither was published through batch_publish(), which finds the pairs at once: each page finds its own on its
    # first view. B's finds nothing (nor does A's page list B yet); A's finds B, and from then on both list each
    # other, with the one score.
    assert page_list(client, b) == []
    assert page_list(client, a) == [(b.pk, round(score * 100))]
    assert page_list(client, b) == [(a.pk, round(score * 100))]
    assert SimilarPair.objects.get(practice=a).score == SimilarPair.objects.get(practice=b).score == score


def test_a_practice_is_searched_once_whatever_iterable_names_it():
    a = publish(PracticeFactory(status=Status.PUBLISHED, **ONE_SIDED["a"]))
    publish(PracticeFactory(status=Status.PUBLISHED, **ONE_SIDED["b"]))
    assert remember(pk for pk in [a.pk]) == 1
    assert remember(pk for pk in [a.pk]) == 0  # searched already, though named by a generator again
    assert SimilarSearched.objects.filter(practice=a).count() == 1


def pieces(practice) -> set[str]:
    return {piece for text in (practice.title, practice.summary, practice.body) for piece in pairs(fold(text))}


def test_publishing_finds_the_pairs_of_a_batch_with_itself_and_with_earlier_batches(client, coordinator):
    earlier = publish(PracticeFactory(status=Status.PUBLISHED, **ONE_SIDED["b"]))
    assert remember([earlier.pk]) == 0  # published alone: nothing like it yet
    pool = [
        PracticeFactory(status=Status.APPROVED, **ONE_SIDED["a"]),
        PracticeFactory(status=Status.APPROVED, **ORIGINAL),
    ]
    twin = PracticeFactory(status=Status.APPROVED, **{**ORIGINAL, "title": "一表申报（宝鸡）"})
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=[*pool, twin])
    batches.batch_publish(batch=batch, by=coordinator)
    stored = {(p.practice_id, p.other_id): p.score for p in SimilarPair.objects.all()}
    assert stored[pool[0].pk, earlier.pk] == stored[earlier.pk, pool[0].pk]
    assert stored[pool[1].pk, twin.pk] == stored[twin.pk, pool[1].pk] >= 0.8
    assert set(SimilarSearched.objects.values_list("practice", flat=True)) == {p.pk for p in (earlier, *pool, twin)}
    with CaptureQueriesContext(connection) as page:
        listed = page_list(client, earlier)  # stored by the publication: nothing is searched on the view
    assert listed[0] == (pool[0].pk, round(stored[earlier.pk, pool[0].pk] * 100))
    assert {pk for pk, _percent in listed} == {other for (pk, other) in stored if pk == earlier.pk}
    assert not [q for q in page.captured_queries if "INSERT" in q["sql"]]


@pytest.mark.parametrize("seed", [1, 2])
def test_every_pair_listed_on_one_side_is_listed_on_the_other_where_its_list_has_room(client, seed):
    """Many related practices (the seed's sentences recombined, and near copies), published one by one in a random
    order: every stored score is the same both ways and is the pair's measure, and whatever a page lists with a
    score, the other page lists too with the same score, unless its list is full of practices alike at least as
    much."""
    rng = random.Random(seed)
    practices = others(24, seed=seed)
    for copy in rng.sample(practices, 6):
        practices.append(
            publish(
                PracticeFactory(
                    status=Status.PUBLISHED, title=copy.title + "（复制）", summary=copy.summary, body=copy.body
                )
            )
        )
    order = [p.pk for p in practices]
    rng.shuffle(order)
    for pk in order:
        remember([pk])
    by_pk = {p.pk: p for p in practices}
    stored = {(p.practice_id, p.other_id): p.score for p in SimilarPair.objects.all()}
    assert stored and all(stored[b, a] == score for (a, b), score in stored.items())
    for (a, b), score in rng.sample(sorted(stored.items()), min(20, len(stored))):
        assert score == pytest.approx(jaccard(pieces(by_pk[a]), pieces(by_pk[b])))
    lists = {pk: listed(pk, among=published_entries(), field_name="practice") for pk in by_pk}
    shown = 0
    for a, found in lists.items():
        for s in found:
            b = s.obj.practice_id
            other_side = {t.obj.practice_id: t.score for t in lists[b]}
            full_of_better = len(other_side) == SHOWN and min(other_side.values()) >= s.score
            assert other_side.get(a) == s.score or (a not in other_side and full_of_better), (a, b)
            shown += a in other_side
    assert shown  # some pairs are listed on both sides
    # And the pages show what is stored.
    a = next(pk for pk, found in lists.items() if found)
    assert page_list(client, by_pk[a]) == [(s.obj.practice_id, s.percent) for s in lists[a]]


def test_reindex_search_with_similar_finds_the_pairs_of_what_was_published_in_bulk(capsys):
    """Practices published by other means than a publication (synth_practices, a restore of older data) are searched
    on their page's first view, or all at once by reindex_search --similar; each once."""
    a = publish(PracticeFactory(status=Status.PUBLISHED, **ONE_SIDED["a"]))
    b = publish(PracticeFactory(status=Status.PUBLISHED, **ONE_SIDED["b"]))
    PracticeFactory(status=Status.SUBMITTED, **ONE_SIDED["a"])  # not published: never searched nor listed
    call_command("reindex_search", "--similar")
    assert "已为 2 项已发布的经验做法查找相似经验做法，记录 1 对。" in capsys.readouterr().out
    assert {(p.practice_id, p.other_id) for p in SimilarPair.objects.all()} == {(a.pk, b.pk), (b.pk, a.pk)}
    call_command("reindex_search", "--similar")
    assert "已为 0 项已发布的经验做法查找相似经验做法，记录 0 对。" in capsys.readouterr().out
