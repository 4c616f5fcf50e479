"""Shared fixtures, and the rule that a missing tool is said out loud (and fails under BIZENV_REQUIRE_ALL=1)."""

import io
import os
import shutil

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from practices.enums import Role, Status
from practices.models import City

from .factories import BatchEntryFactory, BatchFactory, PracticeFactory, ReviewFactory, UserFactory

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def require_tool(available: bool, message: str):
    """Skip a test whose tool is missing, or fail it where CI demands every test run."""
    if available:
        return
    if os.environ.get("BIZENV_REQUIRE_ALL") == "1":
        pytest.fail(f"{message} (BIZENV_REQUIRE_ALL=1 forbids skipping)", pytrace=False)
    pytest.skip(message)


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    chromium = CHROMIUM if shutil.which(CHROMIUM) else "missing (browser tests will be skipped)"
    return [f"bizenv database: {engine}", f"bizenv chromium: {chromium}"]


@pytest.fixture
def demo(db):
    """The shipped fixtures, demo users and demo practices."""
    call_command("load_demo", force=True, stdout=io.StringIO())


@pytest.fixture
def xian(db):
    return City.objects.get_or_create(code="610100", defaults={"name": "西安市", "short_name": "西安"})[0]


@pytest.fixture
def hanzhong(db):
    return City.objects.get_or_create(code="610700", defaults={"name": "汉中市", "short_name": "汉中"})[0]


@pytest.fixture
def xian_official(xian):
    return UserFactory(username="xian_official", role=Role.CITY_OFFICIAL, city=xian)


@pytest.fixture
def published_practice(db):
    """Number 14 of 2023年第二批, as published; the practice edited since, with contact details and an internal
    note that must never be shown."""
    practice = PracticeFactory(
        status=Status.PUBLISHED, title="之后改的标题", contact_name="保密联系人", contact_phone="029-99990000"
    )
    ReviewFactory(practice=practice, internal_note="仅省级可见的备注")
    batch = BatchFactory(year=2023, sequence=2, status="published", published_at=timezone.now())
    return BatchEntryFactory(
        batch=batch,
        practice=practice,
        number=14,
        title="推行企业开办“一网通办”",
        city_name="西安市",
        indicator_name="开办企业",
        summary="企业开办全流程网上办理。",
        body="一是整合开办环节。\n\n二是推行电子营业执照。",
        outcomes="开办时间由5个工作日压缩至1个。",
        results=[
            {"measure": "企业开办时间", "before": "5", "after": "1", "unit": "个工作日"},
            {"measure": "网上办理率", "before": "", "after": "98", "unit": "%"},
        ],
    )


@pytest.fixture
def outbox(settings):
    """bizenv's own mail path, the outbox (the test runner swaps in Django's in-memory backend for EMAIL_BACKEND)."""
    from django.core import mail as django_mail

    settings.EMAIL_BACKEND = "bizenv.mail.OutboxBackend"
    django_mail.outbox = []
    return settings


@pytest.fixture
def media(settings, tmp_path):
    """Uploads stored in a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium; its own browser download does not work here."""
    require_tool(shutil.which(CHROMIUM) is not None, f"missing Chromium at {CHROMIUM}: apt-get install chromium")
    # Playwright's sync API keeps an event loop running in the main thread from the moment the browser starts
    # until the session ends, and Django then refuses every ORM call made in that thread (fixtures, database
    # set-up and teardown of every later test) as if it were async code. The loop lives for the session, so
    # this permission must too; our code has no async views for it to hide anything in.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # PBKDF2's deliberate slowness buys nothing in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def export_files(settings, tmp_path):
    """Each test writes batches' exports to a directory of its own: a file from another test's batch of the same
    year, sequence and version would be served as if written for this one."""
    location = tmp_path / "exports"
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {**settings.STORAGES["exports"], "OPTIONS": {"location": location}},
    }
    return location


@pytest.fixture(autouse=True)
def empty_cache():
    # What is cached is keyed by database state (the statistics by their generation, which every test's database
    # starts again from 0), and the cache outlives a test's database: each test starts with none.
    cache.clear()
