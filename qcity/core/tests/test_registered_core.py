import datetime

from qcity.core.models import Holiday, OrgUnit, OrgUnitName, Region
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
