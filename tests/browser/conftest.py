"""Every page a browser test visits keeps to the Content-Security-Policy: the test fails on any violation."""

import pytest

REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) => console.error(
    `Content Security Policy violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}` +
    ` at ${event.sourceFile}:${event.lineNumber}`));"""


@pytest.fixture(autouse=True)
def policy_violations(page):
    """The violations seen, each as Chromium reported it in the console (and as the event, which the script above
    logs too); the test fails at its end if there is any."""
    violations = []

    def seen(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", seen)
    page.add_init_script(REPORT_VIOLATIONS)
    yield violations
    assert not violations, "\n".join(violations)
