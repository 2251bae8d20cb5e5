"""Registry models: generic page/permission tests, credit-class history, imports, search."""

import datetime
import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qcity.core import audit
from qcity.core.models import ImportRun
from qcity.core.services import create_object
from qcity.core.testing import RegisteredModelTests
from qcity.registry import creditcode, services
from qcity.registry.models import (
    CreditClassChange,
    Enterprise,
    Inspector,
    InspectorConflict,
    Licence,
    Product,
    ProductCategory,
    TestingInstitution,
)

RNG = random.Random(7)


def new_code(world, district=0):
    return creditcode.generate(RNG, division=world.districts[district].code)


def make_enterprise(world, name="测试食品有限公司", district=0, **extra):
    data = {
        "name": name,
        "credit_code": new_code(world, district),
        "legal_representative": "张三丰",
        "address": f"示例市{world.districts[district].name}人民路1号",
        "region": world.districts[district],
        **extra,
    }
    return services.create_enterprise(data)


class TestEnterprise(RegisteredModelTests):
    model = Enterprise

    def make(self, world):
        return make_enterprise(world, "江北测试食品有限公司")

    def form_data(self, world):
        return {
            "name": "江北新设食品有限公司",
            "credit_code": new_code(world),
            "address": "示例市江北区建设路8号",
            "region": world.districts[0].pk,
            "enterprise_type": "producer",
        }


class TestLicence(RegisteredModelTests):
    model = Licence

    def make(self, world):
        e = make_enterprise(world, "许可测试食品有限公司")
        return create_object(
            Licence,
            {
                "enterprise": e,
                "kind": "sc",
                "number": "SC10199010200123",
                "valid_to": datetime.date(2030, 1, 1),
            },
        )

    def form_data(self, world):
        e = Enterprise.objects.filter(region=world.districts[0]).first()
        return {
            "enterprise": e.pk,
            "kind": "sc",
            "number": "SC10199010200999",
            "valid_to": "2030-12-31",
        }


class TestProduct(RegisteredModelTests):
    model = Product

    def make(self, world):
        e = make_enterprise(world, "产品测试食品有限公司")
        return create_object(
            Product,
            {
                "enterprise": e,
                "name": "通用小麦粉",
                "category": ProductCategory.objects.get(code="F010101"),
            },
        )

    def form_data(self, world):
        e = Enterprise.objects.filter(region=world.districts[0]).first()
        return {
            "enterprise": e.pk,
            "name": "挂面",
            "category": ProductCategory.objects.get(code="F010301").pk,
        }


class TestProductCategory(RegisteredModelTests):
    model = ProductCategory

    def make(self, world):
        return create_object(
            ProductCategory,
            {
                "code": "F010199",
                "name": "测试小麦粉",
                "kind": "food",
                "level": 3,
                "parent": ProductCategory.objects.get(code="F0101"),
            },
        )

    def form_data(self, world):
        return {
            "code": "P0199",
            "name": "测试电器",
            "kind": "product",
            "level": 2,
            "parent": ProductCategory.objects.get(code="P01").pk,
        }


class TestInspector(RegisteredModelTests):
    model = Inspector

    def make(self, world):
        from qcity.core.choices import Role
        from qcity.core.demo import _user

        user = _user(
            world, "tmp_insp", "tmp_insp", "测检查", [(Role.INSPECTOR, world.unit("市市场监管局"))]
        )
        return services.create_inspector(
            {"user": user, "unit": world.unit("市市场监管局"), "certificate_no": "TEST0001"}
        )

    def form_data(self, world):
        from qcity.core.choices import Role
        from qcity.core.demo import _user

        user = _user(
            world,
            "tmp_insp2",
            "tmp_insp2",
            "测检查二",
            [(Role.INSPECTOR, world.unit("市市场监管局"))],
        )
        return {
            "user": user.pk,
            "unit": world.unit("市市场监管局").pk,
            "certificate_no": "TEST0002",
            "status": "active",
        }


