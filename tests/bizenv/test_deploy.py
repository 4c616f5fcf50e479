"""The deployment kit (deploy/): the example environment file, filled in as deploy/README.md says, passes
`check --deploy` and, left as it is, does not start; it lists every variable the code reads; gunicorn's
configuration, the systemd units, the scripts and nginx's site agree with each other and with the app."""

import http.client
import os
import re
import runpy
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import gunicorn.config
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import get_commands
from django.utils import timezone

from bizenv.web.uploads import MAX_REQUEST_BYTES
from tests.conftest import require_tool
from tests.factories import BatchEntryFactory, BatchFactory, PracticeFactory

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
ENV_FILE = DEPLOY / "bizenv.env"
HOST = "bizenv.shaanxi.gov.cn"  # what an administrator puts for bizenv.example.gov.cn
LINE = re.compile(r"^(#?)([A-Z][A-Z0-9_]*)=(.*)$")


def values(text: str) -> dict[str, str]:
    """The variables the file sets (its lines that are not comments)."""
    return {m[2]: m[3] for m in map(LINE.match, text.splitlines()) if m and not m[1]}


def listed(text: str) -> set[str]:
    """The variables the file names: set, or commented out with their default."""
    return {m[2] for m in map(LINE.match, text.splitlines()) if m}


def filled_in(database_url: str) -> str:
    """deploy/bizenv.env with its placeholders replaced as deploy/README.md tells the administrator to: a new
    SECRET_KEY, the site's host name, the database's URL (here the test's own)."""
    text = ENV_FILE.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^SECRET_KEY=.*$", "SECRET_KEY=" + secrets.token_urlsafe(50), text)
    text = text.replace("bizenv.example.gov.cn", HOST)
    return re.sub(r"(?m)^DATABASE_URL=.*$", "DATABASE_URL=" + database_url, text)


