"""The registry's part of the demo world (deterministic): category trees, 200 (small) or
2 400 (full) enterprises with valid credit codes and credit classes across the districts,
inspectors from the city and 江北区 market-regulation bureaus and the 农业农村局, testing
institutions."""

from __future__ import annotations

import random

from django.utils import timezone

from qcity.core.choices import Role

from . import creditcode
from .choices import CreditClass, EnterpriseScale, EnterpriseType, LicenceKind
from .models import (
    CreditClassChange,
    Enterprise,
    Inspector,
    Licence,
    ProductCategory,
    TestingInstitution,
)
from .services import load_categories

SIZES = {"small": 200, "full": 2400}
TRADE_NAMES = list("禾丰瑞康泰华盛鑫源旺达恒祥和益美佳润福宏嘉兴隆金晨光远辰昌卓越")
TRADES = [
    ("食品", "producer", "食品制造业"),
    ("粮油", "producer", "农副食品加工业"),
    ("乳业", "producer", "食品制造业"),
    ("酿造", "producer", "酒、饮料和精制茶制造业"),
    ("电器", "producer", "电气机械和器材制造业"),
    ("建材", "producer", "非金属矿物制品业"),
    ("服饰", "producer", "纺织服装、服饰业"),
    ("玩具", "producer", "文教、工美、体育和娱乐用品制造业"),
    ("超市", "distributor", "零售业"),
    ("商贸", "distributor", "批发业"),
    ("餐饮", "catering", "餐饮业"),
    ("电子商务", "online", "互联网和相关服务"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
INSTITUTIONS = [
    ("示例市食品药品检验检测中心", "221012345678", "CNAS L1234", "食品、食用农产品、保健食品"),
    ("示例市产品质量监督检验研究院", "221012345679", "CNAS L2345", "电子电器、建材、日用消费品"),
    ("示例省食品检验研究院", "221012345680", "CNAS L3456", "食品、食品添加剂、食品相关产品"),
    ("示例市农产品质量安全检测中心", "221012345681", "", "食用农产品农药兽药残留"),
]
EXTRA_INSPECTORS = [  # (username, display name, unit short name)
    ("insp_sj01", "林检查", "市市场监管局"),
    ("insp_sj02", "高检查", "市市场监管局"),
    ("insp_sj03", "何检查", "市市场监管局"),
    ("insp_sj04", "罗检查", "市市场监管局"),
    ("insp_sj05", "梁检查", "市市场监管局"),
    ("insp_jb01", "宋检查", "江北区市场监管局"),
    ("insp_jb02", "唐检查", "江北区市场监管局"),
    ("insp_jb03", "许检查", "江北区市场监管局"),
    ("insp_ny01", "韩检查", "市农业农村局"),
    ("insp_ny02", "冯农检", "市农业农村局"),
]


def _class(rng) -> str:
    x = rng.random()
    return "A" if x < 0.30 else "B" if x < 0.80 else "C" if x < 0.95 else "D"


def build(world, size):
    load_categories()
    _institutions()
    _inspectors(world)
    if Enterprise.objects.exists():
        return
    rng = random.Random(20260501)
    regions = [*world.districts, world.zone]
    n = SIZES.get(size, SIZES["small"])
    enterprises, seen = [], set()
    # the choices' value lists, built once (each `.values` makes a new list: 2,400 times)
    scales, types = EnterpriseScale.values, set(EnterpriseType.values)
    for k in range(n):
        region = regions[k % len(regions)] if k < len(regions) * 3 else rng.choice(regions)
        trade, etype, industry = TRADES[k % len(TRADES)]
        name = f"示例市{region.name[:2]}{rng.choice(TRADE_NAMES)}{rng.choice(TRADE_NAMES)}{trade}有限公司"
        if name in seen:
            name = name.replace("有限公司", f"第{k}分公司")
        seen.add(name)
        unverified = k % 50 == 49
        division = region.code[:6]
        enterprises.append(
            Enterprise(
                name=name,
                credit_code=None if unverified else creditcode.generate(rng, division=division),
                verified=not unverified,
                legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                address=f"示例市{region.name}{rng.choice(['人民路', '建设路', '工业大道', '湖滨路', '新华街'])}{rng.randint(1, 999)}号",
                region=region,
                industry=industry,
                scale=rng.choice(scales),
                enterprise_type=etype if etype in types else "other",
                credit_class="" if unverified else _class(rng),
                contact_phone=f"138{rng.randint(10**7, 10**8 - 1)}",
            )
        )
    Enterprise.objects.bulk_create(enterprises, batch_size=500)
    rows = Enterprise.objects.exclude(credit_class="").values_list("pk", "credit_class")
    CreditClassChange.objects.bulk_create(
        [
            CreditClassChange(
                enterprise_id=pk,
                old_class="",
                new_class=cls,
                actor_label="qcity demo",
                reason=f"{timezone.localdate().year - 1}年度企业信用风险分类结果导入",
            )
            for pk, cls in rows
        ],
        batch_size=1000,
    )
    licences = []
    for e in Enterprise.objects.filter(enterprise_type="producer", verified=True).order_by("pk")[
        : n // 3
    ]:
        licences.append(
            Licence(
                enterprise=e,
                kind=LicenceKind.FOOD_PRODUCTION,
                number=f"SC{rng.randint(10**13, 10**14 - 1)}",
                valid_to=f"20{rng.randint(26, 30)}-12-31",
            )
        )
    Licence.objects.bulk_create(licences, ignore_conflicts=True)


def _institutions():
    for name, cma, cnas, scope in INSTITUTIONS:
        TestingInstitution.objects.get_or_create(
            name=name, defaults={"cma_no": cma, "cnas_no": cnas, "scope_text": scope}
        )


def _inspectors(world):
    from qcity.core.demo import _user

    base = [
        ("inspector", "市市场监管局"),
        ("inspector2", "江北区市场监管局"),
        ("inspector3", "市农业农村局"),
        ("multi_role", "市市场监管局"),
    ]
    for username, display, unit in EXTRA_INSPECTORS:
        _user(world, username, username, display, [(Role.INSPECTOR, world.units[unit])])
        base.append((username, unit))
    for k, (handle, unit) in enumerate(base, start=1):
        user = world.users[handle]
        Inspector.objects.get_or_create(
            user=user,
            defaults={
                "unit": world.units[unit],
                "certificate_no": f"99010{k:04d}",
                "qualifications": "食品安全、产品质量" if "市场" in unit else "农产品质量安全",
            },
        )


def categories():
    return ProductCategory.objects.all()


__all__ = ["CreditClass", "build"]
