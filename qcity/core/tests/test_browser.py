"""Pages in a real browser: each role logs in, opens home and the unit pages; no console errors."""

import os

import pytest

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop

from qcity.core import browser, demo  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["admin", "scjg", "jb_scjg", "inspector1", "auditor"]


@pytest.fixture
def pw_browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv(
        "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
    )  # Playwright's sync API runs an event loop
    with sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        yield chromium
        chromium.close()
        # Playwright's sync API keeps an asyncio loop running, so Django gave the test (and the
        # demo_world fixture) a context-local connection of its own: close it here, or PostgreSQL
        # refuses to drop the test database at the end ("being accessed by other users").
        from django.db import connections

        connections.close_all()


@pytest.fixture
def demo_world():
    return demo.build("small")


def test_each_role_sees_home_and_unit_pages(live_server, pw_browser, demo_world):
    # one demo for all roles (each build costs ~15 s of CI); each role in its own browser context
    for username in ROLES:
        context = pw_browser.new_context(viewport={"width": 1366, "height": 900})
        try:
            _home_and_unit_pages(context.new_page(), live_server, username)
        finally:
            context.close()


def _home_and_unit_pages(page, live_server, username):
    watcher = browser.PageWatcher(page)
    browser.login(page, live_server.url, username, demo.DEMO_PASSWORD)
    assert page.url.rstrip("/") == live_server.url, f"login failed for {username}: {page.url}"
    assert page.locator("#qcTodoTotal").is_visible()
    browser.shot(page, f"home-{username}")
    page.goto(f"{live_server.url}/core/orgunits/")
    assert page.locator("table.qc-table tbody tr").count() > 10
    browser.shot(page, f"units-{username}")
    page.click("table.qc-table tbody tr:first-child td:first-child a")
    page.wait_for_load_state("networkidle")
    assert page.locator("dl").is_visible()
    page.goto(f"{live_server.url}/core/orgunits/?q=住建")
    assert "住房和城乡建设局" in page.content()
    assert watcher.errors == [], (username, watcher.errors)


def test_filter_updates_table_through_htmx_and_phone_layout(live_server, pw_browser, demo_world):
    page = pw_browser.new_page(viewport={"width": 390, "height": 844})  # a field officer's phone
    watcher = browser.PageWatcher(page)
    browser.login(page, live_server.url, "jb_scjg", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/core/orgunits/")
    page.select_option("#id_kind", "district_gov")
    page.wait_for_timeout(800)
    rows = page.locator("#qcTable table tbody tr")
    assert rows.count() == 8
    assert "kind=district_gov" in page.url  # hx-push-url keeps the filter in the address
    browser.shot(page, "units-phone-filtered")
    assert watcher.errors == []


def test_language_switch_and_lockout_message(live_server, pw_browser, demo_world):
    page = pw_browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert "Log in" in page.content() or "Sign in" in page.content()
    page.select_option("select[name=language]", "zh-hans")
    page.wait_for_load_state("networkidle")
    for _ in range(5):
        page.fill("#username", "zjj")
        page.fill("#password", "wrong-password")
        page.click("form button.btn-primary")
    page.fill("#username", "zjj")
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("form button.btn-primary")
    assert "锁定" in page.locator(".alert-danger").inner_text()
    browser.shot(page, "login-locked")
