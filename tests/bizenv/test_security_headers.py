"""Every response carries the Content-Security-Policy and Permissions-Policy headers, and no template of ours has
what that policy would refuse (inline scripts, styles or event handlers)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)
# Rendered by WeasyPrint into a PDF on the server, never served to a browser.
NOT_SERVED = {"batches/print.html"}


@pytest.mark.parametrize("url", ["/", "/practices/", "/accounts/login/", "/stats/", "/no-such-page/"])
def test_every_response_says_what_the_browser_may_do(client, url):
    response = client.get(url)
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    features = dict(part.split("=") for part in response["Permissions-Policy"].split(", "))
    assert features["camera"] == features["geolocation"] == features["microphone"] == "()"
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_inline_script_style_or_handler():
    found = []
    for root in [Path(settings.BASE_DIR) / "templates"]:
        for path in root.rglob("*.html"):
            if str(path.relative_to(root)) in NOT_SERVED:
                continue
            found += [f"{path.relative_to(root)}: {m.group(0)}" for m in INLINE.finditer(path.read_text())]
    assert not found, found
