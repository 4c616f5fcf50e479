"""Settings come from the environment; production values pass `check --deploy`."""

import os
import secrets

from django.conf import settings
from django.db import connection

from tests.processes import manage, python

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "bizenv.example.gov.cn",
}


PRINT_DB = "from django.conf import settings as s; d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d.get('HOST'), d.get('PORT'), d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"  # noqa: E501


def test_database_url_selects_postgresql():
    result = python(PRINT_DB, {"DATABASE_URL": "postgres://bizenv:secret@db.internal:5433/bizenv"})
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "bizenv",
        "db.internal",
        "5433",
        "60",
        "True",
    ], result.stderr


def test_default_database_is_sqlite_in_the_project():
    result = python(PRINT_DB, {})
    engine, name, *_ = result.stdout.split()
    assert engine == "django.db.backends.sqlite3", result.stderr
    assert name == str(settings.BASE_DIR / "db.sqlite3")


def test_the_suite_runs_on_the_database_named_by_database_url():
    url = os.environ.get("DATABASE_URL", "sqlite://")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_production_refuses_to_start_without_a_secret_key():
    result = python("import django; django.setup()", {"DEBUG": "0", "ALLOWED_HOSTS": "bizenv.example.gov.cn"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


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
