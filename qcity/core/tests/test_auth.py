"""Authentication (issue 10): one lockout, one login log and one rate limit for the login form
and the API token endpoint; expiring, revocable tokens; the forced password change on the API."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from qcity.core import demo, tokens
from qcity.core.models import ApiToken, LoginLog, User


def _form_login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _token(client, username, password):
    return client.post(
        "/api/token/", {"username": username, "password": password}, content_type="application/json"
    )


def _api(key, path="/api/core/regions/"):
    return Client(HTTP_AUTHORIZATION=f"Token {key}").get(path)


def _text(response):
    return response.content.decode()


def _detail(response) -> str:
    """The Chinese message of an API error (``detail`` as text or as a list)."""
    body = response.json()
    detail = body.get("detail") or body.get("errors", {}).get("detail")
    return detail[0] if isinstance(detail, list) else str(detail)


@pytest.fixture
def staff(world):
    return world.user("construction_staff")


def test_token_endpoint_gives_a_working_token_that_is_stored_hashed(staff):
    response = _token(Client(), staff.username, demo.DEMO_PASSWORD)
    assert response.status_code == 200
    key = response.json()["token"]
    assert _api(key).status_code == 200
    assert not ApiToken.objects.filter(digest=key).exists()
    assert ApiToken.objects.filter(user=staff, digest=tokens.digest(key)).exists()
    assert LoginLog.objects.filter(username=staff.username, success=True, channel="token").exists()


def test_account_locked_by_the_form_gets_no_token(staff):
    client = Client()
    for _ in range(5):
        assert _form_login(client, staff.username, "wrong-Password1").status_code == 401
    response = _token(Client(), staff.username, demo.DEMO_PASSWORD)
    assert response.status_code == 401
    assert "锁定" in _text(response)
    assert not ApiToken.objects.filter(user=staff).exists()
    assert LoginLog.objects.filter(username=staff.username, reason="locked", channel="token")


def test_wrong_passwords_at_the_token_endpoint_lock_the_account_for_the_form_too(staff):
    client = Client()
    for _ in range(5):
        assert _token(client, staff.username, "wrong-Password1").status_code == 401
    assert (
        LoginLog.objects.filter(
            username=staff.username, success=False, channel="token", reason="bad_credentials"
        ).count()
        == 5
    )
    response = _form_login(Client(), staff.username, demo.DEMO_PASSWORD)
    assert response.status_code == 401 and "锁定" in _text(response)
    assert "_auth_user_id" not in Client().session
    assert User.objects.get(pk=staff.pk).locked_until > timezone.now()


def test_thirty_wrong_passwords_at_the_token_endpoint_are_throttled_and_all_logged(staff):
    client = Client()
    statuses = [_token(client, staff.username, f"wrong-Pass{i}").status_code for i in range(30)]
    assert 429 in statuses and 200 not in statuses
    assert LoginLog.objects.filter(username=staff.username, success=False).count() == 30
    last = _token(client, staff.username, demo.DEMO_PASSWORD)
    assert last.status_code == 429
    assert "请求过于频繁" in _detail(last)
    assert last["Retry-After"]


def test_office_reset_unlocks_a_locked_account(staff, client_for):
    for _ in range(5):
        _token(Client(), staff.username, "wrong-Password1")
    assert _token(Client(), staff.username, demo.DEMO_PASSWORD).status_code == 401
    client_for("office_admin").post(f"/core/users/{staff.pk}/reset-password/")
    staff.refresh_from_db()
    assert staff.locked_until is None
    staff.set_password(demo.DEMO_PASSWORD)
    staff.save()
    assert _token(Client(), staff.username, demo.DEMO_PASSWORD).status_code == 200


def test_login_form_is_rate_limited_per_address(world, settings):
    settings.QCITY_LOGIN_RATE_PER_ADDRESS = "3/min"
    client = Client()
    for i, name in enumerate(("a1", "a2", "a3")):  # a forged forwarding header changes nothing
        client.defaults["HTTP_X_FORWARDED_FOR"] = f"10.1.1.{i}"
        client.defaults["HTTP_X_REAL_IP"] = f"10.1.1.{i}"
        assert _form_login(client, name, "wrong-Password1").status_code == 401
    response = _form_login(client, "nyj", demo.DEMO_PASSWORD)
    assert response.status_code == 429
    assert "请求过于频繁" in _text(response)
    assert not LoginLog.objects.filter(username="nyj", success=True).exists()


def test_behind_the_proxy_each_client_address_has_its_own_limit(world, settings):
    settings.QCITY_LOGIN_RATE_PER_ADDRESS = "2/min"
    settings.QCITY_CLIENT_IP_HEADER = "X-Real-IP"
    proxy = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    assert [_form_login(proxy, "a1", "x-Wrong1").status_code for _ in range(3)] == [401, 401, 429]
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.8")
    assert _form_login(other, "a1", "x-Wrong1").status_code == 401
    assert LoginLog.objects.filter(ip="203.0.113.8").count() == 1


def test_login_is_rate_limited_per_account_across_form_and_token(staff, settings):
    settings.QCITY_LOGIN_RATE_PER_ACCOUNT = "2/min"
    assert (
        _form_login(Client(REMOTE_ADDR="10.0.0.1"), staff.username, "x-Wrong1").status_code == 401
    )
    assert _token(Client(REMOTE_ADDR="10.0.0.2"), staff.username, "x-Wrong2").status_code == 401
    response = _form_login(Client(REMOTE_ADDR="10.0.0.3"), staff.username, demo.DEMO_PASSWORD)
    assert response.status_code == 429


def test_public_pages_are_rate_limited_for_anonymous_visitors(world, settings):
    settings.QCITY_ANON_PAGE_RATE = "5/min"
    client = Client()
    assert all(client.get("/public/").status_code == 200 for _ in range(5))
    response = client.get("/public/")
    assert response.status_code == 429
    assert "请求过于频繁" in _text(response)
    assert Client(REMOTE_ADDR="10.9.9.9").get("/public/").status_code == 200


def test_api_user_throttle_answers_429_in_chinese_json(world, settings, client_for):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100/min", "user": "3/min", "token": "10/min"},
    }
    client = client_for("auditor")
    assert [client.get("/api/core/regions/").status_code for _ in range(3)] == [200] * 3
    response = client.get("/api/core/regions/")
    assert response.status_code == 429
    assert "请求过于频繁" in _detail(response)


def test_token_expires_after_its_lifetime_even_when_used(staff, settings):
    settings.QCITY_TOKEN_LIFETIME_SECONDS = 3 * 3600
    settings.QCITY_TOKEN_IDLE_SECONDS = 2 * 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _token_row, key = tokens.issue(staff)
        for _ in range(2):
            clock.shift(datetime.timedelta(hours=1, minutes=20))
            assert _api(key).status_code == 200
        clock.shift(datetime.timedelta(hours=1))
        response = _api(key)
    assert response.status_code == 401
    assert "过期" in _detail(response)


def test_idle_token_is_refused(staff, settings):
    settings.QCITY_TOKEN_IDLE_SECONDS = 1800
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _token_row, key = tokens.issue(staff)
        assert _api(key).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = _api(key)
    assert response.status_code == 401
    assert "闲置" in _detail(response)


def _change_own_password(world, user, client_for):
    client = Client()
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": demo.DEMO_PASSWORD,
            "new_password1": "Better#Pass2027",
            "new_password2": "Better#Pass2027",
        },
    )
    assert response.status_code == 302


def _office_reset(world, user, client_for):
    response = client_for("office_admin").post(f"/core/users/{user.pk}/reset-password/")
    assert response.status_code == 302


def _role_change(world, user, client_for):
    response = client_for("office_admin").post(
        "/api/core/roleassignments/",
        {"user": user.pk, "role": "auditor"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def _deactivation(world, user, client_for):
    response = client_for("office_admin").patch(
        f"/api/core/users/{user.pk}/", {"is_active": False}, content_type="application/json"
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "event", [_change_own_password, _office_reset, _role_change, _deactivation]
)
def test_token_is_revoked_by(event, world, staff, client_for):
    key = _token(Client(), staff.username, demo.DEMO_PASSWORD).json()["token"]
    other_key = tokens.issue(world.user("agriculture_staff"))[1]
    assert _api(key).status_code == 200
    event(world, staff, client_for)
    response = _api(key)
    assert response.status_code == 401
    assert "撤销" in _detail(response) or "停用" in _text(response)
    assert _api(other_key).status_code == 200


def test_token_page_lists_own_tokens_and_revokes_by_post(staff, client_for):
    token, key = tokens.issue(staff)
    other, _other_key = tokens.issue(User.objects.get(username="nyj"))
    client = client_for("construction_staff")
    page = _text(client.get("/accounts/tokens/"))
    assert token.prefix in page and other.prefix not in page
    assert "撤销" in page and "到期时间" in page and "最近使用" in page
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    assert client.post(f"/accounts/tokens/{other.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert _api(key).status_code == 401
    assert "本人撤销" in _text(client.get("/accounts/tokens/"))


def test_token_page_issues_a_new_token_shown_once(staff, client_for):
    client = client_for("construction_staff")
    page = _text(client.post("/accounts/tokens/", follow=True))
    key = page.split("新令牌：")[1].split("（")[0]
    assert _api(key).status_code == 200
    assert key not in _text(client.get("/accounts/tokens/"))


def test_temporary_password_cannot_skip_the_change_on_the_api(staff, client_for):
    temporary = client_for("office_admin").post(
        f"/core/users/{staff.pk}/reset-password/", follow=True
    )
    password = _text(temporary).split("临时密码：")[1].split("（")[0]
    response = _token(Client(), staff.username, password)
    assert response.status_code == 200
    key = response.json()["token"]
    refused = _api(key)
    assert refused.status_code == 403
    message = _detail(refused)
    assert "修改密码" in message and "/accounts/password/" in message
    session = Client()
    session.force_login(User.objects.get(pk=staff.pk))
    assert session.get("/api/core/regions/").status_code == 403
    changed = Client(HTTP_AUTHORIZATION=f"Token {key}").post(
        "/api/password/",
        {"old_password": password, "new_password": "Better#Pass2027"},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert _api(key).status_code == 401  # the token ended with the change
    fresh = _token(Client(), staff.username, "Better#Pass2027").json()["token"]
    assert _api(fresh).status_code == 200


def test_logout_needs_a_post(staff, client_for):
    client = client_for("construction_staff")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302
