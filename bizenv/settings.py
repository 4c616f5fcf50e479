"""bizenv settings, read from the environment.

Production is the default: DEBUG is off unless DEBUG=1 says otherwise, and then bizenv refuses to start without a
real SECRET_KEY (at least 50 characters, not the development key) and an ALLOWED_HOSTS. `make run`, `make test`
and CI set DEBUG=1 themselves, which gives a SQLite file in the project and a fixed development key. Production
sets SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL, and TRUSTED_PROXY=1 behind a proxy that sets X-Forwarded-Proto
(see README.md).
"""

import datetime
import os
from pathlib import Path

import dj_database_url
import django_cache_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from bizenv.web.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEVELOPMENT_KEY = "django-insecure-development-only-never-use-in-production"
NEW_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def production_key(key: str) -> str:
    """The SECRET_KEY, if it is fit for production; ImproperlyConfigured saying why not, otherwise (the rules of
    Django's own check --deploy, which only warns)."""
    if not key:
        problem = "SECRET_KEY 未设置 (SECRET_KEY must be set when DEBUG is off)"
    elif key == DEVELOPMENT_KEY or key.startswith("django-insecure-"):
        problem = "SECRET_KEY 是开发用密钥 (SECRET_KEY is a development key)"
    elif len(key) < 50 or len(set(key)) < 5:
        problem = "SECRET_KEY 太短或太简单 (SECRET_KEY needs at least 50 characters, 5 of them different)"
    else:
        return key
    raise ImproperlyConfigured(f"{problem}. 生成新密钥 (to generate one): {NEW_KEY}")


if DEBUG:
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_KEY
else:
    SECRET_KEY = production_key(os.environ.get("SECRET_KEY", ""))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS 未设置：请填写本站的域名 (ALLOWED_HOSTS must name the site's host names when DEBUG is off)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Behind a TLS-terminating proxy, whether a request came over HTTPS is what the proxy says in X-Forwarded-Proto;
# believed only when TRUSTED_PROXY=1 says that the proxy sets that header (and strips a client's own).
TRUSTED_PROXY = env_bool("TRUSTED_PROXY", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "django_filters",
    "import_export",
    "axes",
    "simple_history",
    "bizenv",  # the shared plumbing: the mail outbox, operations commands (backup, restore, send_mail_queue)
    "practices",
    "reviews",
    "batches",
    "adoptions",
    "public",
]

MIDDLEWARE = [
    "bizenv.web.health.HealthCheckMiddleware",  # /healthz, before anything that needs a session or a Host
    "bizenv.web.logs.RequestLogMiddleware",  # the request's id, and its one log line
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A public page kept whole answers a visitor before the session, the user or CSRF are looked at.
    "public.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # the signed-in user is who changed what
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # it answers a locked-out sign-in
    # A body too large is refused before it is read: nothing above reads it (CSRF reads the form only after the
    # whole chain, in process_view), and the refusal gets the headers and page of every other response.
    "bizenv.web.uploads.RequestSizeLimitMiddleware",
]

ROOT_URLCONF = "bizenv.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "practices.context_processors.membership",
            ],
            "libraries": {"fast": "bizenv.web.fast"},
        },
    },
]

WSGI_APPLICATION = "bizenv.wsgi.application"

# Database: SQLite in the project unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Under gunicorn (one thread a worker) a connection is kept as on PostgreSQL: opening one reads the schema
    # again, which costs more than a page kept whole (public/pagecache.py). The development server starts a thread
    # a request, so there each request opens its own.
    if DEBUG:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # A writer takes the lock when its transaction starts, so concurrent
        # writers queue instead of failing halfway with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too, not shared-cache memory: there, concurrent writers fail with "table is locked"
    # instead of waiting their turn as they do in a real database, and the race tests would test nothing.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
else:
    # Model choice fields iterate their querysets; on PostgreSQL that would be a server-side cursor (DECLARE,
    # FETCH, CLOSE: three round trips for a list of 13 cities), which also breaks behind a transaction pooler.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's cache: in each process's memory unless CACHE_URL names a shared one. More than one application server
