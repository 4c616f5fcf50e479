import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from batches.models import Batch
from reviews.models import Review
from reviews.services import OPEN_REVIEW
from tests.factories import BatchEntryFactory, BatchFactory

pytestmark = pytest.mark.django_db


def test_home_page_for_the_public_is_in_chinese(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert "优化营商环境典型经验做法" in html and "成熟一批、推出一批" in html
    assert 'href="/accounts/login/' in html


def test_home_page_in_english_from_the_catalogue(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "Typical practices for improving the business environment" in html
    assert "优化营商环境典型经验做法" not in html


def test_stylesheet_is_served_by_the_app(client):
    html = client.get("/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/bizenv.css">' in html
    assert "http://" not in html and "https://" not in html
    css = client.get("/static/css/bizenv.css")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    assert "Noto Sans CJK SC" in b"".join(css.streaming_content).decode()


def test_login_page(client):
    html = client.get("/accounts/login/").content.decode()
    assert "用户名" in html and "密码" in html and 'name="csrfmiddlewaretoken"' in html


def test_wrong_password_says_so_in_chinese(client, demo):
    response = client.post("/accounts/login/", {"username": "xian", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_city_official_signs_in_and_sees_their_citys_work(client, demo):
    response = client.post("/accounts/login/", {"username": "xian", "password": "demo"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [("/", 302)]
    assert "西安市填报员 · 西安市 · 填报员" in html
    assert "西安市的经验做法" in html
    assert "草稿" in html and "退回修改" in html


def test_coordinator_does_not_see_city_drafts(client, demo):
    client.login(username="coordinator", password="demo")
    html = client.get("/").content.decode()
    assert "各市提交的经验做法" in html and "已提交" in html
    assert "草稿" not in html


def test_reviewer_sees_open_assignments(client, demo):
    open_reviews = Review.objects.filter(OPEN_REVIEW, reviewer__username="reviewer_xian").count()
    assert open_reviews > 0
    client.login(username="reviewer_xian", password="demo")
    assert f"您有 {open_reviews} 项待完成的评审。" in client.get("/").content.decode()


def test_sign_out_asks_on_get_and_ends_the_session_on_post(client, demo):
    client.login(username="xian", password="demo")
    response = client.get("/accounts/logout/")
    assert response.status_code == 200 and "确定要退出登录吗？" in response.content.decode()
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == "/"
    assert "_auth_user_id" not in client.session


def test_admin_is_reachable_by_the_admin_only(client, demo):
    assert client.get("/admin/").status_code == 302
    client.login(username="coordinator", password="demo")
    assert client.get("/admin/").status_code == 302
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get("/admin/practices/practice/")
    assert response.status_code == 200
    assert "西安市推行企业开办" in response.content.decode()


@pytest.mark.parametrize(
    "model",
    [
        "practices/city",
        "practices/indicator",
        "practices/practice",
        "practices/practiceevent",
        "practices/practiceresult",
        "practices/attachment",
        "practices/membership",
        "adoptions/adoption",
        "auth/user",
        "reviews/criterion",
        "reviews/review",
        "reviews/score",
        "batches/batch",
        "batches/batchentry",
    ],
)
def test_admin_lists_every_model_with_search(client, demo, model):
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(f"/admin/{model}/", {"q": "西安"})
    assert response.status_code == 200
    assert 'id="searchbar"' in response.content.decode()


def test_home_lists_published_batches_with_their_counts(client, demo):
    html = client.get("/").content.decode()
    batch = Batch.objects.get(year=2022, sequence=2)
    assert batch.title in html
    assert f"已发布 1 批、{batch.entries.count()} 项经验做法" in html
    assert f"{batch.entries.count()} 项" in html


def test_home_without_batches_says_so(client, db):
    assert "尚未发布任何批次。" in client.get("/").content.decode()


@pytest.mark.parametrize("batches", [1, 3, 12])
def test_home_query_count_does_not_grow_with_batches(client, db, django_assert_num_queries, batches):
    for sequence in range(1, batches + 1):
        batch = BatchFactory(sequence=sequence, status="published", published_at=timezone.now())
        BatchEntryFactory.create_batch(2, batch=batch)
    with django_assert_num_queries(2):  # the totals, the latest batches with their counts
        client.get("/")