@pytest.fixture
def database_url(tmp_path) -> str:
    """The suite's PostgreSQL if it runs on one, else a SQLite file of the test's own (check does not connect)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else f"sqlite:///{tmp_path / 'db.sqlite3'}"


def manage_sh(env_file: Path, *args: str) -> subprocess.CompletedProcess:
    """deploy/manage.sh ARGS as the administrator runs it, with nothing of this process's environment but PATH:
    whatever bizenv reads comes from the file (no DEBUG)."""
    env = {"PATH": os.environ["PATH"], "BIZENV_ENV_FILE": str(env_file)}
    return subprocess.run(
        ["sh", str(DEPLOY / "manage.sh"), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_example_filled_in_as_the_guide_says_passes_check_deploy(tmp_path, database_url):
    env_file = tmp_path / "bizenv.env"
    env_file.write_text(filled_in(database_url), encoding="utf-8")
    assert "DEBUG" not in values(env_file.read_text(encoding="utf-8"))
    result = manage_sh(env_file, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_example_as_it_is_refuses_to_start():
    result = manage_sh(ENV_FILE, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is a development key" in result.stderr and "secrets.token_urlsafe(50)" in result.stderr


def test_check_deploy_warns_when_cookies_may_go_over_plain_http(tmp_path, database_url):
    env_file = tmp_path / "bizenv.env"
    env_file.write_text(filled_in(database_url) + "SECURE_COOKIES=0\n", encoding="utf-8")
    result = manage_sh(env_file, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W012" in result.stderr and "security.W016" in result.stderr  # session, CSRF cookie


def test_the_example_sets_nothing_unsafe_and_names_the_paths_the_kit_uses():
    env = values(ENV_FILE.read_text(encoding="utf-8"))
    assert env["TRUSTED_PROXY"] == "1"
    assert not {"DEBUG", "SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"} & env.keys()  # defaults
    assert env["MEDIA_ROOT"] == "/var/lib/bizenv/media" and env["STATIC_ROOT"] == "/var/www/bizenv/static"
    assert env["MEDIA_ACCEL_REDIRECT"] == "/protected-media/"


# Where the code reads a variable: os.environ.get("X" / os.environ["X"] / os.getenv("X" / env_bool("X" / env_list("X".
READS = re.compile(r"(?:os\.environ\.get\(|os\.environ\[|os\.getenv\(|env_bool\(|env_list\()\s*[\"']([A-Z][A-Z0-9_]*)")
APP_CODE = ["bizenv", "practices", "reviews", "batches", "adoptions", "public", "deploy", "manage.py"]


def test_every_variable_the_code_reads_is_in_the_example():
    files = [ROOT / name for name in APP_CODE if name.endswith(".py")]
    files += [path for name in APP_CODE if (ROOT / name).is_dir() for path in sorted((ROOT / name).rglob("*.py"))]
    read = {name for path in files for name in READS.findall(path.read_text(encoding="utf-8"))}
    assert {"SECRET_KEY", "DATABASE_URL", "TRUSTED_PROXY", "GUNICORN_BIND"} <= read  # the search finds them
    missing = read - listed(ENV_FILE.read_text(encoding="utf-8"))
    assert not missing, f"add these to deploy/bizenv.env, with their meaning and default: {sorted(missing)}"


def test_every_line_reads_the_same_to_systemd_and_to_manage_sh():
    """No quotes, spaces, $ or backslashes, which systemd and a shell would read differently."""
    for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*=[^\s\"'$\\`]*", line), line


# ---------------------------------------------------------------------------------------------------------------
# gunicorn


def gunicorn_conf(monkeypatch, **env) -> dict:
    for name in ("GUNICORN_BIND", "GUNICORN_WORKERS", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return {k: v for k, v in runpy.run_path(str(DEPLOY / "gunicorn.conf.py")).items() if not k.startswith("_")}


def test_gunicorn_config_names_only_gunicorns_settings_with_sane_values(monkeypatch):
    conf = gunicorn_conf(monkeypatch)
    del conf["os"]
    config = gunicorn.config.Config()
    unknown = conf.keys() - config.settings.keys()
    assert not unknown, f"gunicorn ignores these: {sorted(unknown)}"
    for name, value in conf.items():
        config.set(name, value)  # gunicorn's own validation of each value
    cores = len(os.sched_getaffinity(0))
    assert config.bind == ["127.0.0.1:8000"] and config.workers == 2 * cores + 1
    assert config.worker_class_str == "sync" and config.preload_app and config.accesslog is None
    assert 30 <= config.timeout <= 120 and 0 < config.graceful_timeout < config.timeout
    assert 0 < config.max_requests_jitter < config.max_requests
    assert config.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert config.secure_scheme_headers == {"X-FORWARDED-PROTO": "https"}
    assert conf["wsgi_app"] == "bizenv.wsgi:application"


def test_gunicorn_bind_and_workers_come_from_the_environment(monkeypatch):
    conf = gunicorn_conf(monkeypatch, GUNICORN_BIND="10.0.0.11:8000", GUNICORN_WORKERS="3")
    assert (conf["bind"], conf["workers"]) == ("10.0.0.11:8000", 3)


# ---------------------------------------------------------------------------------------------------------------
# systemd


def unit(name: str) -> dict[str, list[str]]:
    """A unit file's settings, each with every value it is given (systemd allows repeats)."""
    found: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def in_repo(path: str) -> Path:
    """A path under /srv/bizenv (deploy/README.md puts the code there) as it is in this checkout."""
    relative = Path(path).relative_to("/srv/bizenv")
    if relative.parts[:2] == (".venv", "bin"):
        return Path(sys.executable).parent / relative.name  # the virtualenv running these tests
    return ROOT / relative


UNITS = ["bizenv-web.service", "bizenv-mail.service", "bizenv-backup.service"]


@pytest.mark.parametrize("name", [*UNITS, "bizenv-remind.service"])
def test_each_unit_runs_files_that_exist_as_the_bizenv_user_with_the_env_file(name):
    conf = unit(name)
    assert conf["User"] == ["bizenv"] and conf["WorkingDirectory"] == ["/srv/bizenv"]
    assert conf["EnvironmentFile"] == ["/etc/bizenv/bizenv.env"]
    assert conf["NoNewPrivileges"] == ["yes"] and conf["ProtectSystem"] == ["strict"] and conf["PrivateTmp"] == ["yes"]
    (command,) = conf["ExecStart"]
    paths = [word for word in command.split() if word.startswith("/srv/bizenv")]
    assert paths, command
    for path in paths:
        assert in_repo(path).is_file(), path
    assert os.access(in_repo(command.split()[0]), os.X_OK), command


