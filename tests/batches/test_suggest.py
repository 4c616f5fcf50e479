"""Suggested indicators: from the names and aliases an item's title or body says, else from the published practice
its text is most like."""

import pytest

from batches.bulletin import Item
from batches.suggest import suggest_indicators
from practices.enums import Status
from practices.text import Known
from tests.factories import IndicatorFactory, PracticeFactory

INDICATORS = [
    Known("开办企业", ("企业开办",)),
    Known("纳税", ("纳税服务",)),
    Known("获得用水用气", ("获得用水",)),
    Known("政务服务"),
]

pytestmark = pytest.mark.django_db


def suggested(title: str, *paragraphs: str, indicator: str | None = None) -> Item:
    item = Item(number=1, line=3, title=title, indicator=indicator, paragraphs=list(paragraphs))
    suggest_indicators([item], indicators=INDICATORS)
    return item


def test_the_indicator_the_title_names_first():
    item = suggested("西安市在政务服务中心推行企业开办“一日办结”", "纳税人一次办好。纳税服务前移。")
    assert item.suggested_indicator == "政务服务" and item.indicator is None
    assert [(n.line, n.code) for n in item.warnings] == [(3, "suggested_indicator")]
    assert "按文字建议归入“政务服务”" in item.warnings[0].message


def test_an_alias_and_the_longest_spelling_count():
    assert suggested("渭南市推行企业开办“一表申报”").suggested_indicator == "开办企业"
    assert suggested("铜川市获得用水用气“零跑腿”").suggested_indicator == "获得用水用气"


def test_else_the_indicator_the_body_names_most_often():
    item = suggested("汉中市推行“非接触式”服务", "依托政务服务平台，纳税人网上申报。", "纳税人满意度提升，纳税更便利。")
    assert item.suggested_indicator == "纳税"


def test_an_item_whose_heading_gives_its_indicator_is_left_as_it_is():
    item = suggested("西安市推行企业开办“一日办结”", indicator="纳税")
    assert (item.indicator, item.suggested_indicator, item.warnings) == ("纳税", None, [])


def test_nothing_is_suggested_when_nothing_says_it():
    item = suggested("安康市推行“秦务员”移动端服务", "群众随时随地查询进度。")
    assert (item.suggested_indicator, item.warnings) == (None, [])


def test_else_the_indicator_of_the_most_alike_published_practice():
    credit = IndicatorFactory(name="获得信贷")
    PracticeFactory(
        status=Status.PUBLISHED,
        indicator=credit,
        title="榆林市推行“秦信贷”中小企业融资服务平台",
        body="搭建中小企业融资服务平台，银行线上放款，融资服务平台撮合授信。",
    )
    item = suggested("咸阳市推广中小企业融资服务平台", "依托融资服务平台，银行线上审批放款。")
    assert item.suggested_indicator == "获得信贷"
