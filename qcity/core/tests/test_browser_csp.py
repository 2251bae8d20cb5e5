"""The Content-Security-Policy in a real browser (issue 10, Hardening): every role opens its main
pages (home, the menu's lists, the chart pages, the audit pages, the API docs) and the browser
reports no CSP violation and no console error; the scripts that moved out of the templates
(charts, auto-submitting selects, htmx) still work."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from qcity.core import browser, demo  # noqa: E402
from qcity.core.tests import test_browser  # noqa: E402

# the same fixtures as the other browser tests
pw_browser = test_browser.pw_browser
demo_world = test_browser.demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["admin", "scjg", "jb_scjg", "inspector1", "auditor"]
MENU_PAGES_PER_ROLE = 10

# Every CSP violation is also a DOM event: collect them, whatever the console says.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


def _chart_pages():
    from qcity.indicators.models import Indicator
    from qcity.plans.models import Plan, Target

    pages = ["/inspection/stats/"]
    plan = Plan.objects.filter(role="ours").order_by("pk").first()
    if plan is not None:
        pages.append(f"/indicators/plans/{plan.pk}/")
    target = Target.objects.exclude(link=None).order_by("pk").first()
    if target is not None:
        pages.append(f"/indicators/targets/{target.pk}/")
    indicator = Indicator.objects.order_by("pk").first()
    if indicator is not None:
        pages.append(f"/indicators/indicators/{indicator.pk}/trend/")
    return pages


def _visit(page, url):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return response.status if response is not None else 0


def test_main_pages_of_each_role_raise_no_csp_violation(live_server, pw_browser, demo_world):
    # one demo for all roles (each build costs ~15 s of CI); each role in its own browser context
    for username in ROLES:
        context = pw_browser.new_context(viewport={"width": 1366, "height": 900})
        try:
            _check_role_pages(context.new_page(), live_server, username)
        finally:
            context.close()


def _check_role_pages(page, live_server, username):
    page.add_init_script(WATCH_CSP)
    watcher = browser.PageWatcher(page)
    browser.login(page, live_server.url, username, demo.DEMO_PASSWORD)
    assert page.url.rstrip("/") == live_server.url, f"login failed for {username}"
    violations = []

    menu = page.eval_on_selector_all(
        "nav .dropdown-menu a.dropdown-item[href^='/']",
        "els => els.map(e => e.getAttribute('href'))",
    )
    pages = ["/", *dict.fromkeys(menu)][: MENU_PAGES_PER_ROLE + 1] + _chart_pages()
    if username in ("admin", "auditor"):
        pages += ["/core/audit/changes/", "/core/audit/logins/?success=false", "/api/docs/"]
    visited = []
    for url in pages:
        status = _visit(page, f"{live_server.url}{url}")
        visited.append((url, status))
        violations += [f"{url}: {v}" for v in page.evaluate("window.__cspViolations || []")]
        if (
            url.startswith("/indicators/")
            and status == 200
            and page.locator("[data-qc-chart]").count()
        ):
            # the chart script ran (from charts.js, not inline): ECharts drew a canvas
            page.wait_for_selector("[data-qc-chart] canvas", timeout=5000)
    assert len(visited) > 5, username
    assert violations == [], (username, violations)
    csp_errors = [e for e in watcher.errors if "Content Security Policy" in e]
    assert csp_errors == [], (username, csp_errors)
    assert watcher.errors == [], (username, watcher.errors)


def test_scripts_moved_out_of_templates_still_work(live_server, pw_browser, demo_world):
    """htmx filters, the language select and the audit table's htmx filter, under the CSP."""
    page = pw_browser.new_page()
    page.add_init_script(WATCH_CSP)
    watcher = browser.PageWatcher(page)
    browser.login(page, live_server.url, "auditor", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/core/audit/logins/")
    page.select_option("#id_success", "true")
    page.wait_for_timeout(800)
    assert "success=true" in page.url  # htmx swapped the table and pushed the filter
    assert page.locator("#qcTable table tbody tr").count() >= 1
    page.click("#qcUserMenu")  # signed in, the language choice is in the user menu
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")  # ui.js: data-qc-autosubmit
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.click("#qcUserMenu")
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == []
    assert watcher.errors == []
