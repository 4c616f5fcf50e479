"""In Chromium: 汉中 reports a seed practice 已落地 with its result; the coordinator sees the cell change and
reminds the late cities; a visitor sees where the practice was copied, on its page and on /stats/."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption, AdoptionPlan
from batches.models import BatchEntry
from practices.models import Notification
from tests.browser.test_review_flow import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_city_reports_adopted_the_province_follows_and_the_public_sees_it(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())
    entry = BatchEntry.objects.select_related("batch").get(batch__year=2022, batch__sequence=2, number=3)
    AdoptionPlan.objects.filter(batch=entry.batch).update(deadline=timezone.localdate() - timezone.timedelta(days=1))

    sign_in(page, live_server, "hanzhong")
    page.get_by_role("link", name="复制推广台账").first.click()
    page.get_by_role("link", name=f"3、{entry.title}").click()
    page.get_by_label("状态").select_option(label="已落地")
    page.get_by_label("落地日期").fill("2024-05-01")
    page.get_by_label("本地成效").fill("汉中市推行企业开办“一表申报、一窗出件”，一个工作日办结。")
    page.locator("input[name='results-0-measure']").fill("企业开办时间")
    page.locator("input[name='results-0-before']").fill("3")
    page.locator("input[name='results-0-after']").fill("1")
    page.locator("input[name='results-0-unit']").fill("个工作日")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    row = Adoption.objects.get(city__code="610700", practice=entry.practice)
    assert (row.status, row.results.count()) == (AdoptionStatus.ADOPTED, 1)

    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/review/adoptions/?batch=2022-2")
    line = page.get_by_role("row").filter(has_text=entry.title)
    expect(line.locator(f"a[href='/review/adoptions/rows/{row.pk}/']")).to_have_text("已落地")
    page.get_by_role("button", name="向逾期未办结的市（区）催报").click()
    expect(page.get_by_text("催报通知")).to_be_visible()
    assert Notification.objects.filter(recipient__username="hanzhong", subject__startswith="复制推广催报").exists()

    page.context.clear_cookies()
    cities = Adoption.objects.filter(practice=entry.practice, status=AdoptionStatus.ADOPTED).count()
    page.goto(f"{live_server.url}/practices/{entry.practice_id}/")
    expect(page.get_by_text(f"已在 {cities} 个市（区）复制落地")).to_be_visible()
    expect(page.get_by_text("汉中市推行企业开办“一表申报、一窗出件”")).to_be_visible()
    page.goto(f"{live_server.url}/stats/")
    most_copied = page.get_by_role("row").filter(has_text=entry.title).first
    expect(most_copied.locator("td").last).to_have_text(str(cities))  # the count of adopting cities