# must share one (redis://127.0.0.1:6379/1), or each would keep /stats/ figures and their rebuild lock of its own.
CACHES = {"default": django_cache_url.parse(os.environ.get("CACHE_URL") or "locmem://")}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out pair is refused before any password is checked
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "bizenv.web.accounts.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in lockout (django-axes), on our sign-in page and the admin's alike: 5 wrong passwords for one user from
# one address lock that pair for 15 minutes from the last; a success clears the count. Unlock: the admin's
# "Access attempts", or `manage.py axes_reset_username NAME`.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bizenv.web.accounts.locked_out"
AXES_CLIENT_IP_CALLABLE = "bizenv.web.accounts.client_address"
# The log names who was locked out and from where, for the IT office (a password is never logged).
AXES_SENSITIVE_PARAMETERS = []
AXES_VERBOSE = False  # no banner on every command's output; a lockout is still logged, with who and where
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # not used by our sign-in, which lands each user on their work (accounts.landing)
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Behind nginx, a download the view has allowed is sent by nginx: the response only names the file under this
# prefix, an `internal` location aliasing MEDIA_ROOT (deploy/nginx/bizenv.conf). Empty: the app sends the file.
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")
if MEDIA_ACCEL_REDIRECT and not (MEDIA_ACCEL_REDIRECT.startswith("/") and MEDIA_ACCEL_REDIRECT.endswith("/")):
    raise ImproperlyConfigured(
        f"MEDIA_ACCEL_REDIRECT must start and end with '/' (/protected-media/), not {MEDIA_ACCEL_REDIRECT!r}."
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Published batches' exports, written once per version (batches/exportfiles.py; `manage.py build_exports`).
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "exports", "base_url": f"/{MEDIA_URL}exports/"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Development and tests serve static files straight from the source folders; production from STATIC_ROOT
# after collectstatic. Decided here, once, because the test runner switches DEBUG off after import.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
FILE_UPLOAD_HANDLERS = [
    "bizenv.web.uploads.LimitedUploadHandler",  # a body without a Content-Length stops at the same limit
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Production hardening: everything `check --deploy` asks for once DEBUG is off.
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Off only to try production settings over plain http on one's own machine (make serve); check --deploy warns.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only our own files, never inline: no script or style attribute, element or handler (static/js/bizenv.js holds
# the behaviour), no frame around our pages, forms posted to us only. Our users' intranets reach nothing else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Nothing of the browser's that bizenv does not use: no camera, microphone, location, payment or sensors.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    ]
}

# Mail leaves through the outbox (bizenv/mail.py): written in the transaction of the change that sends it, sent
# by `manage.py send_mail_queue` through the backend EMAIL_BACKEND names (SMTP in production).
EMAIL_BACKEND = "bizenv.mail.OutboxBackend"
BIZENV_EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bizenv@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The health check reports the mail queue stuck when a message has waited longer than this.
BIZENV_MAIL_STUCK_MINUTES = int(os.environ.get("BIZENV_MAIL_STUCK_MINUTES", "30"))
# Where links in emails point: the address users open the site at.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where `backup` and `restore` find pg_dump, pg_restore and psql; by default /usr/lib/postgresql/<the server's
# major version>/bin (Debian), else PATH (where Debian's wrapper may pick another version).
PG_BIN = os.environ.get("PG_BIN", "")

# The PDF export renders in a child process with these limits (batches/pdf.py); over them, the Word version.
BIZENV_PDF_SECONDS = float(os.environ.get("BIZENV_PDF_SECONDS", "30"))
BIZENV_PDF_MAX_PAGES = int(os.environ.get("BIZENV_PDF_MAX_PAGES", "300"))
BIZENV_PDF_MAX_MEMORY_MB = int(os.environ.get("BIZENV_PDF_MAX_MEMORY_MB", "1024"))
# How long a request for a batch's export waits while another process writes it (batches/exportfiles.py), before
# a 503 that asks to try again: by default long enough for the slowest, a PDF.
BIZENV_EXPORT_WAIT_SECONDS = float(os.environ.get("BIZENV_EXPORT_WAIT_SECONDS") or BIZENV_PDF_SECONDS + 10)

# Reviewers' totals (0–100) whose standard deviation is above this are flagged 评审意见分歧较大.
BIZENV_DISAGREEMENT_THRESHOLD = float(os.environ.get("BIZENV_DISAGREEMENT_THRESHOLD", "15"))
# Share of two-character pieces two practices have in common (Jaccard) at which they are flagged 可能重复.
BIZENV_DUPLICATE_THRESHOLD = float(os.environ.get("BIZENV_DUPLICATE_THRESHOLD", "0.5"))

# One line per request and per recorded change, with the request's id; LOG_FORMAT=json for a log collector.
LOGGING = logging_config(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "text"))
