"""Errors and hardening as a client, a user and an attacker see them (issue 10, Errors and
Hardening): Chinese JSON with a stable code on every API error, 409 for a referenced record,
logged 500s with the request id, a validated request id, Chinese error pages, security headers,
the CSP without inline script, and the API schema/docs behind a login in production."""

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese_error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert CJK.search(body["detail"]), body
    return body


# ---------------------------------------------------------------- API errors
def test_api_delete_of_a_referenced_region_is_409_naming_what_references_it(world, client_for):
    from qcity.core.models import ChangeLog, OrgUnit, Region

    client = client_for("office_admin")
    logs_before = ChangeLog.objects.filter(action="delete").count()
    response = client.delete(f"/api/core/regions/{world.city.pk}/")
    body = _chinese_error(response, 409, "referenced")
    units = {r["model"]: r for r in body["references"]}
    assert units["core.orgunit"]["count"] == OrgUnit.objects.filter(region=world.city).count()
    assert units["core.orgunit"]["name"] == "单位"
    assert Region.objects.filter(pk=world.city.pk).exists()
    assert ChangeLog.objects.filter(action="delete").count() == logs_before  # nothing half-done


def test_api_errors_are_chinese_json_with_a_stable_code(world, client_for):
    anonymous = Client(HTTP_HOST="127.0.0.1")
    response = anonymous.get("/api/core/regions/")
    _chinese_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")

    office = client_for("office_admin")
    _chinese_error(office.get("/api/core/regions/999999999/"), 404, "not_found")
    _chinese_error(office.get("/api/no-such-endpoint/"), 404, "not_found")
    _chinese_error(office.delete("/api/core/regions/"), 405, "method_not_allowed")
    _chinese_error(
        office.post("/api/core/regions/", "{not json", content_type="application/json"),
        400,
        "parse_error",
    )
    invalid = _chinese_error(
        office.post(
            "/api/core/regions/",
            json.dumps({"code": "990188", "name": "环", "level": "nope"}),
            content_type="application/json",
        ),
        400,
        "validation_error",
    )
    assert "level" in invalid["errors"]  # the field errors are kept

    reader = client_for("auditor")
    denied = _chinese_error(
        reader.post(
            "/api/core/regions/",
            json.dumps({"code": "990177", "name": "x", "level": "county"}),
            content_type="application/json",
        ),
        403,
        "permission_denied",
    )
    assert denied["request_id"]


def test_api_throttled_answer_is_429_in_chinese_with_the_wait(rf):
    from rest_framework import exceptions

    from qcity.core.errors import exception_handler

    response = exception_handler(exceptions.Throttled(wait=42), {"request": rf.get("/api/x/")})
    assert response.status_code == 429 and response["Retry-After"] == "42"
    body = json.loads(response.content)
    assert body["code"] == "throttled" and "42" in body["detail"]


