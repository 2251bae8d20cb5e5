"""A year without the State Council's holiday arrangements: its working-day deadlines are
shown as estimates on the page, and the office is warned from November that next year's
arrangements are missing, until it imports them (core.workdays)."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from qcity.conftest import frozen_start
from qcity.core import workdays
from qcity.core.models import Holiday

WARNING = "年节假日安排尚未录入"


def last_covered_year():
    return max(workdays.covered_years())


def home(client_for, handle):
    return client_for(handle).get("/").content.decode()


def test_office_is_warned_in_november_that_next_year_is_missing(world, client_for):
    year = last_covered_year()
    with time_machine.travel(frozen_start(datetime.date(year, 11, 2)), tick=True):
        page = home(client_for, "office_admin")
        assert f"{year + 1}{WARNING}" in page
        assert "/core/holidays/import/" in page
        # a unit's liaison cannot enter the calendar: no warning for them
        assert WARNING not in home(client_for, "market_staff")


def test_no_warning_before_november_while_the_year_is_covered(world, client_for):
    year = last_covered_year()
    with time_machine.travel(frozen_start(datetime.date(year, 10, 30)), tick=True):
        assert WARNING not in home(client_for, "office_admin")


def test_a_year_running_without_its_calendar_is_warned_all_year(world, client_for):
    year = last_covered_year() + 1
    with time_machine.travel(frozen_start(datetime.date(year, 3, 2)), tick=True):
        assert f"{year}{WARNING}" in home(client_for, "office_admin")


def test_importing_the_notice_ends_the_warning_and_the_estimates(world, client_for):
    year = last_covered_year() + 1
    assert workdays.is_estimated(datetime.date(year, 5, 6))
    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "类型", "名称"])
    sheet.append([f"{year}-01-01", "holiday", "元旦"])
    sheet.append([f"{year}-10-10", "workday", "国庆节"])
    buffer = io.BytesIO()
    book.save(buffer)
    with time_machine.travel(frozen_start(datetime.date(year - 1, 11, 20)), tick=True):
        client = client_for("office_admin")
        assert f"{year}{WARNING}" in client.get("/").content.decode()
        client.post(
            "/core/holidays/import/",
            {"file": SimpleUploadedFile("notice.xlsx", buffer.getvalue()), "mode": "all"},
        )
        assert Holiday.objects.filter(date__year=year).count() == 2
        assert WARNING not in client.get("/").content.decode()
    assert not workdays.is_estimated(datetime.date(year, 5, 6))


@pytest.mark.parametrize("covered", [True, False])
def test_case_deadline_is_marked_estimated_only_in_an_uncovered_year(world, client_for, covered):
    from qcity.inspection.models import DisposalCase

    market = world.unit("市市场监管局")
    case = DisposalCase.objects.filter(unit=market).exclude(stage="closed").order_by("pk").first()
    year = last_covered_year() + (0 if covered else 1)
    DisposalCase.objects.filter(pk=case.pk).update(due=datetime.date(year, 6, 15), estimated=False)
    page = client_for("market_staff").get(case.get_absolute_url()).content.decode()
    assert f"{year}年6月15日" in page
    assert ("估算</span>" in page) is not covered


def test_notice_answer_deadline_is_marked_estimated_in_an_uncovered_year(world, client_for):
    from qcity.tracking.models import Assignment

    item = Assignment.objects.filter(lead_unit=world.unit("市市场监管局"), state="signed").first()
    year = last_covered_year() + 1
    with time_machine.travel(frozen_start(datetime.date(year, 3, 15)), tick=True):
        page = client_for("office_admin").get(f"/tracking/assignments/{item.pk}/supervise/")
        assert page.status_code == 200
        assert "答复期限" in page.content.decode() and "估算</span>" in page.content.decode()
