"""Capabilities, not just scopes (issue 10): each defect the attack found, through the pages
and the API, plus the generated docs/permissions.md. The role × model × action matrix itself
runs for every registered model in ``testing.RegisteredModelTests.test_capability_matrix``."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from qcity.core import audit, capabilities
from qcity.core.choices import Role
from qcity.core.models import ChangeLog, RoleAssignment, User
from qcity.core.registry import REGISTRY
from qcity.indicators import services as indicator_services
from qcity.indicators.models import Observation
from qcity.indicators.tests import helpers as indicator_helpers
from qcity.registry.models import Enterprise, Licence
from qcity.tracking import services as tracking_services
from qcity.tracking.models import Assignment

JSON = "application/json"


@pytest.fixture(autouse=True)
def _setup_as_office(world):
    """Test data is made through services by the office (requests carry their own actor)."""
    with audit.acting_as(world.user("office_admin")):
        yield


# ---------------------------------------------------------------- the table and its document
def test_every_registered_model_has_a_row_in_the_capability_table():
    missing = [r.model._meta.label_lower for r in REGISTRY.values()]
    missing = [label for label in missing if label not in capabilities.TABLE]
    assert not missing, f"models without capabilities: {missing}"


def test_permissions_doc_is_the_table_in_readable_form():
    doc = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"
    assert doc.read_text(encoding="utf-8") == capabilities.markdown(), (
        "docs/permissions.md is out of date: write capabilities.markdown() to it"
    )


def test_unit_staff_are_told_apart_by_the_kind_of_unit(world):
    assert capabilities.actor_of(Role.UNIT_STAFF, world.unit("江北区政府")) == "district_gov"
    assert capabilities.actor_of(Role.UNIT_STAFF, world.unit("江北区市场监管局")) == "market_bureau"
    assert capabilities.actor_of(Role.UNIT_STAFF, world.unit("市市场监管局")) == "market_bureau"
    assert capabilities.actor_of(Role.UNIT_STAFF, world.unit("市住建局")) == "city_department"


# ---------------------------------------------------------------- indicator figures
def _citywide_figure(world):
    ind = indicator_helpers.indicator(reporting_unit=world.unit("市住建局"))
    obs = indicator_services.record_observation(
        indicator=ind,
        region=world.city,
        period_start=datetime.date(2025, 3, 1),
        period_end=datetime.date(2025, 3, 31),
        period_kind="month",
        value="96.0",
        unit=world.unit("市住建局"),
        user=world.user("construction_staff"),
    )
    return ind, obs


def _figure_data(world, ind, region, unit, value="12.0"):
    return {
        "indicator": ind.pk,
        "region": region.pk,
        "period_kind": "month",
        "period_start": "2025-03-01",
        "period_end": "2025-03-31",
        "value": value,
        "unit": unit.pk,
    }


def test_district_bureau_cannot_replace_a_city_departments_citywide_figure(world, client_for):
    ind, obs = _citywide_figure(world)
    bureau = world.unit("江北区市场监管局")
    client = client_for("district_staff")
    data = _figure_data(world, ind, world.city, bureau)
    api = client.post("/api/indicators/observations/", data, content_type=JSON)
    assert api.status_code == 403, api.content
    assert "本单位负责的指标" in api.content.decode()
    page = client.post("/indicators/observations/new/", data)
    assert page.status_code == 200 and "本单位负责的指标" in page.content.decode()
    # nor for its own district: it does not answer for this indicator
    own = client.post(
        "/api/indicators/observations/",
        _figure_data(world, ind, world.districts[0], bureau),
        content_type=JSON,
    )
    assert own.status_code == 403
    obs.refresh_from_db()
    assert obs.is_current and obs.value == Decimal("96.0")
    assert Observation.objects.filter(indicator=ind).count() == 1


def test_answerable_unit_writes_figures_for_its_own_region_only(world, client_for):
    ind = indicator_helpers.indicator(reporting_unit=world.unit("市市场监管局"))
    bureau = world.unit("江北区市场监管局")  # under the reporting unit
    client = client_for("district_staff")
    citywide = client.post(
        "/api/indicators/observations/",
        _figure_data(world, ind, world.city, bureau),
        content_type=JSON,
    )
    assert citywide.status_code == 403
    own = client.post(
        "/api/indicators/observations/",
        _figure_data(world, ind, world.districts[0], bureau),
        content_type=JSON,
    )
    assert own.status_code == 201, own.content
    assert Observation.objects.get(indicator=ind).region == world.districts[0]


# ---------------------------------------------------------------- the market-entity registry
def _enterprise_with_licence(world, district=0):
    from qcity.registry.tests.test_registry import make_enterprise

    with audit.acting_as(world.user("office_admin")):
        ent = make_enterprise(world, "江北能力测试食品有限公司", district=district)
        from qcity.core.services import create_object

        lic = create_object(
            Licence,
            {
                "enterprise": ent,
                "kind": "sc",
                "number": "SC10699010099001",
                "valid_to": datetime.date(2029, 12, 31),
            },
        )
    return ent, lic


def test_city_department_cannot_rename_an_enterprise_or_delete_a_licence(world, client_for):
    ent, lic = _enterprise_with_licence(world)
    client = client_for("construction_staff")
    before = ChangeLog.objects.count()
    assert client.get(f"/registry/enterprises/{ent.pk}/").status_code == 200  # may read
    renamed = client.patch(
        f"/api/registry/enterprises/{ent.pk}/", {"name": "改名公司"}, content_type=JSON
    )
    assert renamed.status_code == 403
    assert client.get(f"/registry/enterprises/{ent.pk}/edit/").status_code == 403
    assert client.post(f"/registry/licences/{lic.pk}/remove/").status_code == 403
    assert client.delete(f"/api/registry/licences/{lic.pk}/").status_code == 403
    assert Licence.objects.filter(pk=lic.pk).exists()
    assert Enterprise.objects.get(pk=ent.pk).name == "江北能力测试食品有限公司"
    assert ChangeLog.objects.count() == before


def test_registering_bureau_edits_its_districts_enterprises_and_district_government_reads(
    world, client_for
):
    ent, _lic = _enterprise_with_licence(world)
    bureau = client_for("district_staff")
    ok = bureau.patch(
        f"/api/registry/enterprises/{ent.pk}/", {"industry": "食品制造"}, content_type=JSON
    )
    assert ok.status_code == 200, ok.content
    other = client_for("other_district_staff")
    assert other.patch(
        f"/api/registry/enterprises/{ent.pk}/", {"industry": "x"}, content_type=JSON
    ).status_code in (403, 404)
    gov = client_for("district_gov_staff")
    listed = gov.get("/registry/enterprises/").content.decode()
    assert "江北能力测试食品有限公司" in listed
    assert gov.get(f"/registry/enterprises/{ent.pk}/edit/").status_code == 403


# ---------------------------------------------------------------- what a district government is offered
@pytest.mark.parametrize("slug", ["registry/licences", "registry/inspectors", "inspection/samples"])
def test_district_government_is_not_offered_new_licence_inspector_or_sample(
    world, client_for, slug
):
    client = client_for("district_gov_staff")
    listed = client.get(f"/{slug}/").content.decode()
    assert f"/{slug}/new/" not in listed
    assert client.get(f"/{slug}/new/").status_code == 403
    assert client.post(f"/api/{slug}/", {}, content_type=JSON).status_code == 403


def test_unit_user_is_not_offered_a_new_user_form(world, client_for):
    client = client_for("market_staff")
    assert "/core/users/new/" not in client.get("/core/users/").content.decode()
    assert client.get("/core/users/new/").status_code == 403
    assert client.get("/core/roleassignments/new/").status_code == 403
    created = client.post(
        "/api/core/roleassignments/",
        {"user": world.user("market_staff").pk, "role": Role.OFFICE_ADMIN},
        content_type=JSON,
    )
    assert created.status_code == 403
    assert not world.user("market_staff").role_assignments.filter(role=Role.OFFICE_ADMIN).exists()
    menu = client.get("/").content.decode()
    assert "/core/users/" not in menu


# ---------------------------------------------------------------- tracking workflow actions
def _assigned(world, lead="市市场监管局"):
    office = world.user("office_admin")
    a = tracking_services.create_assignment(
        {
            "title": "能力表测试交办事项",
            "source": "meeting",
            "lead_unit": world.unit(lead),
            "deadline": datetime.date(2026, 9, 30),
        },
        office,
    )
    return tracking_services.assign(a, office, on=datetime.date(2026, 1, 5))


@pytest.mark.parametrize("action", ["sign", "return", "request_close"])
def test_inspector_cannot_sign_return_or_request_closing_for_the_bureau(world, client_for, action):
    a = _assigned(world)
    client = client_for("inspector")
    page = client.get(f"/tracking/assignments/{a.pk}/").content.decode()
    assert f"/tracking/assignments/{a.pk}/act/{action}/" not in page
    response = client.post(
        f"/tracking/assignments/{a.pk}/act/{action}/", {"reason": "不属于本单位", "evidence": "x"}
    )
    assert response.status_code == 403
    assert Assignment.objects.get(pk=a.pk).state == a.state
    with pytest.raises(Exception, match="牵头单位"):
        tracking_services.sign(a, world.user("inspector"))


def test_the_units_liaison_signs_for_the_unit(world, client_for):
    a = _assigned(world)
    client = client_for("market_staff")
    page = client.get(f"/tracking/assignments/{a.pk}/").content.decode()
    assert f"/tracking/assignments/{a.pk}/act/sign/" in page
    client.post(f"/tracking/assignments/{a.pk}/act/sign/")
    assert Assignment.objects.get(pk=a.pk).state == "signed"


# ---------------------------------------------------------------- the last office administrator
def _only_admin(world):
    admin = world.user("office_admin")
    assert not User.objects.filter(is_superuser=True, is_active=True).exists()
    assert set(
        RoleAssignment.objects.filter(role=Role.OFFICE_ADMIN, user__is_active=True).values_list(
            "user_id", flat=True
        )
    ) == {admin.pk}
    return admin, RoleAssignment.objects.get(user=admin, role=Role.OFFICE_ADMIN)


def test_last_office_admin_cannot_be_deactivated_demoted_or_have_the_role_removed(
    world, client_for
):
    admin, ra = _only_admin(world)
    client = client_for("office_admin")
    message = "最后一名质量办管理员"
    deactivate = client.patch(
        f"/api/core/users/{admin.pk}/", {"is_active": False}, content_type=JSON
    )
    assert deactivate.status_code == 400 and message in deactivate.content.decode()
    page = client.post(
        f"/core/users/{admin.pk}/edit/",
        {"username": admin.username, "display_name": admin.display_name},  # is_active unticked
    )
    assert page.status_code == 200 and message in page.content.decode()
    demote = client.patch(
        f"/api/core/roleassignments/{ra.pk}/", {"role": Role.UNIT_STAFF}, content_type=JSON
    )
    assert demote.status_code == 400 and message in demote.content.decode()
    removed = client.delete(f"/api/core/roleassignments/{ra.pk}/")
    assert removed.status_code == 400 and message in removed.content.decode()
    page = client.post(f"/core/roleassignments/{ra.pk}/remove/")
    assert message in page.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    assert RoleAssignment.objects.filter(pk=ra.pk, role=Role.OFFICE_ADMIN).exists()


def test_an_office_admin_can_be_removed_when_another_remains(world, client_for):
    admin, ra = _only_admin(world)
    from qcity.core import services as core_services

    core_services.assign_role(
        world.user("auditor"), Role.OFFICE_ADMIN, world.unit("市质量办"), actor=admin
    )
    response = client_for("office_admin").delete(f"/api/core/roleassignments/{ra.pk}/")
    assert response.status_code == 204
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()
