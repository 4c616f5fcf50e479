"""Settings come from the environment; production values pass `check --deploy`."""

import os
import secrets

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import manage, python

PRODUCTION_WITHOUT_DEBUG = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "bizenv.example.gov.cn"}
PRODUCTION = {"DEBUG": "0", **PRODUCTION_WITHOUT_DEBUG}


PRINT_DB = "from django.conf import settings as s; d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d.get('HOST'), d.get('PORT'), d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"  # noqa: E501


def test_database_url_selects_postgresql():
    result = python(PRINT_DB, {"DEBUG": "1", "DATABASE_URL": "postgres://bizenv:secret@db.internal:5433/bizenv"})
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "bizenv",
        "db.internal",
        "5433",
        "60",
        "True",
    ], result.stderr


def test_default_database_is_sqlite_in_the_project():
    result = python(PRINT_DB, {"DEBUG": "1"})
    engine, name, *_ = result.stdout.split()
    assert engine == "django.db.backends.sqlite3", result.stderr
    assert name == str(settings.BASE_DIR / "db.sqlite3")


def test_the_suite_runs_on_the_database_named_by_database_url():
    url = os.environ.get("DATABASE_URL", "sqlite://")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


START = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def test_without_debug_set_it_is_production():
    result = python(START, PRODUCTION_WITHOUT_DEBUG)
    assert result.returncode == 0 and result.stdout.split() == ["False"], result.stderr
    result = python(START, {})  # and production without its values does not start
    assert result.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    "key, reason",
    [
        (None, "SECRET_KEY must be set when DEBUG is off"),
        ("", "SECRET_KEY must be set when DEBUG is off"),
        ("abc", "at least 50 characters"),
        ("a" * 60, "at least 50 characters, 5 of them different"),
        ("django-insecure-development-only-never-use-in-production", "development key"),
        ("django-insecure-" + secrets.token_urlsafe(50), "development key"),
    ],
)
def test_production_refuses_to_start_with_an_unsafe_secret_key(key, reason):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"} | ({} if key is None else {"SECRET_KEY": key})
    result = python(START, env)
    assert result.returncode != 0 and reason in result.stderr and "secrets.token_urlsafe(50)" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    for hosts in (None, "", " , "):
        result = python(START, env if hosts is None else {**env, "ALLOWED_HOSTS": hosts})
        assert result.returncode != 0 and "ALLOWED_HOSTS must name the site's host names" in result.stderr


IS_SECURE = (
    "import django; django.setup(); from django.test import RequestFactory; "
    "print(RequestFactory().get('/', HTTP_X_FORWARDED_PROTO='https').is_secure())"
)


def test_x_forwarded_proto_is_believed_only_behind_a_trusted_proxy():
    assert python(IS_SECURE, PRODUCTION).stdout.split() == ["False"]  # anybody can send the header
    assert python(IS_SECURE, {**PRODUCTION, "TRUSTED_PROXY": "1"}).stdout.split() == ["True"]


def test_debug_must_be_a_boolean():
    result = python("import django; django.setup()", {"DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


def test_check_deploy_is_clean_with_production_values(tmp_path):
    env = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = manage(env, "check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_language_and_time_zone():
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == ("zh-hans", "Asia/Shanghai", True)