def test_api_unhandled_exception_is_a_logged_chinese_json_500(world, client_for, monkeypatch):
    from rest_framework.pagination import PageNumberPagination

    def broken(*args, **kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(PageNumberPagination, "paginate_queryset", broken)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger("qcity").addHandler(handler)
    try:
        client = client_for("office_admin")
        client.raise_request_exception = False
        response = client.get("/api/core/regions/", HTTP_X_REQUEST_ID="trace-500-abc")
    finally:
        logging.getLogger("qcity").removeHandler(handler)
    body = _chinese_error(response, 500, "server_error")
    assert "database fell over" not in response.content.decode()  # no internals to the client
    assert body["request_id"] == response["X-Request-ID"] == "trace-500-abc"
    logged = stream.getvalue()
    assert "trace-500-abc" in logged and "/api/core/regions/" in logged
    assert "database fell over" in logged  # the traceback is in the server log


# ---------------------------------------------------------------- request id
@pytest.mark.parametrize(
    "supplied, kept",
    [
        ("batch-2026-0001", True),
        ("a" * 36, True),
        ("a" * 37, False),  # longer than the change log's column: every write failed on PG
        ("x" * 200, False),
        ("<script>alert(1)</script>", False),
        ("abc def", False),
    ],
)
def test_client_request_id_is_accepted_only_when_well_formed(world, client_for, supplied, kept):
    from qcity.core import audit
    from qcity.core.models import OrgUnit

    client = client_for("office_admin")
    response = client.post(
        "/api/core/orgunits/",
        json.dumps({"name": "示例市请求编号单位", "kind": "department", "region": world.city.pk}),
        content_type="application/json",
        HTTP_X_REQUEST_ID=supplied,
    )
    assert response.status_code == 201, response.content
    (log,) = audit.history(OrgUnit.objects.get(name="示例市请求编号单位"))
    used = response["X-Request-ID"]
    assert log.request_id == used
    if kept:
        assert used == supplied
    else:
        assert used != supplied and re.fullmatch(r"[0-9a-f]{32}", used)


# ---------------------------------------------------------------- pages
def test_pages_show_chinese_403_and_404(world, client_for):
    from qcity.core.models import Rule

    client = client_for("market_staff")
    missing = client.get("/core/orgunits/999999999/")
    assert missing.status_code == 404
    page = missing.content.decode()
    assert "页面或记录不存在" in page and "qcNav" in page  # inside the site's frame
    rule = Rule.objects.first()
    denied = client.get(f"/core/rules/{rule.pk}/edit/")
    assert denied.status_code == 403
    assert "无权访问" in denied.content.decode()
    assert "只有质量办管理员可以修改规则" in denied.content.decode()


def test_page_500_is_chinese_needs_no_database_and_is_logged_with_request_id(
    world, client_for, monkeypatch
):
    """The production logging configuration itself writes the 500 (not only in DEBUG)."""
    from qcity.core import search

    def broken(*args, **kwargs):
        raise RuntimeError("search index corrupt")

    monkeypatch.setattr(search, "search", broken)
    from qcity.core.logfilter import RequestIdLogFilter

    (console,) = [  # the handler the LOGGING setting gives django.request
        h
        for h in logging.getLogger("django.request").handlers
        if any(isinstance(f, RequestIdLogFilter) for f in h.filters)
    ]
    stream = io.StringIO()
    old = console.setStream(stream)
    try:
        client = client_for("market_staff")
        client.raise_request_exception = False
        response = client.get("/search/?q=x", HTTP_X_REQUEST_ID="page-500-trace")
    finally:
        console.setStream(old)
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器内部错误" in page and "page-500-trace" in page
    assert "search index corrupt" not in page
    logged = stream.getvalue()
    assert "page-500-trace" in logged and "/search/" in logged and "search index corrupt" in logged


def test_500_page_renders_without_a_database(rf):
    """No database fixture: any query here would raise."""
    from qcity.core.errors import server_error

    request = rf.get("/core/orgunits/")
    request.request_id = "no-db-500"
    response = server_error(request)
    assert response.status_code == 500 and "no-db-500" in response.content.decode()


# ---------------------------------------------------------------- hardening
def test_security_headers_on_pages(world, client_for):
    response = client_for("market_staff").get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in csp.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no inline script, no eval
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_production_settings_turn_on_hsts_behind_tls(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("QCITY_", "DEBUG", "DATABASE_URL", "DJANGO_"))
    }
    env.update({"SECRET_KEY": "k" * 60, "QCITY_VAR_DIR": str(tmp_path), "DEBUG": "0"})
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='qcity.settings'; django.setup();"
        "from django.test import Client; from django.test.utils import setup_test_environment;"
        "setup_test_environment();"
        "r = Client(HTTP_HOST='127.0.0.1').get('/accounts/login/', secure=True);"
        "print(r.status_code, r.headers.get('Strict-Transport-Security'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert "max-age=31536000" in result.stdout, result.stdout + result.stderr[-2000:]


def test_templates_contain_no_inline_script_style_element_or_event_handler():
    """The CSP forbids them; a template that brings one back breaks its page silently."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style = re.compile(r"<style\b[^>]*>", re.I)
    offenders = []
    for path in (ROOT / "qcity").rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (inline, handler, style):
            for match in pattern.finditer(text):
                if "application/json" in match.group(0):  # json_script data blocks
                    continue
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []


def test_api_schema_and_docs_need_a_login_in_production(world, client_for):
    anonymous = Client(HTTP_HOST="127.0.0.1")
    _chinese_error(anonymous.get("/api/schema/"), 401, "not_authenticated")
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]
    client = client_for("auditor")
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.content.decode())
    assert "script-src 'self'" in page["Content-Security-Policy"]
