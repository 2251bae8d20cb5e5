import datetime

import pytest
from django.core.exceptions import ValidationError

from qcity.core import naming, services
from qcity.core.models import OrgUnit, OrgUnitName, Region


def test_2012_plan_name_resolves_to_todays_unit(world):
    resolution = naming.resolve_names(["市质监局"], on=datetime.date(2012, 5, 1))["市质监局"]
    assert resolution.status in (naming.EXACT, naming.ALIAS)
    assert resolution.unit == world.unit("市质监局") and resolution.current == world.unit(
        "市市场监管局"
    )
    full = naming.resolve_names(["示例市质量技术监督局"], on=datetime.date(2012, 5, 1))[
        "示例市质量技术监督局"
    ]
    assert full.current == world.unit("市市场监管局")


def test_former_name_not_valid_after_rename(world):
    # 市农业局 was renamed in 2019; a 2023 document naming it is not matched silently as an alias.
    res = naming.resolve_names(["市农业局"], on=datetime.date(2023, 3, 1))["市农业局"]
    assert res.status != naming.ALIAS
    old = naming.resolve_names(["市农业局"], on=datetime.date(2015, 3, 1))["市农业局"]
    assert old.status == naming.ALIAS and old.unit == world.unit("市农业农村局")


def test_near_miss_pair_never_matches(world):
    res = naming.resolve_names(["市林业局"], on=datetime.date(2015, 1, 1))["市林业局"]
    assert res.unit == world.unit("市林业局")  # exact short name
    near = naming.Resolver().resolve("市农业局", on=datetime.date(2023, 1, 1))
    assert near.unit != world.unit("市林业局")


def test_fuzzy_match_reports_confidence_and_unknown_is_unresolved(world):
    res = naming.resolve_names(["示例市住房和城乡建设委员会"], on=datetime.date(2023, 1, 1))[
        "示例市住房和城乡建设委员会"
    ]
    assert (
        res.status == naming.FUZZY
        and res.unit == world.unit("市住建局")
        and 0.8 < res.confidence < 1
    )
    unknown = naming.resolve_names(["市太空探索局"])["市太空探索局"]
    assert unknown.status == naming.UNRESOLVED and unknown.unit is None


def test_level_prefix_scopes_fuzzy_matching(world):
    res = naming.Resolver().resolve("区市场监督管理局")
    assert res.unit is None or res.unit.region.level in ("county", "zone")


def test_duplicate_unit_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.create_unit(
            {"name": world.unit("市统计局").name, "kind": "department", "region": world.city},
            world.user("office_admin"),
        )
    assert "同名单位" in str(exc.value)


def test_cyclic_parent_refused(world):
    parent = world.unit("市市场监管局")
    child = world.unit("江北区市场监管局")
    with pytest.raises(ValidationError) as exc:
        services.update_object(parent, {"parent": child}, world.user("office_admin"))
    assert "循环" in str(exc.value)
    parent.refresh_from_db()
    assert parent.parent_id is None


def test_cyclic_region_refused(world):
    with pytest.raises(ValidationError):
        services.update_object(
            world.city, {"parent": world.districts[0]}, world.user("office_admin")
        )


def test_alias_valid_at_two_units_on_same_date_refused(world):
    admin = world.user("office_admin")
    services.create_unit_name(
        {
            "unit": world.unit("市统计局"),
            "name": "综合统计办",
            "valid_from": datetime.date(2020, 1, 1),
        },
        admin,
    )
    with pytest.raises(ValidationError) as exc:
        services.create_unit_name(
            {
                "unit": world.unit("市财政局"),
                "name": "综合统计办",
                "valid_from": datetime.date(2021, 1, 1),
            },
            admin,
        )
    assert "同一日期" in str(exc.value)
    # the same name for another unit in an earlier, non-overlapping period is fine
    services.create_unit_name(
        {
            "unit": world.unit("市财政局"),
            "name": "综合统计办",
            "valid_to": datetime.date(2010, 1, 1),
        },
        admin,
    )


def test_alias_overlap_refused_through_the_page(world, client_for):
    client = client_for("office_admin")
    response = client.post(
        "/core/orgunitnames/new/",
        {"unit": world.unit("市财政局").pk, "name": "市统计局", "kind": "alias"},
    )
    assert response.status_code == 200
    assert "同一日期" in response.content.decode()


def test_unknown_region_code_on_import_reported(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qcity.core.models import ImportRun

    csv_text = "单位名称,单位类型,区划代码\n示例市新单位甲,department,990100\n示例市新单位乙,department,123456\n"
    upload = SimpleUploadedFile("units.csv", csv_text.encode("utf-8"))
    client_for("office_admin").post("/core/orgunits/import/", {"file": upload, "mode": "all"})
    run = ImportRun.objects.get()
    assert run.errors == [{"row": 3, "column": "区划代码", "reason": "未找到“123456”"}]
    assert not OrgUnit.objects.filter(
        name__startswith="示例市新单位"
    ).exists()  # all-or-nothing wrote nothing


def test_merge_records_successor_and_former_name(world):
    admin = world.user("office_admin")
    a = services.create_unit(
        {"name": "示例市甲办", "kind": "department", "region": world.city}, admin
    )
    b = services.create_unit(
        {"name": "示例市乙局", "kind": "department", "region": world.city}, admin
    )
    services.merge_units([a], b, datetime.date(2024, 1, 1), admin)
    a.refresh_from_db()
    assert a.successor == b and not a.is_active and a.current() == b
    assert OrgUnitName.objects.filter(unit=a, name="示例市甲办", kind="former").exists()


def test_region_code_format_validated(world):
    with pytest.raises(ValidationError):
        services.create_object(
            Region,
            {"code": "12ab", "name": "坏代码", "level": "county", "parent": world.city},
            world.user("office_admin"),
        )
