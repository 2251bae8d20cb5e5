"""Shared fixtures: the small demo world is built once per test database (PATTERNS.md 12);
tests name users by role ("the 区市场监管局 staff user"), never by id."""

import datetime
import os
import zoneinfo

import pytest
from django.test import Client

# QCITY_TEST_TODAY=YYYY-MM-DD runs the whole session as if that were the day (the clock keeps
# ticking from 09:00 Beijing time), so a date-dependent defect can be reproduced on any day.
FROZEN_TODAY = os.environ.get("QCITY_TEST_TODAY", "").strip()
_travel = None


def frozen_start(day: datetime.date) -> datetime.datetime:
    """09:00 Beijing time on ``day``: inside office hours, well away from midnight in UTC."""
    return datetime.datetime.combine(day, datetime.time(9), zoneinfo.ZoneInfo("Asia/Shanghai"))


def pytest_configure(config):
    global _travel
    if FROZEN_TODAY and _travel is None:
        import time_machine

        _travel = time_machine.travel(
            frozen_start(datetime.date.fromisoformat(FROZEN_TODAY)), tick=True
        )
        _travel.start()


def pytest_report_header(config):
    if FROZEN_TODAY:
        return f"today frozen at {FROZEN_TODAY} (QCITY_TEST_TODAY)"
    return None


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from qcity.core import demo

    with django_db_blocker.unblock():
        demo.build("small")


@pytest.fixture
def world(db):
    from qcity.core import demo

    return demo.load_world()


@pytest.fixture
def client_for(world):
    """client_for("district_staff") → a Client logged in as that demo user; None → anonymous."""

    def make(handle):
        client = Client(HTTP_HOST="127.0.0.1")
        if handle is not None:
            client.force_login(world.user(handle))
        return client

    return make


@pytest.fixture(autouse=True)
def _jobs_inline(settings):
    settings.QCITY_JOBS_INLINE = "immediate"


# --- the seed corpus (qcity/core/testing_corpus.py): tests marked ``corpus`` need it. Outside
# CI they are deselected when it is missing and one summary line gives the count; with CI=true
# they run and fail. Under xdist the workers deselect and report their count to the controller.
_CORPUS_NOT_RUN = pytest.StashKey[int]()


def pytest_collection_modifyitems(config, items):
    from qcity.core.testing_corpus import corpus_present, in_ci

    if corpus_present() or in_ci():
        return
    needs = [item for item in items if item.get_closest_marker("corpus")]
    if not needs:
        return
    items[:] = [item for item in items if not item.get_closest_marker("corpus")]
    config.hook.pytest_deselected(items=needs)
    config.stash[_CORPUS_NOT_RUN] = len(needs)
    if hasattr(config, "workeroutput"):  # an xdist worker: the controller prints the line
        config.workeroutput["qcity_corpus_not_run"] = len(needs)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    count = getattr(node, "workeroutput", {}).get("qcity_corpus_not_run", 0)
    stash = node.config.stash  # every worker collects the same tests: keep the largest count
    stash[_CORPUS_NOT_RUN] = max(stash.get(_CORPUS_NOT_RUN, 0), count)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    count = config.stash.get(_CORPUS_NOT_RUN, 0)
    if count and not hasattr(config, "workeroutput"):
        from qcity.core.testing_corpus import missing_message

        terminalreporter.write_line(
            f"{missing_message()}: {count} corpus tests not run", yellow=True, bold=True
        )


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters (qcity.core.security, DRF throttles) live in the cache: every test
    starts with none, so one test's requests never throttle another's."""
    from django.core.cache import cache

    cache.clear()
