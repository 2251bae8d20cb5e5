"""Audit pages (issue 10): the office and the auditor review logins, exports and every change
across all models, deleted records included; nobody else can open them."""

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

PAGES = ["/core/audit/changes/", "/core/audit/logins/", "/core/audit/exports/"]


@pytest.mark.parametrize("url", PAGES)
def test_only_office_and_auditor_open_the_audit_pages(world, client_for, url):
    for handle in ("office_admin", "auditor"):
        assert client_for(handle).get(url).status_code == 200, handle
    for handle in ("market_staff", "district_staff", "construction_staff"):
        denied = client_for(handle).get(url)
        assert denied.status_code == 403, handle
        assert "审计日志" in denied.content.decode()
    anonymous = Client(HTTP_HOST="127.0.0.1").get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_menu_offers_the_audit_pages_to_office_and_auditor_only(world, client_for):
    assert "/core/audit/changes/" in client_for("auditor").get("/").content.decode()
    assert "/core/audit/changes/" in client_for("office_admin").get("/").content.decode()
    assert "/core/audit/changes/" not in client_for("market_staff").get("/").content.decode()


def test_change_log_shows_the_row_of_a_deleted_record(world, client_for):
    from qcity.core.models import Region

    office = client_for("office_admin")
    created = office.post(
        "/api/core/regions/",
        json.dumps({"code": "990166", "name": "审计测试删除区", "level": "county"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert office.delete(f"/api/core/regions/{pk}/").status_code == 204
    assert not Region.objects.filter(pk=pk).exists()

    region_type = ContentType.objects.get_for_model(Region).pk
    page = client_for("auditor").get(
        "/core/audit/changes/",
        {"content_type": region_type, "object_id": str(pk), "action": "delete"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "审计测试删除区" in html and "删除" in html
    assert world.user("office_admin").display_name in html
    # the filter narrows: the creation row is not among the deletions
    assert html.count("审计测试删除区") == 1
    both = client_for("auditor").get(
        "/core/audit/changes/", {"content_type": region_type, "object_id": str(pk)}
    )
    assert both.content.decode().count("审计测试删除区") == 2


def test_change_log_filters_by_user_and_date(world, client_for):
    office = client_for("office_admin")
    office.post(
        "/api/core/regions/",
        json.dumps({"code": "990167", "name": "审计测试筛选区", "level": "county"}),
        content_type="application/json",
    )
    auditor = client_for("auditor")
    today = timezone.localdate()
    mine = auditor.get(
        "/core/audit/changes/", {"actor": world.user("office_admin").pk, "date_from": today}
    ).content.decode()
    assert "审计测试筛选区" in mine
    others = auditor.get(
        "/core/audit/changes/", {"actor": world.user("market_staff").pk}
    ).content.decode()
    assert "审计测试筛选区" not in others
    yesterday = today - datetime.timedelta(days=1)
    earlier = auditor.get("/core/audit/changes/", {"date_to": yesterday}).content.decode()
    assert "审计测试筛选区" not in earlier


def test_login_log_lists_a_failed_login(world, client_for):
    Client(HTTP_HOST="127.0.0.1").post(
        "/accounts/login/", {"username": "no-such-user-audit", "password": "wrong-password-1"}
    )
    page = client_for("auditor").get("/core/audit/logins/", {"success": "false"})
    assert "no-such-user-audit" in page.content.decode()
    ok_only = client_for("auditor").get("/core/audit/logins/", {"success": "true"})
    assert "no-such-user-audit" not in ok_only.content.decode()


def test_export_log_lists_an_export(world, client_for):
    response = client_for("market_staff").get("/core/orgunits/", {"export": "csv"})
    assert response.status_code == 200
    page = client_for("office_admin").get(
        "/core/audit/exports/", {"user": world.user("market_staff").pk, "format": "csv"}
    )
    html = page.content.decode()
    assert "csv" in html and world.user("market_staff").display_name in html


def test_audit_table_updates_through_htmx(world, client_for):
    page = client_for("auditor").get(
        "/core/audit/logins/", {"success": "false"}, HTTP_HX_REQUEST="true"
    )
    assert page.status_code == 200 and "<nav class=" not in page.content.decode()


def test_audit_pages_speak_the_users_language_not_column_names(world, client_for):
    """Changed fields by their Chinese names; the login log says by which way and why."""
    from qcity.core.models import Region

    office = client_for("office_admin")
    created = office.post(
        "/api/core/regions/",
        json.dumps({"code": "990167", "name": "字段名测试区", "level": "county"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    region_type = ContentType.objects.get_for_model(Region).pk
    html = office.get("/core/audit/changes/", {"content_type": region_type}).content.decode()
    name_label = str(Region._meta.get_field("name").verbose_name)
    assert name_label in html and "、level" not in html and ">name、" not in html

    Client(HTTP_HOST="127.0.0.1").post(
        "/api/token/",
        json.dumps({"username": world.user("market_staff").username, "password": "wrong-1A!"}),
        content_type="application/json",
    )
    logins = office.get("/core/audit/logins/").content.decode()
    assert "API令牌申请" in logins and "用户名或密码错误" in logins
    assert "bad_credentials" not in logins and ">User<" not in logins


def test_password_reset_is_logged_as_what_changed_never_the_password(world, client_for):
    """The change log of a reset says what a reader can check (must change at next login, the
    lock cleared) and names no password, hashed or not."""
    from qcity.core.models import ChangeLog

    staff = world.user("market_staff")
    office = client_for("office_admin")
    response = office.post(f"/core/users/{staff.pk}/reset-password/", follow=True)
    assert response.status_code == 200
    row = ChangeLog.objects.filter(object_id=str(staff.pk), note__contains="重置密码").latest("pk")
    assert row.before and row.after, (row.before, row.after)
    assert row.after["must_change_password"] is True and row.after["failed_logins"] == 0
    assert "password" not in set(row.before) | set(row.after)
    assert staff.password not in json.dumps(row.before) + json.dumps(row.after)
    html = office.get("/core/audit/changes/", {"object_id": staff.pk}).content.decode()
    assert "下次登录须修改密码" in html


def test_changes_tab_reads_as_words_not_columns_or_python(world, client_for):
    """A record's 变更记录 tab names each changed field in Chinese and shows choices by label,
    nothing as None or a Python dict."""
    from qcity.core.models import Region

    office = client_for("office_admin")
    created = office.post(
        "/api/core/regions/",
        json.dumps({"code": "990168", "name": "变更测试区", "level": "county"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    region = Region.objects.get(code="990168")
    page = office.get(f"/core/regions/{region.pk}/", {"tab": "changes"}).content.decode()
    name_label = str(Region._meta.get_field("name").verbose_name)
    level_label = str(Region._meta.get_field("level").verbose_name)
    assert f"{name_label}：— → 变更测试区" in page, page
    county = str(dict(Region._meta.get_field("level").choices)["county"])
    assert f"{level_label}：— → {county}" in page, page
    assert "None" not in page and "<code>name</code>" not in page and "county" not in page
    assert "：— → —" not in page  # a field empty before and after is no change
