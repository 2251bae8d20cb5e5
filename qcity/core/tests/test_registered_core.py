import datetime

from qcity.core.models import Holiday, OrgUnit, OrgUnitName, Region, RoleAssignment, User
from qcity.core.services import create_object
from qcity.core.testing import RegisteredModelTests


class TestRegion(RegisteredModelTests):
    model = Region

    def make(self, world):
        return create_object(
            Region, {"code": "990124", "name": "南湖县", "level": "county", "parent": world.city}
        )

    def form_data(self, world):
        return {
            "code": "990125",
            "name": "北湖县",
            "level": "county",
            "parent": world.city.pk,
            "is_assessed": "on",
        }


class TestOrgUnit(RegisteredModelTests):
    model = OrgUnit

    def make(self, world):
        return create_object(
            OrgUnit,
            {
                "name": "示例市测试中心",
                "kind": "body",
                "region": world.city,
                "contact_phone": "13912345678",
            },
        )

    def form_data(self, world):
        return {
            "name": "示例市新设机构",
            "kind": "department",
            "region": world.city.pk,
            "is_active": "on",
        }


class TestOrgUnitName(RegisteredModelTests):
    model = OrgUnitName

    def make(self, world):
        return create_object(
            OrgUnitName,
            {
                "unit": world.unit("市统计局"),
                "name": "市统计处",
                "kind": "former",
                "valid_to": datetime.date(2001, 1, 1),
            },
        )

    def form_data(self, world):
        return {"unit": world.unit("市统计局").pk, "name": "统计局", "kind": "alias"}


class TestHoliday(RegisteredModelTests):
    model = Holiday

    def make(self, world):
        return create_object(
            Holiday, {"date": datetime.date(2031, 1, 1), "kind": "holiday", "name": "元旦"}
        )

    def form_data(self, world):
        return {"date": "2031-10-01", "kind": "holiday", "name": "国庆节"}


class TestUser(RegisteredModelTests):
    model = User
    owner = "office_admin"

    def make(self, world):
        from qcity.core.services import create_user

        return create_user(
            {"username": "new.clerk", "display_name": "新同事", "phone": "13700001111"}
        )

    def form_data(self, world):
        return {"username": "another.clerk", "display_name": "另一位", "is_active": "on"}


class TestRoleAssignment(RegisteredModelTests):
    model = RoleAssignment
    owner = "office_admin"

    def make(self, world):
        return create_object(
            RoleAssignment,
            {"user": world.user("auditor"), "role": "unit_staff", "unit": world.unit("市统计局")},
        )

    def form_data(self, world):
        return {
            "user": world.user("auditor").pk,
            "role": "unit_staff",
            "unit": world.unit("市财政局").pk,
        }


def test_office_resets_a_password_and_the_user_must_change_it(world, client_for):
    from django.test import Client

    from qcity.core.services import create_user

    account = create_user(
        {"username": "clerk2", "display_name": "办事员"}, world.user("office_admin")
    )
    response = client_for("office_admin").post(
        f"/core/users/{account.pk}/reset-password/", follow=True
    )
    text = response.content.decode()
    temporary = text.split("临时密码：")[1].split("（")[0]
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": "clerk2", "password": temporary}).status_code
        == 302
    )
    assert client.get("/").headers["Location"].endswith("/accounts/password/")
    assert (
        client_for("market_staff").post(f"/core/users/{account.pk}/reset-password/").status_code
        == 404
    )
