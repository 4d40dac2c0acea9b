"""The Content-Security-Policy holds on the real pages: Chromium loads the main staff and public pages and
reports no `securitypolicyviolation` (and no console error, which is where refused resources show too)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from accounts.testing import PASSWORD
from tests.browser.conftest import PageProblems, log_in, screenshot
from tests.browser.test_map import district  # noqa: F401 - the fixture: territory, a dispatcher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
PUBLIC = ["/login/", "/approvals/track/", "/approvals/", "/selfservice/", "/verify/", "/public/enforcement/"]
STAFF = ["/", "/territory/map/", "/work/", "/api/docs/"]


def _visit(page: Any, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    page.wait_for_load_state("networkidle")
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    return list(page.evaluate("window.__csp"))


def test_pages_pass_the_content_security_policy(
    live_server: Any,
    page: Any,
    problems: PageProblems,
    district: dict[str, User],  # noqa: F811
) -> None:
    page.add_init_script(LISTEN)
    violations: dict[str, list[str]] = {}
    for path in PUBLIC:
        violations[path] = _visit(page, f"{live_server.url}{path}")
    log_in(page, live_server.url, "dispatcher", PASSWORD)
    for path in STAFF:
        violations[path] = _visit(page, f"{live_server.url}{path}")
    page.wait_for_selector(".swagger-ui .info")  # the vendored Swagger UI really ran
    screenshot(page, "csp-api-docs")
    assert {path: found for path, found in violations.items() if found} == {}
    assert [e for e in problems.errors if "Content Security Policy" in e or "Refused" in e] == []