class TestInspectorConflict(RegisteredModelTests):
    model = InspectorConflict

    def make(self, world):
        e = make_enterprise(world, "回避测试食品有限公司")
        return create_object(
            InspectorConflict,
            {
                "inspector": Inspector.objects.get(user=world.user("inspector")),
                "enterprise": e,
                "reason": "近亲属任职",
            },
        )

    def form_data(self, world):
        e = Enterprise.objects.filter(region=world.districts[0]).first()
        return {
            "inspector": Inspector.objects.get(user=world.user("inspector")).pk,
            "enterprise": e.pk,
            "reason": "曾在该企业任职",
        }


class TestTestingInstitution(RegisteredModelTests):
    model = TestingInstitution

    def make(self, world):
        return create_object(TestingInstitution, {"name": "测试检测中心", "cnas_no": "CNAS L9999"})

    def form_data(self, world):
        return {"name": "新检测中心", "cma_no": "221012349999", "is_active": "on"}


# ---------------------------------------------------------------- behaviour
def test_invalid_credit_code_refused_with_reason(world):
    with audit.acting_as(world.user("office_admin")):
        before = Enterprise.objects.count()
        with pytest.raises(ValidationError) as exc:
            services.create_enterprise(
                {
                    "name": "错码公司",
                    "credit_code": "91350100M000100Y4Z",
                    "region": world.districts[0],
                }
            )
    assert "校验位" in str(exc.value) or "第" in str(exc.value)
    assert Enterprise.objects.count() == before


def test_unverified_enterprise_needs_address(world):
    with audit.acting_as(world.user("office_admin")):
        with pytest.raises(ValidationError) as exc:
            services.create_enterprise({"name": "无码个体", "region": world.districts[0]})
        assert "住所" in str(exc.value)
        e = services.create_enterprise(
            {"name": "无码个体", "address": "江北区某路1号", "region": world.districts[0]}
        )
    assert e.verified is False and e.credit_code is None


def test_credit_class_only_through_service_with_history(world, client_for):
    with audit.acting_as(world.user("office_admin")):
        e = make_enterprise(world, "分类测试有限公司")
    client = client_for("market_staff")
    # the generic edit form cannot change the class
    client.post(
        f"/registry/enterprises/{e.pk}/edit/",
        {
            "name": e.name,
            "credit_code": e.credit_code,
            "address": e.address,
            "region": e.region_id,
            "enterprise_type": "producer",
            "credit_class": "D",
        },
    )
    e.refresh_from_db()
    assert e.credit_class == ""
    response = client.post(
        f"/registry/enterprises/{e.pk}/class/", {"credit_class": "C", "reason": "抽检不合格两次"}
    )
    assert response.status_code == 302
    e.refresh_from_db()
    change = CreditClassChange.objects.get(enterprise=e)
    assert e.credit_class == "C" and change.changed_by == world.user("market_staff")
    assert change.reason == "抽检不合格两次" and change.old_class == ""
    # no reason: refused, nothing written
    client.post(f"/registry/enterprises/{e.pk}/class/", {"credit_class": "D", "reason": ""})
    e.refresh_from_db()
    assert e.credit_class == "C" and CreditClassChange.objects.filter(enterprise=e).count() == 1
    # another district's staff cannot even see it
    assert (
        client_for("other_district_staff")
        .post(f"/registry/enterprises/{e.pk}/class/", {"credit_class": "A", "reason": "x"})
        .status_code
        == 404
    )


def test_class_on_date_from_history(world):
    with audit.acting_as(world.user("office_admin")):
        e = make_enterprise(world, "历史分类有限公司")
        services.set_credit_class(e, "B", reason="年度分类")
        services.set_credit_class(e, "D", reason="严重违法")
    first = CreditClassChange.objects.filter(enterprise=e).order_by("changed_at", "pk").first()
    assert services.class_on([e.pk], first.changed_at)[e.pk] == "B"


def test_category_tree_is_shipped_with_stable_codes(world):
    roots = ProductCategory.objects.filter(kind="food", level=1)
    assert roots.count() >= 30
    flour = ProductCategory.objects.get(code="F010101")
    assert (
        flour.name == "通用小麦粉"
        and flour.parent.name == "小麦粉"
        and flour.parent.parent.name == "粮食加工品"
    )
    assert ProductCategory.objects.filter(kind="product", level=2).count() >= 30
    assert services.load_categories() == 0  # idempotent


