"""Personal data never leaks (issue 10): the change log, edit forms, API read-then-write, full
views logged, backups private and encryptable. The public pages are tested in
qcity/inspection/tests/test_public_personal.py."""

import json
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qcity.core import audit
from qcity.core.models import ChangeLog, OrgUnit, User
from qcity.core.scopes import CHANGE
from qcity.registry.models import Enterprise

REAL_PHONE = "13987654321"
MASKED_PHONE = "139****4321"


def _unit_with_phone(world, short="市统计局"):
    unit = world.unit(short)
    OrgUnit.objects.filter(pk=unit.pk).update(contact_phone=REAL_PHONE)
    unit.refresh_from_db()
    return unit


def _form_data(response):
    """What a browser sends back when the user saves the edit form unchanged."""
    form = response.context["form"]
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


# ---------------------------------------------------------------- the change log
def test_change_log_tab_shows_personal_fields_masked_never_in_full(world, client_for):
    unit = _unit_with_phone(world)
    client = client_for("office_admin")
    response = client.patch(
        f"/api/core/orgunits/{unit.pk}/",
        json.dumps({"contact_phone": "13911112222"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    unit.refresh_from_db()
    assert unit.contact_phone == "13911112222"  # the change itself is stored in full
    page = client.get(f"/core/orgunits/{unit.pk}/", {"tab": "changes"}).content.decode()
    assert MASKED_PHONE in page and "139****2222" in page
    assert REAL_PHONE not in page and "13911112222" not in page
    row = audit.history(unit).filter(action="update").first()
    assert row.before["contact_phone"] == MASKED_PHONE


def test_user_edit_never_copies_the_password_hash_into_the_change_log(world, client_for):
    account = world.user("district_staff")
    client = client_for("office_admin")
    response = client.patch(
        f"/api/core/users/{account.pk}/",
        json.dumps({"display_name": "改名后的江北市场监管"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    account.refresh_from_db()
    rows = list(audit.history(account))
    assert rows, "the edit left a change-log row"
    for row in rows:
        for snap in (row.before or {}, row.after or {}):
            assert "password" not in snap
    page = client.get(f"/core/users/{account.pk}/", {"tab": "changes"}).content.decode()
    assert "改名后的江北市场监管" in page
    assert account.password not in page and account.password.split("$")[-1] not in page


# ---------------------------------------------------------------- API read-then-write
@pytest.mark.parametrize("method", ["put", "patch"])
def test_api_read_then_write_keeps_the_real_personal_data(world, client_for, method):
    unit = _unit_with_phone(world)
    client = client_for("office_admin")
    body = client.get(f"/api/core/orgunits/{unit.pk}/").json()
    assert body["contact_phone"] == MASKED_PHONE  # the API reads masked
    body["short_name"] = "统计局改"
    response = getattr(client, method)(
        f"/api/core/orgunits/{unit.pk}/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    unit.refresh_from_db()
    assert unit.short_name == "统计局改"
    assert unit.contact_phone == REAL_PHONE, "the masked string was stored over the real phone"


# ---------------------------------------------------------------- edit forms
def test_edit_form_masks_personal_data_for_a_user_without_the_capability(world, client_for):
    user = world.user("district_staff")
    enterprise = Enterprise.objects.for_user(user, CHANGE).order_by("pk").first()
    assert enterprise is not None, "the district bureau edits some enterprise of its district"
    Enterprise.objects.filter(pk=enterprise.pk).update(
        contact_phone=REAL_PHONE, legal_representative="欧阳建国"
    )
    client = client_for("district_staff")
    url = f"/registry/enterprises/{enterprise.pk}/edit/"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert REAL_PHONE not in html and "欧阳建国" not in html
    assert MASKED_PHONE in html and "欧***" in html
    data = _form_data(response)
    data["industry"] = "食品制造"
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    enterprise.refresh_from_db()
    assert enterprise.industry == "食品制造"
    assert enterprise.contact_phone == REAL_PHONE and enterprise.legal_representative == "欧阳建国"


def test_office_edit_form_shows_personal_data_in_full_and_logs_the_view(world, client_for):
    unit = _unit_with_phone(world)
    client = client_for("office_admin")
    html = client.get(f"/core/orgunits/{unit.pk}/edit/").content.decode()
    assert REAL_PHONE in html
    view = ChangeLog.objects.filter(
        action="view", object_id=str(unit.pk), actor=world.user("office_admin")
    )
    assert view.count() == 1 and "contact_phone" in view.get().note


# ---------------------------------------------------------------- details: revealing is logged
def test_detail_is_masked_and_revealing_it_in_full_is_logged(world, client_for):
    unit = _unit_with_phone(world)
    client = client_for("auditor")
    page = client.get(f"/core/orgunits/{unit.pk}/").content.decode()
    assert MASKED_PHONE in page and REAL_PHONE not in page and "显示完整个人信息" in page
    assert not ChangeLog.objects.filter(action="view", object_id=str(unit.pk)).exists()
    full = client.get(f"/core/orgunits/{unit.pk}/", {"reveal": "1"}).content.decode()
    assert REAL_PHONE in full
    (row,) = ChangeLog.objects.filter(action="view", object_id=str(unit.pk))
    assert row.actor == world.user("auditor")
    changes = client.get(f"/core/orgunits/{unit.pk}/", {"tab": "changes"}).content.decode()
    assert "查看个人信息" in changes


def test_unit_user_sees_only_its_own_units_contact_data_in_full(world, client_for):
    staff = world.user("market_staff")
    own = OrgUnit.objects.get(pk=next(iter(staff.unit_ids())))
    OrgUnit.objects.filter(pk=own.pk).update(contact_phone=REAL_PHONE)
    other = _unit_with_phone(world, "市统计局")
    assert other.pk != own.pk
    client = client_for("market_staff")
    assert REAL_PHONE in client.get(f"/core/orgunits/{own.pk}/", {"reveal": "1"}).content.decode()
    other_page = client.get(f"/core/orgunits/{other.pk}/", {"reveal": "1"}).content.decode()
    assert REAL_PHONE not in other_page and MASKED_PHONE in other_page
    assert not ChangeLog.objects.filter(action="view", object_id=str(other.pk)).exists()


def test_a_reader_without_the_capability_cannot_reveal_an_enterprise(world, client_for):
    user = world.user("district_staff")
    enterprise = Enterprise.objects.for_user(user).order_by("pk").first()
    Enterprise.objects.filter(pk=enterprise.pk).update(contact_phone=REAL_PHONE)
    client = client_for("district_staff")
    page = client.get(f"/registry/enterprises/{enterprise.pk}/", {"reveal": "1"})
    html = page.content.decode()
    assert page.status_code == 200
    assert REAL_PHONE not in html and MASKED_PHONE in html
    assert "显示完整个人信息" not in html  # not offered either


# ---------------------------------------------------------------- backups
def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_backup_is_private_and_unreadable_without_the_key(tmp_path, monkeypatch, db):
    from cryptography.fernet import Fernet

    monkeypatch.setenv("QCITY_BACKUP_KEY", Fernet.generate_key().decode())
    archive = tmp_path / "backups" / "qcity.tar.gz"
    call_command("backup", str(archive))
    assert _mode(archive) == 0o600 and _mode(archive.parent) == 0o700
    raw = archive.read_bytes()
    assert not raw.startswith(b"\x1f\x8b")  # not a plain gzip: encrypted
    assert "示例市".encode() not in raw and b"data.json" not in raw

    monkeypatch.setenv("QCITY_BACKUP_KEY", Fernet.generate_key().decode())
    with pytest.raises(CommandError, match="密钥不对"):
        call_command("restore", str(archive), "--yes")
    monkeypatch.delenv("QCITY_BACKUP_KEY")
    with pytest.raises(CommandError, match="已加密"):
        call_command("restore", str(archive), "--yes")


@pytest.mark.django_db(transaction=True)
def test_encrypted_backup_restores_with_the_same_key(tmp_path, monkeypatch):
    from cryptography.fernet import Fernet

    from qcity.core import demo

    demo.build("small")
    monkeypatch.setenv("QCITY_BACKUP_KEY", Fernet.generate_key().decode())
    archive = tmp_path / "qcity.enc"
    call_command("backup", str(archive))
    OrgUnit.objects.filter(name="示例市统计局").update(short_name="改过的")
    call_command("restore", str(archive), "--yes")
    assert OrgUnit.objects.get(name="示例市统计局").short_name == "市统计局"
    assert User.objects.filter(username="admin").exists()


def test_backup_refuses_a_malformed_key_in_chinese(tmp_path, monkeypatch, db):
    monkeypatch.setenv("QCITY_BACKUP_KEY", "not-a-key")
    archive = tmp_path / "x.tar.gz"
    with pytest.raises(CommandError, match="不是有效的备份密钥"):
        call_command("backup", str(archive))
    assert not archive.exists()


def test_unencrypted_backup_is_still_written_0600(tmp_path, monkeypatch, db):
    monkeypatch.delenv("QCITY_BACKUP_KEY", raising=False)
    archive = tmp_path / "plain.tar.gz"
    archive.write_bytes(b"old")
    archive.chmod(0o644)
    call_command("backup", str(archive))
    assert _mode(archive) == 0o600 and archive.read_bytes().startswith(b"\x1f\x8b")


def test_migration_scrubs_secrets_and_personal_data_from_existing_change_log_rows(world):
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    account = world.user("district_staff")
    old = ChangeLog.objects.create(
        actor=world.user("office_admin"),
        action="update",
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(account.pk),
        object_repr=str(account),
        before={"password": account.password, "phone": REAL_PHONE, "display_name": "甲"},
        after={"password": account.password, "phone": REAL_PHONE, "display_name": "乙"},
        request_id="r1",
    )
    migration = importlib.import_module("qcity.core.migrations.0005_scrub_change_log_personal_data")
    migration.scrub(apps, None)
    old.refresh_from_db()
    assert old.before == {"phone": MASKED_PHONE, "display_name": "甲"}
    assert old.after == {"phone": MASKED_PHONE, "display_name": "乙"}
