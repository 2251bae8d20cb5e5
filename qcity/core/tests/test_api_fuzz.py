"""schemathesis against the committed OpenAPI schema (issue 10, "Fuzzing in CI").

Every operation of docs/api/openapi.yaml is called in process (the Django WSGI application on
the test database holding the small demo), once with the token of the office administrator
(质量办) and once with the token of a unit user (江北区市场监管局 staff), with a fixed number of
generated requests per operation (valid and invalid ones) and a fixed seed, so a run is
repeatable and bounded. A request fails the test when the answer is a 5xx, has a status the
schema does not declare for the operation, or has a body or content type that does not match
the schema; the error answers are declared by qcity/core/api_schema.py.

Path ids are drawn from the low ids the demo records actually hold as well as from anything
the schema allows, so that updates and deletes reach real records and not only 404s.

Runs as its own stage of scripts/test.sh (marker ``fuzz``); by hand:
    QCITY_DEV=1 QCITY_FAST_HASHER=1 .venv/bin/python -m pytest -n 2 -m fuzz \\
        qcity/core/tests/test_api_fuzz.py
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.yaml"
EXAMPLES_PER_OPERATION = 15
SEED = 20261203
# the demo's records hold low ids: ids drawn from here reach real (and others' out-of-scope) rows
DEMO_IDS = st.integers(min_value=1, max_value=40)
# the roles the run speaks as: the office and a unit (demo handles, qcity/core/demo.py)
ROLES = ["office_admin", "district_staff"]
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": EXAMPLES_PER_OPERATION,
            "deterministic": True,
            "no-shrink": True,
            "database": "none",
            "mode": "all",
        },
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    }
)
schema = schemathesis.openapi.from_path(SCHEMA_FILE, config=CONFIG)

pytestmark = pytest.mark.fuzz


@schema.hook("flatmap_path_parameters")
def _real_ids_too(context, path_parameters):
    """A valid path id is, half of the time, a low id that demo records hold."""
    if not path_parameters or not isinstance(path_parameters.get("id"), int):
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters), DEMO_IDS.map(lambda pk: {**path_parameters, "id": pk})
    )


def api_token(user) -> str:
    """The Authorization header of ``user``, from whatever token model the API uses now (the
    one place to adapt when the token scheme changes)."""
    try:
        from qcity.core.tokens import issue
    except ImportError:  # DRF's own tokens, before qcity.core.tokens
        from rest_framework.authtoken.models import Token

        return f"Token {Token.objects.get_or_create(user=user)[0].key}"
    return f"Token {issue(user)[1]}"


class _InTestTransaction:
    """The Django WSGI application inside the test's transaction: like the test client, it does
    not let the end of a request close the database connection (and with it the test's
    transaction). Exceptions that became a 500 are kept, so a failure shows the traceback."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.exceptions = []

    def _keep(self, sender, request=None, **kwargs):
        import sys
        import traceback

        self.exceptions.append("".join(traceback.format_exception(*sys.exc_info())))

    def __call__(self, environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        signals.got_request_exception.connect(self._keep)
        try:
            response = self.handler(environ, start_response)
            body = b"".join(response)
            response.close()
            return [body]
        finally:
            signals.got_request_exception.disconnect(self._keep)
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@pytest.fixture
def wsgi_app(db):
    return _InTestTransaction()


@pytest.fixture(scope="module")
def role_tokens(django_db_setup, django_db_blocker):
    """One token per role for the whole module, committed to the test database (each test's
    transaction is rolled back over it, so a revocation or a use inside one test does not reach
    the next) and deleted afterwards: issuing one for each of the ~370 tests cost a demo-world
    lookup and a token row per test."""
    from qcity.core import demo
    from qcity.core.models import User

    with django_db_blocker.unblock():
        world = demo.load_world()
        users = [world.user(role) for role in ROLES]
        before = {user.pk: _token_ids(user) for user in users}
        tokens = {role: api_token(user) for role, user in zip(ROLES, users, strict=True)}
    yield tokens
    with django_db_blocker.unblock():
        for user in User.objects.filter(pk__in=before):
            _token_model().objects.filter(user=user).exclude(pk__in=before[user.pk]).delete()


def _token_model():
    try:
        from qcity.core.models import ApiToken
    except ImportError:  # DRF's own tokens, before qcity.core.tokens
        from rest_framework.authtoken.models import Token

        return Token
    return ApiToken


def _token_ids(user) -> set:
    return set(_token_model().objects.filter(user=user).values_list("pk", flat=True))


@pytest.fixture(params=ROLES)
def authorization(request, db, role_tokens):
    return role_tokens[request.param]


@schema.parametrize()
# the database and the tokens are the test's (one transaction for all the requests of an
# operation, rolled back after it); the demo's slowest pages take longer than hypothesis' default
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
def test_api_operation_answers_as_documented_and_never_5xx(case, authorization, wsgi_app):
    try:
        case.call_and_validate(app=wsgi_app, headers={"Authorization": authorization})
    except Exception as exc:
        if wsgi_app.exceptions:
            exc.add_note("server traceback:\n" + wsgi_app.exceptions[-1])
        raise
    finally:
        wsgi_app.exceptions.clear()
