"""Similar practices: a near-copy of a published practice is flagged 可能重复 where reviewers and the public look."""

import random

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from batches.synth import seed_sentences
from practices.enums import Status
from practices.models import Practice
from practices.search.similar import jaccard, probes, similar
from tests.factories import BatchEntryFactory, BatchFactory, CityFactory, PracticeFactory, UserFactory

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
    original = publish(PracticeFactory(city=city, status=Status.PUBLISHED, **ORIGINAL))
    counts = []
    for n, seed in ((3, 1), (27, 2)):
        others(n, seed=seed)
        with CaptureQueriesContext(connection) as page:
            assert client.get(f"/practices/{original.pk}/").status_code == 200
        counts.append(len(page))
    # the entry, its public attachments, the cities that adopted it (none: so no measured results to read), the
    # statistics' generation, and the candidates (found by the probes in the same query) with their text, which
    # are kept in the cache only when a request commits (these are inside the test's transaction)
    assert counts == [5, 5]


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
