"""The fixed demo world 示例市 (PATTERNS.md 12), shared by ``qcity demo`` and the tests.

Built idempotently from a fixed seed: 示例省 → 示例市 with eight districts and counties plus a
高新区, 40+ units with their dated names (the 2018 reform that merged 质监局, 工商局 and 食药监局
into 市场监管局; later renames), and users for every role. Other apps add their part in
``<app>/demo.py`` with ``build(world, size)``; they run in INSTALLED_APPS order.
Tests refer to users by role ("the 区市场监管局 staff user"), through ``World``.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction

from .choices import DayKind, RegionLevel, Role, UnitKind

DEMO_PASSWORD = "Demo#2026qc"
REFORM_DAY = datetime.date(2018, 12, 28)

DISTRICTS = [
    ("990102", "江北区"),
    ("990103", "江南区"),
    ("990104", "湖滨区"),
    ("990105", "山前区"),
    ("990111", "新港区"),
    ("990121", "东湖县"),
    ("990122", "西山县"),
    ("990123", "北岭县"),
]
ZONE = ("990100GX", "示例高新技术产业开发区")

# (current name, short name, kind, [(former or alias name, kind, valid_from, valid_to)])
CITY_UNITS = [
    ("示例市质量强市工作领导小组办公室", "市质量办", UnitKind.OFFICE, []),
    (
        "示例市市场监督管理局",
        "市市场监管局",
        UnitKind.DEPARTMENT,
        [("市市场监督管理局", "alias", REFORM_DAY, None)],
    ),
    ("示例市发展和改革委员会", "市发改委", UnitKind.DEPARTMENT, []),
    (
        "示例市工业和信息化局",
        "市工信局",
        UnitKind.DEPARTMENT,
        [
            ("市经济和信息化委员会", "former", None, datetime.date(2019, 1, 20)),
            ("市经信委", "former", None, datetime.date(2019, 1, 20)),
        ],
    ),
    ("示例市教育局", "市教育局", UnitKind.DEPARTMENT, []),
    ("示例市科学技术局", "市科技局", UnitKind.DEPARTMENT, []),
    ("示例市公安局", "市公安局", UnitKind.DEPARTMENT, []),
    ("示例市财政局", "市财政局", UnitKind.DEPARTMENT, []),
    ("示例市人力资源和社会保障局", "市人社局", UnitKind.DEPARTMENT, []),
    (
        "示例市自然资源和规划局",
        "市自然资源局",
        UnitKind.DEPARTMENT,
        [("市国土资源局", "former", None, datetime.date(2019, 1, 20))],
    ),
    (
        "示例市生态环境局",
        "市生态环境局",
        UnitKind.DEPARTMENT,
        [("市环保局", "former", None, datetime.date(2019, 1, 20))],
    ),
    (
        "示例市住房和城乡建设局",
        "市住建局",
        UnitKind.DEPARTMENT,
        [("市城乡建设委员会", "former", None, datetime.date(2019, 1, 20))],
    ),
    ("示例市交通运输局", "市交通运输局", UnitKind.DEPARTMENT, [("市交通局", "alias", None, None)]),
    ("示例市水利局", "市水利局", UnitKind.DEPARTMENT, []),
    (
        "示例市农业农村局",
        "市农业农村局",
        UnitKind.DEPARTMENT,
        [("市农业局", "former", None, datetime.date(2019, 1, 20))],
    ),
    ("示例市林业局", "市林业局", UnitKind.DEPARTMENT, []),
    ("示例市商务局", "市商务局", UnitKind.DEPARTMENT, []),
    (
        "示例市文化和旅游局",
        "市文旅局",
        UnitKind.DEPARTMENT,
        [
            ("市文化广电新闻出版局", "former", None, datetime.date(2019, 1, 20)),
            ("市旅游委", "former", None, datetime.date(2019, 1, 20)),
        ],
    ),
    (
        "示例市卫生健康委员会",
        "市卫健委",
        UnitKind.DEPARTMENT,
        [("市卫生计生委", "former", None, datetime.date(2019, 1, 20))],
    ),
    (
        "示例市应急管理局",
        "市应急局",
        UnitKind.DEPARTMENT,
        [("市安全监管局", "former", None, datetime.date(2019, 1, 20))],
    ),
    ("示例市统计局", "市统计局", UnitKind.DEPARTMENT, []),
    ("示例市人民政府国有资产监督管理委员会", "市国资委", UnitKind.DEPARTMENT, []),
    ("示例市医疗保障局", "市医保局", UnitKind.DEPARTMENT, []),
    ("示例市城市管理局", "市城管局", UnitKind.DEPARTMENT, []),
    ("示例市大数据管理局", "市大数据局", UnitKind.DEPARTMENT, []),
    ("示例市知识产权局", "市知识产权局", UnitKind.DEPARTMENT, []),
    ("示例市地方金融管理局", "市金融局", UnitKind.DEPARTMENT, []),
    ("中共示例市委宣传部", "市委宣传部", UnitKind.PARTY, []),
    ("中共示例市委组织部", "市委组织部", UnitKind.PARTY, []),
    ("示例市总工会", "市总工会", UnitKind.ENTERPRISE_BODY, []),
    ("示例海关", "示例海关", UnitKind.OUTSIDE, []),
    (
        "国家金融监督管理总局示例监管分局",
        "示例金融监管分局",
        UnitKind.OUTSIDE,
        [("示例银保监分局", "former", None, datetime.date(2023, 11, 30))],
    ),
    ("国家税务总局示例市税务局", "市税务局", UnitKind.OUTSIDE, []),
    ("示例市气象局", "市气象局", UnitKind.OUTSIDE, []),
    ("示例市邮政管理局", "市邮政管理局", UnitKind.OUTSIDE, []),
    ("示例市消防救援支队", "市消防救援支队", UnitKind.OUTSIDE, []),
    ("示例市计量检定测试所", "市计量所", UnitKind.ENTERPRISE_BODY, []),
]
# Merged into 市场监管局 by the 2018 reform: name, short name.
MERGED_2018 = [
    ("示例市质量技术监督局", "市质监局"),
    ("示例市工商行政管理局", "市工商局"),
    ("示例市食品药品监督管理局", "市食药监局"),
]
NEAR_MISSES = [
    ("市农业局", "市林业局"),
    ("市水利局", "市水务局"),
    ("市商务局", "市财政局"),
    ("市文旅局", "市文联"),
]


@dataclass
class World:
    province: object = None
    city: object = None
    districts: list = field(default_factory=list)
    zone: object = None
    units: dict = field(default_factory=dict)  # short name -> OrgUnit
    users: dict = field(default_factory=dict)  # role handle -> User
    size: str = "small"

    def unit(self, short):
        return self.units[short]

    def user(self, handle):
        return self.users[handle]


def is_demo_database() -> bool:
    from .models import SiteFlag

    return SiteFlag.objects.filter(key="demo", value="1").exists()


def database_is_empty() -> bool:
    from .models import OrgUnit, User

    return not User.objects.exists() and not OrgUnit.objects.exists()


class NotADemoDatabase(Exception):
    pass


def build(size: str = "small") -> World:
    """Build (or complete) the demo world; refuses a database that holds real data.

    Everything is written in one transaction: a failure anywhere leaves the database as it
    was (no half-built world, no demo flag), so the next run starts clean."""
    from . import audit, rulebook, workdays
    from .models import SiteFlag

    world = World(size=size)
    # rules and holidays are read once for the whole build (the demo changes neither after
    # _build_core has seeded the holidays): hundreds of case clocks are computed from them
    with audit.acting_as(None, label="qcity demo"), transaction.atomic(), rulebook.held():
        if not is_demo_database():
            if not database_is_empty():
                raise NotADemoDatabase(
                    "该数据库已有正式数据且未标记为演示库，拒绝创建演示用户（已知密码的账号只能存在于演示库）。"
                )
            SiteFlag.objects.create(key="demo", value="1")
        _build_core(world)
        with workdays.held():
            modules = []
            for config in apps.get_app_configs():
                if not config.name.startswith("qcity.") or config.label == "core":
                    continue
                try:
                    modules.append(importlib.import_module(f"{config.name}.demo"))
                except ModuleNotFoundError:
                    continue
            # a module that scores the evidence (考核) runs after every module that adds some,
            # so its recorded scores read the same figures as the dashboards
            for module in sorted(modules, key=lambda m: getattr(m, "READS_ALL_EVIDENCE", False)):
                module.build(world, size)
            _take_lights()
    return world


def _take_lights():
    """This month's lights, taken after every app has added its figures (as the daily scan
    does), so the home page and the plan overview show the same lights on the build day."""
    if apps.is_installed("qcity.indicators"):
        from qcity.indicators.tasks import daily_lights

        daily_lights()


def _region(code, name, level, parent):
    from .models import Region

    region, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    return region


def _unit(name, short, kind, region, **extra):
    from .models import OrgUnit

    unit, _ = OrgUnit.objects.get_or_create(
        region=region, name=name, defaults={"short_name": short, "kind": kind, **extra}
    )
    return unit


def _name(unit, name, kind, valid_from=None, valid_to=None, note=""):
    from .models import OrgUnitName

    OrgUnitName.objects.get_or_create(
        unit=unit,
        name=name,
        defaults={"kind": kind, "valid_from": valid_from, "valid_to": valid_to, "note": note},
    )


def _user(world, handle, username, display, roles, liaison=False):
    from .models import RoleAssignment, User

    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display, "must_change_password": False}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.phone = f"139{int(hashlib.sha256(username.encode()).hexdigest(), 16) % 10**8:08d}"
        user.save()
    for role, unit in roles:
        RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            unit=unit,
            defaults={"is_liaison": liaison and role == Role.UNIT_STAFF},
        )
    world.users[handle] = user
    return user


def _build_core(world: World):
    from . import workdays
    from .models import Holiday, NearMissPair

    world.province = _region("990000", "示例省", RegionLevel.PROVINCE, None)
    world.city = _region("990100", "示例市", RegionLevel.CITY, world.province)
    world.districts = [
        _region(code, name, RegionLevel.COUNTY, world.city) for code, name in DISTRICTS
    ]
    world.zone = _region(ZONE[0], ZONE[1], RegionLevel.ZONE, world.city)

    _unit("示例省市场监督管理局", "省市场监管局", UnitKind.DEPARTMENT, world.province)
    for name, short, kind, names in CITY_UNITS:
        unit = _unit(name, short, kind, world.city)
        world.units[short] = unit
        _name(unit, short, "alias")
        for other, other_kind, start, end in names:
            _name(unit, other, other_kind, start, end)
    market = world.units["市市场监管局"]
    for name, short in MERGED_2018:
        old = _unit(
            name,
            short,
            UnitKind.DEPARTMENT,
            world.city,
            is_active=False,
            dissolved_on=REFORM_DAY,
            successor=market,
        )
        world.units[short] = old
        _name(
            old,
            short,
            "former",
            None,
            REFORM_DAY - datetime.timedelta(days=1),
            "2018年机构改革并入市场监督管理局",
        )
    for region in [*world.districts, world.zone]:
        is_zone = region.level == RegionLevel.ZONE
        gov_name = f"{region.name}管理委员会" if is_zone else f"{region.name}人民政府"
        gov = _unit(
            gov_name,
            region.name + ("管委会" if is_zone else "政府"),
            UnitKind.ZONE_COMMITTEE if is_zone else UnitKind.DISTRICT_GOVERNMENT,
            region,
        )
        world.units[gov.short_name] = gov
        _name(gov, gov.short_name, "alias")
        msa = _unit(
            f"{region.name}市场监督管理局",
            f"{region.name}市场监管局",
            UnitKind.DEPARTMENT,
            region,
            parent=market,
        )
        world.units[msa.short_name] = msa
        _name(msa, msa.short_name, "alias")
    for left, right in NEAR_MISSES:
        NearMissPair.objects.get_or_create(left=left, right=right)
    if not Holiday.objects.exists():
        workdays.seed_from_library(workdays.library_years())
        if not Holiday.objects.filter(kind=DayKind.WORKDAY).exists():
            raise RuntimeError("holiday library returned no 调休 days")

    district = world.districts[0]
    _user(world, "office_admin", "admin", "王质量", [(Role.OFFICE_ADMIN, world.units["市质量办"])])
    _user(world, "auditor", "auditor", "审计员", [(Role.AUDITOR, None)])
    _user(world, "market_staff", "scjg", "李监管", [(Role.UNIT_STAFF, market)], liaison=True)
    _user(
        world,
        "construction_staff",
        "zjj",
        "赵住建",
        [(Role.UNIT_STAFF, world.units["市住建局"])],
        liaison=True,
    )
    _user(
        world,
        "agriculture_staff",
        "nyj",
        "钱农业",
        [(Role.UNIT_STAFF, world.units["市农业农村局"])],
        liaison=True,
    )
    _user(
        world,
        "district_staff",
        "jb_scjg",
        "孙江北",
        [(Role.UNIT_STAFF, world.units[f"{district.name}市场监管局"])],
        liaison=True,
    )
    _user(
        world,
        "district_gov_staff",
        "jb_gov",
        "周区府",
        [(Role.UNIT_STAFF, world.units[f"{district.name}政府"])],
        liaison=True,
    )
    _user(
        world,
        "other_district_staff",
        "jn_scjg",
        "吴江南",
        [(Role.UNIT_STAFF, world.units[f"{world.districts[1].name}市场监管局"])],
    )
    _user(world, "inspector", "inspector1", "郑检查", [(Role.INSPECTOR, market)])
    _user(
        world,
        "inspector2",
        "inspector2",
        "冯检查",
        [(Role.INSPECTOR, world.units[f"{district.name}市场监管局"])],
    )
    _user(
        world, "inspector3", "inspector3", "陈检查", [(Role.INSPECTOR, world.units["市农业农村局"])]
    )
    _user(
        world,
        "multi_role",
        "multi",
        "褚双岗",
        [(Role.UNIT_STAFF, market), (Role.INSPECTOR, market)],
    )


HANDLES = {
    "office_admin": "admin",
    "auditor": "auditor",
    "market_staff": "scjg",
    "construction_staff": "zjj",
    "agriculture_staff": "nyj",
    "district_staff": "jb_scjg",
    "district_gov_staff": "jb_gov",
    "other_district_staff": "jn_scjg",
    "inspector": "inspector1",
    "inspector2": "inspector2",
    "inspector3": "inspector3",
    "multi_role": "multi",
}


def load_world(size: str = "small") -> World:
    """The demo world as stored (fresh instances), without building anything."""
    from .models import OrgUnit, Region, User

    world = World(size=size)
    world.province = Region.objects.get(code="990000")
    world.city = Region.objects.get(code="990100")
    world.districts = [Region.objects.get(code=code) for code, _ in DISTRICTS]
    world.zone = Region.objects.get(code=ZONE[0])
    world.units = {u.short_name: u for u in OrgUnit.objects.filter(region__code__startswith="9901")}
    users = {u.username: u for u in User.objects.filter(username__in=HANDLES.values())}
    world.users = {handle: users[name] for handle, name in HANDLES.items()}
    return world
