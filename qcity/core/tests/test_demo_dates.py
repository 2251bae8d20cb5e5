"""The full demo builds on any day and tells the truth about that day (issue: two commands on
any date). Each date builds the full demo in a fresh SQLite database in a child process whose
clock is moved with time-machine (demo_at.py), then checks what a person would see:

- the build succeeds and nothing in it happens after that day;
- the city plan is current (its years contain the day);
- reported figures run to the last complete month, samples to that month's end;
- open disposal cases and tracking items exist, and what is overdue really is;
- the assessment covers the year the day belongs to (or, in January and February, the year
  just ended) and was published no later than the day.

The dates: month starts and ends, 12-31 and 01-01, Spring Festival, 国庆 and its Saturday
调休 working day, 29 February of a leap year, and dates years ahead (beyond the holiday
library's last year, where deadlines are estimates).
"""

import datetime
import json
import shutil
import subprocess
import sys

import pytest

DATES = [
    "2026-02-17",  # 春节 (Spring Festival day)
    "2026-10-10",  # Saturday 调休 working day after 国庆 (inside the 国庆 week's aftermath)
    "2026-11-30",  # month end
    "2026-12-31",  # year end
    "2027-01-02",  # first days after the year turns, in a year without holiday data
    "2027-02-01",  # month start, the assessed year still the last one
    "2028-02-29",  # leap day
    "2029-12-03",  # three years after this was written
]
# The loop, tracking and assessment suites rerun with today frozen (scripts/test.sh) on one of
# these dates: a day years ahead, past the plan's years and without holiday data. The demo
# itself is built on every date (Spring Festival, 调休, month and year ends, 02-29 ...); a
# rerun or a build costs a minute or a quarter of one of the 30-minute CI budget. Tests that
# play a scenario on a fixed day (the year end, January, a running period) freeze it themselves.
SUITE_DATES = ["2029-12-03"]
assert set(SUITE_DATES) <= set(DATES)

pytestmark = pytest.mark.demo_dates


def run(*args, cwd=None):
    done = subprocess.run(
        [sys.executable, "-m", "qcity.core.tests.demo_at", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="session")
def migrated(tmp_path_factory):
    """A migrated, empty SQLite database to copy for every date."""
    folder = tmp_path_factory.mktemp("template")
    run("--migrate-only", "2026-01-05", str(folder))
    return folder / "qcity.sqlite3"


def last_month_end(day):
    return day.replace(day=1) - datetime.timedelta(days=1)


def as_date(text):
    return datetime.date.fromisoformat(text[:10]) if text else None


@pytest.mark.parametrize("when", DATES)
def test_full_demo_builds_and_is_true_on(when, migrated, tmp_path):
    today = datetime.date.fromisoformat(when)
    shutil.copy(migrated, tmp_path / "qcity.sqlite3")
    lines = run(when, str(tmp_path), "--size", "full").strip().splitlines()
    facts = json.loads(lines[-1])

    assert facts["failure"] == "", facts["failure"]
    assert facts["demo_flag"] and facts["samples"] == 4000
    # nothing happens after the build day
    assert facts["events_after_today"] == 0
    for key in ("last_sample_day", "last_case_step", "last_assignment_close", "last_assigned_on"):
        assert as_date(facts[key]) <= today, (key, facts[key])
    assert as_date(facts["last_report_submitted"]) <= today
    # the plan is current and its figures run to the last complete month
    first, last = facts["plan_years"]
    assert first <= today.year <= last, facts["plan"]
    assert f"（{first}—{last}年）" in facts["plan"]
    assert as_date(facts["last_food_month_end"]) == last_month_end(today)
    assert as_date(facts["last_sample_day"]) <= last_month_end(today)
    # open work exists, and what the demo leaves overdue is really overdue on that day
    assert facts["open_cases"] > 0 and facts["closed_cases"] > 0
    assert 0 < facts["overdue_cases"] <= facts["open_cases"]
    assert 0 < facts["overdue_items"] <= facts["open_items"]
    assert facts["draw_tasks"] >= 1
    # the assessment: this year's, or the year just ended in January and February
    year = today.year - 1 if today.month <= 2 else today.year
    assert facts["assessments"] == [[year, "published"]]
    assert as_date(facts["last_published"]) <= today
    # 公示 is on the timeline on its day, and its appeal window closes after it (B9)
    assert facts["appeal_windows"]
    for shown, until in facts["appeal_windows"]:
        assert as_date(shown) < as_date(until) < as_date(facts["last_published"]), (shown, until)
    # each district's 考核 scored the food pass rate its dashboard shows for that year
    assert facts["food_scores"]["compared"] >= 5, facts["food_scores"]
    assert facts["food_scores"]["mismatches"] == []


FAILING_BUILD = """
import os, sys
os.environ.update(QCITY_VAR_DIR=sys.argv[1], QCITY_DEV="1", DJANGO_SETTINGS_MODULE="qcity.settings")
os.environ.pop("DATABASE_URL", None)
import django
django.setup()
from django.core.management import call_command
from django.core.management.base import CommandError
import qcity.inspection.demo as inspection_demo

def broken(world, size):
    raise RuntimeError("磁盘已满")

inspection_demo.build = broken  # a late app's part fails after the others have written
try:
    call_command("demo", size="small")
except CommandError as exc:
    print("MESSAGE:" + str(exc))
from qcity.core.models import OrgUnit, SiteFlag, User
from qcity.plans.models import Plan
print("LEFT:", OrgUnit.objects.count(), User.objects.count(), Plan.objects.count(),
      SiteFlag.objects.count())
"""


def test_a_failing_demo_says_so_in_chinese_and_leaves_nothing_behind(migrated, tmp_path):
    shutil.copy(migrated, tmp_path / "qcity.sqlite3")
    done = subprocess.run(
        [sys.executable, "-c", FAILING_BUILD, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    message = out.split("MESSAGE:", 1)[1].split("LEFT:")[0]
    assert "演示数据生成失败，已全部回滚，数据库未被改动" in message and "磁盘已满" in message
    assert "make run" in message and "demo-error.log" in message
    assert out.strip().endswith("LEFT: 0 0 0 0")  # no units, users, plans or demo flag
    assert "RuntimeError" in (tmp_path / "demo-error.log").read_text(encoding="utf-8")
