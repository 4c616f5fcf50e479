"""Running bizenv in a fresh process, as an operator would, with exactly the environment given."""

import os
import subprocess
import sys

from django.conf import settings

# Variables of ours, and the one the browser tests set for themselves, never leak into the child.
NOT_INHERITED = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run Python code in a fresh process with exactly these bizenv variables set."""
    base = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**base, "DJANGO_SETTINGS_MODULE": "bizenv.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


MANAGE = "import sys; from django.core.management import execute_from_command_line as run; run(sys.argv)"


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`manage.py ARGS` in a fresh process."""
    return python(MANAGE, env, *args)
