"""The inspection part of the demo world (deterministic from a seed): 抽查事项清单, a published
and re-verifiable 双随机 draw with inspection records, a year of sampling across levels and
sample types with realistic failure rates by category, open and overdue disposal cases of
both chains and one result overturned by 复检."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from qcity.registry.models import Enterprise, ProductCategory, TestingInstitution

from . import services
from .choices import Channel, Conclusion, Level, Outcome, SampleType, TaskStatus
from .models import (
    DisposalCase,
    InspectionItemList,
    RandomInspectionTask,
    Sample,
    SamplingPlan,
    TestItem,
)

SIZES = {"small": 300, "full": 4000}
# failure rate by food 大类 code (national reports: 食用农产品 and 餐饮食品 fail most often)
FAIL_RATES = {"F33": 0.045, "F31": 0.05, "F16": 0.035, "F12": 0.03, "F24": 0.03, "F03": 0.02}
DEFAULT_FAIL = 0.015
PRODUCT_FAIL = 0.08
FAIL_ITEMS = {
    "F33": ("毒死蜱", "0.12mg/kg", "≤0.02mg/kg"),
    "F31": ("大肠菌群", "检出", "不得检出"),
    "F16": ("亚硝酸盐(以NaNO2计)", "35mg/kg", "≤20mg/kg"),
    "F12": ("菌落总数", "2.2×105CFU/g", "≤10000CFU/g"),
    "F24": ("过氧化值(以脂肪计)", "0.42g/100g", "≤0.25g/100g"),
    "F03": ("苯甲酸及其钠盐(以苯甲酸计)", "1.35g/kg", "≤1.0g/kg"),
    "F01": ("脱氧雪腐镰刀菌烯醇", "1320μg/kg", "≤1000μg/kg"),
    "F": ("铅(以Pb计)", "0.35mg/kg", "≤0.2mg/kg"),
    "P": ("标志和说明", "不符合", "应符合GB 4706.1-2005 第7章"),
}
PASS_ITEMS = {"F": ("铅(以Pb计)", "0.05mg/kg", "≤0.2mg/kg"), "P": ("电气强度", "无击穿", "无击穿")}
PUBLIC_VALUE = "3 8 2 1 7"  # an 排列5 result as published; its issue is the day before the draw


def _last_month_end(today):
    return today.replace(day=1) - datetime.timedelta(days=1)


def build(world, size):
    if Sample.objects.exists():
        return
    rng = random.Random(20260502)
    today = timezone.localdate()
    end = _last_month_end(today)
    start = (end.replace(day=1) - datetime.timedelta(days=330)).replace(day=1)
    # the county plan belongs to 山前区 so the 江北区 handles used by core tests stay quiet
    market, district_msa = world.units["市市场监管局"], world.units["山前区市场监管局"]
    agri = world.units["市农业农村局"]
    # the year's 双随机 plan covers the calendar year of the build date and is drawn on it
    _draw(
        world,
        market,
        agri,
        datetime.date(today.year, 1, 1),
        datetime.date(today.year, 12, 31),
        size,
    )
    leaves = {c.code: c for c in ProductCategory.objects.filter(level__gte=3, kind="food")}
    product_cats = list(ProductCategory.objects.filter(level=2, kind="product"))
    plans = [
        ("市级食品安全监督抽检计划", market, Level.CITY, SampleType.SUPERVISION, "F", world.city),
        ("市级食品安全评价性抽检计划", market, Level.CITY, SampleType.EVALUATION, "F", world.city),
        ("市级食品安全风险监测计划", market, Level.CITY, SampleType.RISK, "F", world.city),
        (
            "山前区食品安全监督抽检计划",
            district_msa,
            Level.COUNTY,
            SampleType.SUPERVISION,
            "F",
            world.districts[3],
        ),
        (
            "省级食品安全监督抽检（示例市部分）",
            world.units["市市场监管局"],
            Level.PROVINCE,
            SampleType.SUPERVISION,
            "F",
            world.city,
        ),
        ("市级产品质量监督抽查计划", market, Level.CITY, SampleType.SUPERVISION, "P", world.city),
    ]
    plan_objs = []
    for name, unit, level, stype, kind, region in plans:
        category = ProductCategory.objects.get(
            code="F33"
            if kind == "F" and stype == SampleType.RISK
            else ("F01" if kind == "F" else "P01")
        )
        plan, _c = SamplingPlan.objects.get_or_create(
            name=f"{end.year}年{name}",
            defaults={
                "unit": unit,
                "level": level,
                "sample_type": stype,
                "category": category,
                "region": region,
                "period_start": start,
                "period_end": end,
                "planned_batches": 100,
            },
        )
        plan_objs.append((plan, kind))
    producers = list(Enterprise.objects.filter(enterprise_type="producer").order_by("pk"))
    food_words = ("食品", "农副", "酒")
    food_producers = [e for e in producers if any(w in e.industry for w in food_words)]
    food_pks = {e.pk for e in food_producers}  # by pk: `e not in list` was 2,400² model compares
    goods_producers = [e for e in producers if e.pk not in food_pks] or producers
    sellers = list(Enterprise.objects.exclude(enterprise_type="producer").order_by("pk"))
    labs = list(TestingInstitution.objects.order_by("pk"))
    food_leaf_codes = sorted(leaves)
    n = SIZES.get(size, SIZES["small"])
    samples, items = [], []
    days = (end - start).days
    for k in range(n):
        plan, kind = plan_objs[k % len(plan_objs)] if k % 7 else plan_objs[5]
        if kind == "F":
            if plan.sample_type == SampleType.RISK:
                code = rng.choice([c for c in food_leaf_codes if c.startswith("F33")])
            else:
                code = rng.choice(food_leaf_codes)
            category = leaves[code]
            rate = FAIL_RATES.get(code[:3], DEFAULT_FAIL)
        else:
            category = rng.choice(product_cats)
            rate = PRODUCT_FAIL
        region_sample = plan.region if plan.region != world.city else rng.choice(world.districts)
        producer = rng.choice(food_producers if kind == "F" else goods_producers)
        channel = rng.choice(
            [
                Channel.PRODUCTION,
                Channel.CIRCULATION,
                Channel.CIRCULATION,
                Channel.CATERING,
                Channel.ONLINE,
            ]
            if kind == "F"
            else [Channel.PRODUCTION, Channel.CIRCULATION]
        )
        sampled_on = start + datetime.timedelta(days=rng.randint(0, days))
        failed = rng.random() < rate
        pending = sampled_on > end - datetime.timedelta(days=10) and rng.random() < 0.5
        conclusion = (
            Conclusion.PENDING if pending else (Conclusion.FAIL if failed else Conclusion.PASS)
        )
        samples.append(
            Sample(
                number=f"DC{sampled_on:%y%m}{k:06d}",
                plan=plan,
                unit=plan.unit,
                kind=category.kind,
                level=plan.level,
                sample_type=plan.sample_type,
                producer=producer,
                sampled_unit=rng.choice(sellers) if channel != Channel.PRODUCTION else producer,
                product_name=category.name,
                spec=rng.choice(
                    ["500g/袋", "1kg/袋", "250mL/瓶", "散装", "/"]
                    if kind == "F"
                    else ["/", "标准型", "GB/T 规格"]
                ),
                category=category,
                category_code=category.code,
                region=region_sample,
                channel=channel,
                batch=f"{sampled_on - datetime.timedelta(days=rng.randint(5, 60)):%Y%m%d}",
                sampler="郑检查、林检查",
                sampled_on=sampled_on,
                lab=labs[0 if kind == "F" else 1],
                conclusion=conclusion,
                reported_on=None
                if pending
                else min(end, sampled_on + datetime.timedelta(days=rng.randint(10, 25))),
                is_public=not pending,
            )
        )
    Sample.objects.bulk_create(samples, batch_size=500)
    for s in Sample.objects.exclude(conclusion=Conclusion.PENDING).only(
        "pk", "kind", "category_code", "conclusion"
    ):
        prefix = s.category_code[:3] if s.kind == "food" else "P"
        spec = (
            FAIL_ITEMS.get(prefix) or FAIL_ITEMS[s.kind == "food" and "F" or "P"]
            if s.conclusion == Conclusion.FAIL
            else PASS_ITEMS["F" if s.kind == "food" else "P"]
        )
        items.append(
            TestItem(
                sample_id=s.pk,
                item=spec[0],
                value_text=spec[1],
                limit_text=spec[2],
                verdict=s.conclusion,
                method_standard="GB 5009.12-2017" if s.kind == "food" else "GB 4706.1-2005",
            )
        )
    TestItem.objects.bulk_create(items, batch_size=1000)
    services.rebuild_rollup()
    _cases(end, today)
    if size == "full":  # the test world leaves computed figures to the tests that need them
        compute_indicators(start, end)


class _Walk:
    """Walks one case along its chain as the office would have, up to the build date: a step
    whose date is still ahead is not taken, nor is any after it, so the case stays open at the
    stage it has really reached on that day (and is overdue there if its clock has run out)."""

    def __init__(self, case, today):
        self.case, self.today, self.stopped = case, today, False

    def act(self, action, on, **data) -> bool:
        if self.stopped or on > self.today:
            self.stopped = True
            return False
        self.case = services.act(self.case, action, on=on, **data)
        return True


def _cases(end, today):
    failed = list(Sample.objects.filter(conclusion=Conclusion.FAIL).order_by("sampled_on", "pk"))
    for s in failed:
        services.open_case(s, None, quiet=True)
    food = list(DisposalCase.objects.filter(chain="food").order_by("opened_on", "pk"))
    product = list(DisposalCase.objects.filter(chain="product").order_by("opened_on", "pk"))
    day = datetime.timedelta(days=1)
    # food chain: older cases walked to closure, one overturned, some left open/overdue; 召回、
    # 下架 is ordered the day after serving, inside the 复检 window (due at once, Order 15 Art 39)
    overturned = False
    for k, case in enumerate(food[: max(0, len(food) - 4)]):
        walk = _Walk(case, today)
        served = case.opened_on + 3 * day
        if not walk.act("serve_notice", served):
            continue
        # the overturned case is one whose failing item may be re-tested (not microbiological)
        if not overturned and not services.retest_refusal(walk.case, served + 2 * day):
            overturned = True
            if walk.act("request_retest", served + 2 * day):
                walk.act("retest_result", served + 12 * day, passed=True)
            continue
        if k % 3 == 2:
            continue  # left in the 复检 window (overdue for 启动核查 and for 召回)
        walk.act("recall", served + day)
        verified = walk.case.due + day
        walk.act("start_verification", verified)
        walk.act("order_rectification", max(served + 16 * day, verified))
        if k % 4 == 1:
            walk.act(
                "file_penalty",
                max(served + 20 * day, verified),
                penalty_case_no=f"示市监罚〔{end.year}〕{k:03d}号",
            )
        if k % 2 == 1:
            walk.act(
                "close",
                max(served + 40 * day, verified),
                evidence="整改报告、复查记录及处罚决定书已归档",
            )
    for k, case in enumerate(product[: max(0, len(product) - 3)]):
        walk = _Walk(case, today)
        served = case.opened_on + 3 * day
        if not walk.act("serve_notice", served):
            continue
        walk.act("recall", served + day)  # 停止生产、销售 at once (Order 18 Art 45)
        rect_on = walk.case.due + day
        walk.act("order_rectification", rect_on)
        recheck_on = rect_on + 70 * day
        if k % 3 == 0:
            walk.act("recheck", recheck_on, passed=True, evidence="复查合格")
        elif k % 3 == 1 and walk.act("recheck", recheck_on, passed=False):
            walk.act("recheck", recheck_on + 70 * day, passed=False)
    services.scan_overdue(today)


def compute_indicators(start, end):
    """Store the computed pass rates for every demo month, as the nightly job would."""
    from qcity.indicators import services as indicator_services

    for month_start, month_end in indicator_services.months_of(
        [start + datetime.timedelta(days=31 * k) for k in range(13)]
    ):
        if month_start <= end:
            indicator_services.recompute(start=month_start, end=month_end)


def _draw(world, market, agri, start, end, size):
    if RandomInspectionTask.objects.exists():
        return
    items = InspectionItemList.objects.create(
        unit=market,
        name=f"{end.year}年市市场监管局随机抽查事项清单",
        year=end.year,
        items="\n".join(
            [
                "企业公示信息情况检查（企业信息公示暂行条例）",
                "食品生产者生产活动检查（食品安全法第一百一十条）",
                "工业产品生产许可证获证企业检查（工业产品生产许可证管理条例）",
                "计量器具使用情况检查（计量法）",
            ]
        ),
    )
    InspectionItemList.objects.create(
        unit=agri,
        name=f"{end.year}年市农业农村局随机抽查事项清单",
        year=end.year,
        items="农药经营许可检查（农药管理条例）\n兽药经营质量检查（兽药管理条例）",
    )
    task = services.create_task(
        {
            "name": f"{end.year}年度市场主体“双随机、一公开”联合抽查",
            "unit": market,
            "item_list": items,
            # the full world has too many enterprises for three agriculture inspectors under the
            # workload cap, so its joint task covers one district, as such tasks usually do
            "region": world.city if size == "small" else world.districts[0],
            "period_start": start,
            "period_end": end,
            "mode": "ratio",
            "ratio_a": Decimal("1"),
            "ratio_b": Decimal("2"),
            "ratio_c": Decimal("10"),
            "ratio_d": Decimal("30"),
            "joint_units": [agri],
        }
    )
    # A past draw, dated from the build day: committed three days ago, the 排列5 issue drawn
    # two days ago at 21:25 (after the commitment), the value entered yesterday morning.
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    committed = midnight - datetime.timedelta(days=3) + datetime.timedelta(hours=10)
    available = midnight - datetime.timedelta(days=2) + datetime.timedelta(hours=21, minutes=25)
    entered = midnight - datetime.timedelta(days=1) + datetime.timedelta(hours=9)
    issue = f"{available:%y}{available.timetuple().tm_yday:03d}"
    task = services.commit_task(
        task,
        source_name="中国体育彩票“排列5”",
        source_issue=issue,
        source_format="pl5-5x1",
        available_at=available,
        at=committed,
    )
    task = services.enter_public_value(
        task, PUBLIC_VALUE, f"体彩排列5第{issue}期开奖公告", at=entered
    )
    assert task.status == TaskStatus.DRAWN
    outcomes = [Outcome.NO_PROBLEM] * 6 + [Outcome.FIXED, Outcome.PENDING, Outcome.NOT_OPERATING]
    entries = list(task.entries.order_by("position"))
    for k, entry in enumerate(
        entries[: max(0, len(entries) - 3)]
    ):  # the last ones still to inspect
        record = services.record_inspection(
            {
                "entry": entry,
                "inspected_on": min(
                    timezone.localdate(), task.drawn_at.date() + datetime.timedelta(days=k % 5)
                ),
                "findings": "现场检查营业执照、许可证、进货查验记录，未发现异常。"
                if outcomes[k % len(outcomes)] == Outcome.NO_PROBLEM
                else "进货查验记录不全，已现场责令改正。",
                "outcome": outcomes[k % len(outcomes)],
            }
        )
        if k % 4 != 3:
            services.publish_record(record)
    # a draft task for the office to try the draw
    services.create_task(
        {
            "name": f"{end.year}年江北区食品生产企业专项抽查（草拟）",
            "unit": market,
            "region": world.districts[0],
            "enterprise_type": "producer",
            "period_start": start,
            "period_end": end,
            "mode": "ratio",
        }
    )