def test_the_units_agree_with_gunicorn_the_env_file_and_the_timer(monkeypatch):
    env = values(ENV_FILE.read_text(encoding="utf-8"))
    web, mail, backup = (unit(name) for name in UNITS)
    assert "--config /srv/bizenv/deploy/gunicorn.conf.py" in web["ExecStart"][0] and web["Type"] == ["notify"]
    assert web["ReadWritePaths"] == [env["MEDIA_ROOT"]]  # the app writes uploads, nothing else
    # systemd waits for gunicorn's graceful stop before killing it.
    assert int(web["TimeoutStopSec"][0]) > gunicorn_conf(monkeypatch)["graceful_timeout"]
    assert mail["ExecStart"][0].endswith("manage.py send_mail_queue --loop") and mail["Restart"] == ["always"]
    assert backup["Type"] == ["oneshot"] and backup["ReadWritePaths"] == ["/var/backups/bizenv"]
    assert backup["ExecStart"][0] == "/srv/bizenv/deploy/backup.sh /var/backups/bizenv 14"
    timer = (DEPLOY / "systemd" / "bizenv-backup.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 02:30:00" in timer and "Persistent=true" in timer


def test_the_reminders_run_each_morning_and_the_guide_installs_and_enables_them():
    remind = unit("bizenv-remind.service")
    assert remind["Type"] == ["oneshot"] and "ReadWritePaths" not in remind  # the database only
    assert remind["ExecStart"][0].endswith("/srv/bizenv/manage.py remind_reviewers")
    assert "remind_reviewers" in get_commands()
    timer = unit("bizenv-remind.timer")
    assert timer["OnCalendar"] == ["*-*-* 08:30:00"] and timer["Persistent"] == ["true"]
    guide = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "/srv/bizenv/deploy/systemd/bizenv-remind.timer" in guide
    assert re.search(r"(?m)^systemctl enable --now .*bizenv-remind\.timer", guide)


# ---------------------------------------------------------------------------------------------------------------
# deploy/backup.sh

FAKE_PYTHON = """#!/bin/sh
# manage.py backup --output FILE: writes FILE, or fails halfway when told to.
echo archive > "$4"
[ ! -e "$(dirname "$0")/fail" ]
"""


@pytest.fixture
def backup_kit(tmp_path):
    """deploy/backup.sh in a copy of the layout, with a manage.py backup that only writes its archive."""
    kit = tmp_path / "srv"
    (kit / "deploy").mkdir(parents=True)
    shutil.copy2(DEPLOY / "backup.sh", kit / "deploy" / "backup.sh")
    (kit / ".venv" / "bin").mkdir(parents=True)
    python = kit / ".venv" / "bin" / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    archives = tmp_path / "backups"
    archives.mkdir()
    for day in range(1, 16):  # fifteen nights already kept
        (archives / f"bizenv-202601{day:02d}-023000.tar").write_text("old")
    return kit, archives


def test_backup_writes_an_archive_and_keeps_the_newest(backup_kit):
    kit, archives = backup_kit
    subprocess.run(["sh", str(kit / "deploy" / "backup.sh"), str(archives), "14"], check=True, timeout=30)
    kept = sorted(path.name for path in archives.iterdir())
    assert len(kept) == 14 and kept[0] == "bizenv-20260103-023000.tar"
    assert (archives / kept[-1]).read_text() == "archive\n" and kept[-1] > "bizenv-2026"


def test_a_failed_backup_leaves_no_archive_and_removes_none(backup_kit):
    kit, archives = backup_kit
    (kit / ".venv" / "bin" / "fail").touch()
    before = sorted(archives.iterdir())
    result = subprocess.run(["sh", str(kit / "deploy" / "backup.sh"), str(archives), "14"], timeout=30, check=False)
    assert result.returncode != 0 and sorted(archives.iterdir()) == before


# ---------------------------------------------------------------------------------------------------------------
# nginx, in front of the app


def test_nginx_limit_is_the_apps():
    site = (DEPLOY / "nginx" / "bizenv.conf").read_text(encoding="utf-8")
    (size,) = re.findall(r"client_max_body_size (\d+)m;", site)
    assert int(size) * 1024 * 1024 == MAX_REQUEST_BYTES


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx/bizenv.conf no longer has {old!r}: update this test"
    return text.replace(old, new)


@pytest.fixture
def nginx(tmp_path, live_server, settings):
    """deploy/nginx/bizenv.conf run by nginx on free ports, in front of the app (the test's live server), with
    its paths pointing into tmp_path; returns a function that asks nginx (https unless told otherwise)."""
    require_tool(
        bool(shutil.which("nginx") and shutil.which("openssl")),
        "missing nginx or openssl: apt-get install nginx openssl",
    )
    ssl_dir, logs, media, www = (tmp_path / name for name in ("ssl", "logs", "media", "www"))
    for directory in (ssl_dir, logs, media, www / "static" / "css"):
        directory.mkdir(parents=True)
    run = {"check": True, "capture_output": True, "timeout": 60}
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=" + HOST,
                    "-keyout", ssl_dir / "privkey.pem", "-out", ssl_dir / "fullchain.pem"], **run)  # fmt: skip
    subprocess.run(["openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048",
                    "-out", ssl_dir / "ffdhe2048.pem"], **run)  # fmt: skip
    http_port, https_port = free_port(), free_port()
    site = (DEPLOY / "nginx" / "bizenv.conf").read_text(encoding="utf-8")
    for old, new in [
        ("bizenv.example.gov.cn", HOST),
        ("/etc/ssl/bizenv/", f"{ssl_dir}/"),
        ("/etc/nginx/ffdhe2048.pem", f"{ssl_dir}/ffdhe2048.pem"),
        ("/var/log/nginx/", f"{logs}/"),
        ("/var/www/bizenv;", f"{www};"),
        ("/var/lib/bizenv/media/", f"{media}/"),
        ("server 127.0.0.1:8000;", f"server {live_server.url.removeprefix('http://')};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
    ]:
        site = replace(site, old, new)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    temp = " ".join(f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi"))
    (tmp_path / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {tmp_path / 'nginx.pid'};\nerror_log {logs / 'error.log'};\nworker_processes 1;\n"
        + "events { worker_connections 64; }\n"
        + f"http {{ include /etc/nginx/mime.types; {temp} scgi_temp_path {tmp_path / 'scgi'};\n"
        + f"access_log {logs / 'access.log'}; include {tmp_path / 'site.conf'}; }}\n"
    )
    nginx_command = ["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
    # Run as a daemon: it returns once its sockets listen, so the first request needs no waiting for it.
    subprocess.run(nginx_command, **run)

    settings.ALLOWED_HOSTS = [HOST]
    settings.MEDIA_ROOT = media
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"

    def ask(path: str, *, https: bool = True, method: str = "GET", headers=None) -> http.client.HTTPResponse:
        if https:
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            connection = http.client.HTTPSConnection("127.0.0.1", https_port, context=context, timeout=30)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
        connection.request(method, path, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        return response

    ask.www = www
    yield ask
    subprocess.run([*nginx_command, "-s", "stop"], **run)


@pytest.fixture
def published(transactional_db):
    practice = PracticeFactory(status="published")
    batch = BatchFactory(year=2023, sequence=1, status="published", published_at=timezone.now())
    BatchEntryFactory(batch=batch, practice=practice, number=1, title=practice.title, city_name=practice.city.name)
    return practice


def test_nginx_sends_the_attachments_the_app_allows_and_nothing_else_of_media_root(nginx, published, client):
    public = published.attachments.create(
        original_name="说明 第1批.pdf", content_type="application/pdf", size=9, is_public=True
    )
    public.file.save("7/说明.pdf", ContentFile(b"%PDF-1.4\n"))
    private = published.attachments.create(original_name="内部.pdf", content_type="application/pdf", size=9)
    private.file.save("7/内部.pdf", ContentFile(b"%PDF-1.4\n"))

    response = nginx(f"/practices/{published.pk}/attachments/{public.pk}/")
    assert response.status == 200 and response.body == b"%PDF-1.4\n"  # from MEDIA_ROOT, by nginx
    assert response.getheader("Content-Type") == "application/pdf"
    assert response.getheader("Content-Disposition") == (
        "attachment; filename*=utf-8''%E8%AF%B4%E6%98%8E%20%E7%AC%AC1%E6%89%B9.pdf"
    )
    assert response.getheader("X-Content-Type-Options") == "nosniff" and not response.getheader("X-Accel-Redirect")

    assert nginx(f"/practices/{published.pk}/attachments/{private.pk}/").status == 404  # the app said no
    for path in (private.file.name, public.file.name):  # asked for directly
        assert nginx("/protected-media/" + quote(path)).status == 404
        # /media/ goes to the app, which has no such page (the live server, Django's test server, does serve it).
        assert client.get("/media/" + quote(path), HTTP_HOST=HOST).status_code == 404


def test_nginx_sends_http_to_https_and_keeps_hashed_static_files_a_year(nginx):
    response = nginx("/practices/?q=x", https=False)
    assert response.status == 301 and response.getheader("Location") == f"https://{HOST}/practices/?q=x"

    css = nginx.www / "static" / "css"
    (css / "bizenv.0123456789ab.css").write_text("body{}")
    (css / "bizenv.css").write_text("body{}")
    hashed, plain = nginx("/static/css/bizenv.0123456789ab.css"), nginx("/static/css/bizenv.css")
    assert hashed.status == plain.status == 200 and hashed.body == b"body{}"
    assert hashed.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert plain.getheader("Cache-Control") == "public, max-age=60"


def test_nginx_refuses_a_body_over_the_apps_limit_before_receiving_it(nginx):
    response = nginx("/accounts/login/", method="POST", headers={"Content-Length": str(MAX_REQUEST_BYTES + 1)})
    assert response.status == 413