def test_licence_number_format(world):
    with audit.acting_as(world.user("office_admin")):
        e = make_enterprise(world, "证号测试有限公司")
        with pytest.raises(ValidationError) as exc:
            create_object(
                Licence,
                {
                    "enterprise": e,
                    "kind": "sc",
                    "number": "SC123",
                    "valid_to": datetime.date(2030, 1, 1),
                },
            )
    assert "SC加14位数字" in str(exc.value)


def test_inspector_needs_inspector_role(world):
    with audit.acting_as(world.user("office_admin")):
        with pytest.raises(ValidationError) as exc:
            services.create_inspector(
                {
                    "user": world.user("market_staff"),
                    "unit": world.unit("市市场监管局"),
                    "certificate_no": "X1",
                }
            )
    assert "执法检查人员" in str(exc.value)


def _xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_enterprise_import_reports_bad_rows_and_writes_nothing(world, client_for):
    good = new_code(world)
    data = _xlsx(
        [
            [
                "名称",
                "统一社会信用代码",
                "法定代表人",
                "住所",
                "区划代码",
                "所属行业",
                "企业规模",
                "主体类型",
            ],
            [
                "导入一号有限公司",
                good,
                "李四",
                "江北区一路1号",
                "990102",
                "食品制造业",
                "small",
                "producer",
            ],
            [
                "导入二号有限公司",
                "91350100M000100Y4Z",
                "",
                "江北区一路2号",
                "990102",
                "",
                "",
                "producer",
            ],
            ["导入三号有限公司", "", "", "某地", "999999", "", "", "producer"],
        ]
    )
    client = client_for("office_admin")
    before = Enterprise.objects.count()
    response = client.post(
        "/registry/enterprises/import/",
        {"file": SimpleUploadedFile("e.xlsx", data), "mode": "all"},
    )
    assert response.status_code == 302
    run = ImportRun.objects.latest("pk")
    reasons = " ".join(e["reason"] for e in run.errors)
    assert "校验位" in reasons and "未找到“999999”" in reasons
    assert Enterprise.objects.count() == before
    # valid rows only
    client.post(
        "/registry/enterprises/import/",
        {"file": SimpleUploadedFile("e2.xlsx", data), "mode": "valid"},
    )
    assert Enterprise.objects.filter(credit_code=good).exists()
    assert Enterprise.objects.count() == before + 1


def test_search_by_name_and_credit_code(world, client_for):
    with audit.acting_as(world.user("office_admin")):
        e = make_enterprise(world, "搜索测试粮油有限公司")
    client = client_for("market_staff")
    link = f"/registry/enterprises/{e.pk}/"
    assert link in client.get("/search/", {"q": "搜索测试粮油"}).content.decode()
    assert link in client.get("/search/", {"q": e.credit_code[:12]}).content.decode()
    other = client_for("other_district_staff").get("/search/", {"q": "搜索测试粮油"})
    assert link not in other.content.decode()


def test_enterprise_list_masks_personal_data_and_query_budget(
    world, client_for, django_assert_max_num_queries
):
    with audit.acting_as(world.user("office_admin")):
        e = make_enterprise(
            world,
            "脱敏测试食品有限公司",
            legal_representative="欧阳建国",
            address="示例市江北区幸福路88号3栋201室",
            contact_phone="13987654321",
        )
    real = ("欧阳建国", "幸福路88号", "13987654321")
    client = client_for("office_admin")  # masked for every reader, the office included
    with django_assert_max_num_queries(15):  # a full page of 25 rows
        assert client.get("/registry/enterprises/").status_code == 200
    listing = client.get("/registry/enterprises/", {"q": "脱敏测试"}).content.decode()
    assert e.name in listing and not [v for v in real if v in listing]
    detail = client.get(f"/registry/enterprises/{e.pk}/").content.decode()
    assert e.name in detail and not [v for v in real if v in detail]
    assert "欧***" in detail and "示例市****" in detail and "139****4321" in detail
