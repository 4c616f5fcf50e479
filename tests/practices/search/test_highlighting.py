"""search/highlighting.py: which field a result's snippet shows, and the list's marked, escaped results."""

from django.utils import timezone

from practices import search
from practices.enums import Status
from practices.search.text import parse_query
from tests.factories import (
    BatchEntryFactory,
    BatchFactory,
    PracticeFactory,
)


class Result:
    """What hits() reads of an entry."""

    def __init__(self, title, summary, body):
        self.title, self.summary, self.body = title, summary, body


def shown(result) -> list[tuple[str, bool]]:
    return [(fragment.text, fragment.hit) for fragment in result.hit.snippet]


def test_a_result_with_a_hit_in_its_summary_shows_it_there():
    result = Result("一网通办", "优化《納稅》服務。", "纳税服务")
    search.hits([result], parse_query("纳税服务"))
    assert shown(result) == [("优化《", False), ("納稅》服務", True), ("。", False)]


def test_a_result_with_a_hit_in_its_body_only_shows_the_stretch_around_it():
    result = Result("一网通办", "企业开办。", "提升服务。" * 40 + "推行納稅服務一次办。")
    search.hits([result], parse_query("纳税服务"))
    assert shown(result)[0] == ("…", False) and shown(result)[1][0].endswith("提升服务。推行")
    assert shown(result)[2:] == [("納稅服務", True), ("一次办。", False)]


def test_a_result_with_a_hit_in_its_title_only_shows_its_summary_s_beginning():
    result = Result("纳税服务一次办", "企业开办全程网办。", "")
    search.hits([result], parse_query("纳税服务"))
    assert shown(result) == [("企业开办全程网办。", False)]
    assert [(fragment.text, fragment.hit) for fragment in result.hit.title] == [("纳税服务", True), ("一次办", False)]


def test_the_list_highlights_hits_and_escapes_the_title(client, db):
    practice = PracticeFactory(status=Status.PUBLISHED, title="<script>alert(1)</script>纳税服务")
    batch = BatchFactory(status="published", published_at=timezone.now())
    BatchEntryFactory(batch=batch, practice=practice, title=practice.title, city_name="西安市", body="优化纳税流程。")
    html = client.get("/practices/", {"q": "纳税"}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>纳税</mark>服务" in html
    assert "<script>alert" not in html
    assert "优化<mark>纳税</mark>流程。" in html
    assert "共 1 项匹配" in html
