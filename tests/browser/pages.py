"""Every page each role uses, built once from the demo data, for the browser tests that must see them all: the
layout on a phone (test_layout.py) and axe-core (test_accessibility.py).

pages() needs the demo loaded (prepare() loads it and adds what the demo lacks: a draft batch to compose, and an
entry that 汉中市 may declare voluntarily); each Page says which demo user signs in to see it (None: a visitor), and
visits() takes the browser to each in turn, signed in as its user.
"""

import io
from dataclasses import dataclass

from django.core.management import call_command

from adoptions import services as adoptions
from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption
from batches import services as batches
from batches.enums import EntryScope
from batches.models import Batch, BatchEntry
from practices.enums import Status
from practices.models import Practice
from reviews.models import Review
from tests.browser.test_review_flow import sign_in

ROLES = {
    None: "公众",
    "xian": "西安市填报员",
    "hanzhong": "汉中市填报员",
    "reviewer": "评审员",
    "coordinator": "省级统筹",
}


@dataclass(frozen=True)
class Page:
    user: str | None  # the demo user who signs in to see it; None for a visitor
    name: str  # what the page is, for a failure's message
    path: str

    def __str__(self):
        return f"{ROLES[self.user]}：{self.name}（{self.path}）"


def prepare():
    """The demo, plus a draft batch holding the approved practices (the coordinator's composer and its preview) and
    one published entry made 参考借鉴 (so that a city may declare adopting it of its own accord)."""
    call_command("load_demo", force=True, stdout=io.StringIO())
    draft = batches.batch_create(year=2026)
    batches.batch_add(batch=draft, practices=Practice.objects.filter(status=Status.APPROVED, batch_entry__isnull=True))
    reference = BatchEntry.objects.get(batch__year=2022, batch__sequence=2, number=6)
    reference.scope = EntryScope.REFERENCE
    reference.save(update_fields=["scope"])
    adoptions.scope_changed(entry=reference)


def pages() -> list[Page]:
    """Every page each role uses, in the order a person would meet them; prepare() first."""
    published = Batch.objects.get(year=2022, sequence=2)
    draft = Batch.objects.get(year=2026)
    adopted = Adoption.objects.filter(status=AdoptionStatus.ADOPTED).order_by("pk").first()
    entry = BatchEntry.objects.filter(batch=published).order_by("number").first()
    own = {p.status: p.pk for p in Practice.objects.filter(city__code="610100").order_by("pk")}
    open_row = Adoption.objects.filter(city__code="610700", owed=True, status=AdoptionStatus.NOT_STARTED).first()
    reference = BatchEntry.objects.get(batch=published, scope=EntryScope.REFERENCE)
    in_review = Review.objects.get(reviewer__username="reviewer", submitted_at__isnull=True).practice_id
    decided = Practice.objects.get(city__code="610100", status=Status.REVISION_REQUESTED).pk
    public = [
        Page(None, "首页", "/"),
        Page(None, "已发布批次", "/batches/"),
        Page(None, "公告", f"/batches/{published.year}/{published.sequence}/"),
        Page(None, "经验做法列表", "/practices/"),
        Page(None, "经验做法列表（筛选）", "/practices/?q=企业&city=610100&indicator=starting-a-business&year=2022"),
        Page(None, "经验做法列表（检索）", "/practices/?q=服务"),
        Page(None, "经验做法列表（筛选有误）", "/practices/?year=abc"),
        Page(None, "经验做法（有复制落地）", f"/practices/{adopted.practice_id}/"),
        Page(None, "经验做法", f"/practices/{entry.practice_id}/"),
        Page(None, "经验做法（打印）", f"/practices/{entry.practice_id}/print/"),
        Page(None, "统计", "/stats/"),
        Page(None, "数据接口", "/api/"),
        Page(None, "登录", "/accounts/login/"),
        Page(None, "找回密码", "/accounts/password_reset/"),
    ]
    city = [
        Page("xian", "首页", "/"),
        Page("xian", "本市经验做法", "/city/"),
        Page("xian", "本市经验做法（筛选）", f"/city/?status={Status.DRAFT}"),
        Page("xian", "新建经验做法", "/city/practices/new/"),
        *(Page("xian", f"经验做法（{Status(status).label}）", f"/city/practices/{pk}/") for status, pk in own.items()),
        Page("xian", "修改经验做法", f"/city/practices/{own[Status.DRAFT]}/edit/"),
        Page("xian", "撤回经验做法", f"/city/practices/{own[Status.DRAFT]}/withdraw/"),
        Page("xian", "从 Excel 导入", "/city/import/"),
        Page("xian", "通知", "/inbox/"),
        Page("xian", "修改密码", "/accounts/password_change/"),
        Page("hanzhong", "复制推广台账", "/city/adoptions/"),
        Page("hanzhong", "复制推广台账（筛选）", "/city/adoptions/?status=in_progress&overdue=on"),
        Page("hanzhong", "填报推进情况", f"/city/adoptions/{open_row.pk}/"),
        Page("hanzhong", "自愿填报", f"/city/adoptions/practices/{reference.practice_id}/"),
        Page("hanzhong", "上传台账", "/city/adoptions/import/"),
    ]
    reviewer = [
        Page("reviewer", "评审工作台", "/review/"),
        Page("reviewer", "评审工作台（我的）", "/review/?mine=on"),
        Page("reviewer", "经验做法", f"/review/practices/{in_review}/"),
        Page("reviewer", "评分", f"/review/practices/{in_review}/score/"),
    ]
    coordinator = [
        Page("coordinator", "评审工作台", "/review/"),
        Page("coordinator", "经验做法（待决定）", f"/review/practices/{in_review}/"),
        Page("coordinator", "经验做法（已评审）", f"/review/practices/{decided}/"),
        Page("coordinator", "评审标准", "/review/criteria/"),
        Page("coordinator", "修改记录", "/review/audit/"),
        Page("coordinator", "批次", "/review/batches/"),
        Page("coordinator", "编排批次", f"/review/batches/{draft.pk}/"),
        Page("coordinator", "预览批次", f"/review/batches/{draft.pk}/preview/"),
        Page("coordinator", "已发布批次（勘误）", f"/review/batches/{published.pk}/"),
        Page("coordinator", "导入公告", "/review/batches/import/"),
        Page("coordinator", "复制推广进展", "/review/adoptions/"),
        Page("coordinator", "复制推广记录", f"/review/adoptions/rows/{open_row.pk}/"),
        Page("coordinator", "邀请用户", "/accounts/invite/"),
    ]
    return public + city + reviewer + coordinator


def visits(page, live_server):
    """Each page of pages(), the browser on it, signed in as its user (signing in again only when the user changes)."""
    user = False
    for each in pages():
        if each.user != user:
            user = each.user
            if user:
                sign_in(page, live_server, user)
            else:
                page.context.clear_cookies()
        response = page.goto(live_server.url + each.path)
        assert response.ok, f"{each}: {response.status}"
        yield each
