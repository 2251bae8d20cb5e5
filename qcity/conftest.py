"""Shared fixtures: the small demo world is built once per test database (PATTERNS.md 12);
tests name users by role ("the 区市场监管局 staff user"), never by id."""

import os

import pytest
from django.test import Client


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


def corpus_dir():
    from pathlib import Path

    path = Path(
        os.environ.get("QCITY_CORPUS_DIR")
        or Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    if not path.exists():
        pytest.fail(f"the shared corpus is missing at {path} (tests read it from ../shared)")
    return path
