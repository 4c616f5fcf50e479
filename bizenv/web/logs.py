"""Logs an IT office can read and search: one line per request (who, what, outcome, how long) and per change
of a recorded row (bizenv/web/history.py), each with the request's id, which the 500 page shows the user so that
they can quote it. LOG_FORMAT=json makes each line a JSON object (python-json-logger) with the same fields.

The request id is the proxy's X-Request-ID when TRUSTED_PROXY=1 says a proxy sets it (nginx: $request_id), so one
id follows a request through the proxy's log and ours; otherwise a new one. Responses carry it back.
"""

import logging
import re
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

logger = logging.getLogger("bizenv.request")
_request_id: ContextVar[str] = ContextVar("bizenv_request_id", default="-")
GOOD_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id() -> str:
    """The id of the request being handled in this thread, or "-" outside one."""
    return _request_id.get()


@contextmanager
def named(id: str):
    """Log lines within are the request `id`'s: work done for a request after it was answered (bizenv/web/after.py)."""
    token = _request_id.set(id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Gives every log record the request id (for the formats, which name it)."""

    def filter(self, record):
        record.request_id = _request_id.get()
        return True


class RequestLogMiddleware:
    """Outermost: names the request, and logs one line once it is answered (an error page included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "") if settings.TRUSTED_PROXY else ""
        request.id = given if GOOD_ID.fullmatch(given) else uuid.uuid4().hex
        token = _request_id.set(request.id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            ms = round((time.perf_counter() - started) * 1000, 1)
            user = getattr(request, "_cached_user", None)  # only if the request already read it: no query here
            user_id = user.pk if user is not None and user.is_authenticated else None
            logger.info(
                "%s %s %s %.1fms user=%s",
                request.method,
                request.path,
                response.status_code,
                ms,
                user_id or "-",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": ms,
                    "user": user_id,
                },
            )
            return response
        finally:
            _request_id.reset(token)


def logging_config(level: str, format: str) -> dict:
    """settings.LOGGING: everything to standard error (systemd's journal, gunicorn's log), as text or JSON."""
    if format not in {"text", "json"}:
        raise ValueError(f"LOG_FORMAT must be text or json, not {format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "bizenv.web.logs.RequestIdFilter"}},
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "json_ensure_ascii": False,
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": format, "filters": ["request_id"]},
        },
        "root": {"handlers": ["console"], "level": level},
        # runserver's own line per request says less than ours.
        "loggers": {"django.server": {"level": "WARNING"}},
    }
