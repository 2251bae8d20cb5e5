import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from qcity.core import demo, personal
from qcity.core.models import LoginLog, User


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_lockout_after_repeated_failures(world):
    client = Client()
    for _ in range(5):
        assert _login(client, "zjj", "wrong-password").status_code == 401
    response = _login(client, "zjj", demo.DEMO_PASSWORD)
    assert response.status_code == 401
    assert "锁定" in response.content.decode()
    assert LoginLog.objects.filter(username="zjj", success=False, reason="locked").exists()
    assert not LoginLog.objects.filter(username="zjj", success=True).exists()


def test_successful_login_is_logged_and_resets_failures(world):
    client = Client()
    _login(client, "nyj", "wrong")
    response = _login(client, "nyj", demo.DEMO_PASSWORD)
    assert response.status_code == 302
    assert User.objects.get(username="nyj").failed_logins == 0
    assert LoginLog.objects.filter(username="nyj", success=True).count() == 1


def test_forced_password_change_at_first_login(world):
    user = User.objects.create_user("newbie", password="Start#Pass2026")
    assert user.must_change_password
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].endswith("/accounts/password/")
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Start#Pass2026",
            "new_password1": "Better#Pass2027",
            "new_password2": "Better#Pass2027",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("password", ["short1A!", "alllowercaseletters", "12345678901234"])
def test_weak_passwords_refused(password):
    from django.contrib.auth.password_validation import validate_password

    with pytest.raises(ValidationError):
        validate_password(password)


def test_masking_of_personal_data():
    assert personal.mask_phone("13912345678") == "139****5678"
    assert personal.mask_id_number("350102199001011234") == "3501**********1234"
    assert personal.mask_address("示例市江北区滨江路88号3栋") == "示例市****"
    assert personal.mask_name("张三丰") == "张**"


def test_phone_is_masked_in_list_export_and_api(world, client_for):
    from qcity.core.models import OrgUnit

    OrgUnit.objects.filter(pk=world.unit("市统计局").pk).update(contact_phone="13812345678")
    client = client_for("office_admin")
    assert "13812345678" not in client.get("/core/orgunits/?q=统计").content.decode()
    assert "138****5678" in client.get("/core/orgunits/?q=统计").content.decode()
    assert "13812345678" not in client.get("/core/orgunits/?export=csv").content.decode("utf-8-sig")
    assert (
        "13812345678"
        not in client.get(f"/api/core/orgunits/{world.unit('市统计局').pk}/").content.decode()
    )


def test_csrf_missing_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("office_admin"))
    response = client.post("/core/regions/new/", {"code": "990199", "name": "X", "level": "county"})
    assert response.status_code == 403
    from qcity.core.models import Region

    assert not Region.objects.filter(code="990199").exists()


def test_session_times_out_after_idle_period(world, settings):
    """等保: a session idle for longer than the timeout (at most 30 minutes) ends and the next
    request goes to the login page; activity within the timeout keeps it alive, well past the
    login's own expiry."""
    import datetime

    import time_machine
    from django.utils import timezone

    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert idle <= datetime.timedelta(minutes=30)
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert _login(client, "nyj", demo.DEMO_PASSWORD).status_code == 302
        assert client.get("/").status_code == 200
        for _ in range(3):  # 3 × (timeout − 1 min) after login: only renewal keeps it alive
            clock.shift(idle - datetime.timedelta(minutes=1))
            assert client.get("/").status_code == 200
        clock.shift(idle + datetime.timedelta(seconds=1))
        response = client.get("/inbox/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert client.get("/").status_code == 302  # still logged out: the session is gone


def test_demo_refuses_a_database_with_real_data(world):
    from qcity.core.models import SiteFlag

    SiteFlag.objects.filter(key="demo").delete()
    with pytest.raises(demo.NotADemoDatabase):
        demo.build("small")


@override_settings(QCITY_MAX_UPLOAD_MB=1)
def test_oversized_upload_refused_before_reading(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qcity.core.models import ImportRun

    big = SimpleUploadedFile("units.csv", b"a" * (1024 * 1024 + 10), content_type="text/csv")
    response = client_for("office_admin").post(
        "/core/orgunits/import/", {"file": big, "mode": "all"}
    )
    assert response.status_code == 400
    assert "超过上限 1 MB" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_expired_password_must_be_changed(world, client_for):
    import datetime

    from django.utils import timezone

    user = world.user("construction_staff")
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=200)
    )
    response = client_for("construction_staff").get("/")
    assert response.status_code == 302 and response["Location"].endswith("/accounts/password/")


def test_api_docs_load_no_assets_from_the_internet(world, client_for):
    import re

    page = client_for("auditor").get("/api/docs/").content.decode()
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', page) == []
    assert "swagger-ui" in page
