"""On a 390 px phone the plan overview and the public draw page are readable: the target and
company names are not squeezed into a column two characters wide, and the public draw page
speaks Chinese instead of raw JSON and English keys. At 1200–1366 px the office's navbar and
the plan overview fit without a sideways scroll."""

import os

import pytest

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop

from qcity.core import browser, demo  # noqa: E402
from qcity.core.tests import test_browser  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


# the same fixtures as the other browser tests
pw_browser = test_browser.pw_browser
demo_world = test_browser.demo_world


def _min_width_in_chars(page, selector):
    """The narrowest matching cell, in characters of its own font size."""
    cells = page.locator(selector)
    assert cells.count() > 0, selector
    return min(
        cells.nth(i).evaluate(
            "el => el.getBoundingClientRect().width / parseFloat(getComputedStyle(el).fontSize)"
        )
        for i in range(cells.count())
    )


def test_phone_reads_plan_targets_and_drawn_companies_and_draw_page_has_no_raw_json(
    live_server, pw_browser, demo_world
):
    # one demo for both pages (each build costs ~15 s of CI)
    from django.db.models import Count

    from qcity.inspection.choices import TaskStatus
    from qcity.inspection.models import RandomInspectionTask
    from qcity.plans.models import Plan

    plan = (
        Plan.objects.filter(is_void=False, targets__link__isnull=False)
        .annotate(n=Count("targets"))
        .order_by("-n")
        .first()
    )
    task = RandomInspectionTask.objects.filter(status=TaskStatus.DRAWN).first()
    assert plan is not None and task is not None

    context = pw_browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        watcher = browser.PageWatcher(page)

        # the public draw page, anonymous
        page.goto(f"{live_server.url}/public/draws/{task.pk}/")
        browser.shot(page, "public-draw-phone")
        assert _min_width_in_chars(page, "td.qc-draw-company") >= 6
        text = page.locator("main").inner_text()
        assert "{" not in text and "}" not in text, text
        for key in ("secret_sha256", "enterprises_sha256", "joint_departments", "null"):
            assert key not in text
        assert "企业名单 SHA-256" in text and task.commitment["enterprises_sha256"] in text
        assert "每户检查人数" in text and "联合部门" in text
        assert "统一社会信用代码（无则为系统编号）" in page.content()
        system_ids = [d for d in task.snapshot["enterprise_pks"] if d.startswith("QC")]
        drawn = set(task.entries.values_list("draw_id", flat=True))
        if drawn & set(system_ids):
            assert "系统编号（无统一社会信用代码）" in text
        assert page.get_by_role("link", name="下载抽取记录", exact=False).is_visible()

        # the plan overview, signed in
        browser.login(page, live_server.url, "admin", demo.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/indicators/plans/{plan.pk}/")
        browser.shot(page, "plan-overview-phone")
        assert _min_width_in_chars(page, "td.qc-target-cell") >= 6
        # the explanation sits under the target instead of beside it
        first = page.locator("table tbody tr").first
        target_box = first.locator("td.qc-target-cell").bounding_box()
        expl_box = first.locator("td.qc-expl").bounding_box()
        assert expl_box["y"] >= target_box["y"] + target_box["height"] - 1
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        assert watcher.errors == []
    finally:
        context.close()
    # the office's usual screens: the navbar and the overview fit without a sideways scroll
    for width in (1200, 1280, 1366):
        context = pw_browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            browser.login(page, live_server.url, "admin", demo.DEMO_PASSWORD)
            page.goto(f"{live_server.url}/indicators/plans/{plan.pk}/")
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, (width, wide)
            assert page.locator("#qcUserMenu").is_visible()
        finally:
            context.close()
