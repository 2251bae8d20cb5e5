"""The core loop end to end (ARCHITECTURE.md): importing a batch of failed food samples moves a
plan's food pass-rate target (食品抽检合格率 ≥ 98.5%) from 进度正常 to 存在风险, and the
computed figure's drill-down lists those samples.

Why not the demo plan's own target: the demo's reported figures are fixed in calendar time
(January 2024 – October 2026) while its samples, the import's "no future dates" check and the
status date follow today, so its before-light depends on the day the test runs; and the demo's
8–26 food samples a month make any monthly computed figure jump between 100% (已达成) and
~92% (严重滞后). So the target is made here on the same library indicator, for the 高新区
(no demo samples there), with a plan period around today: the 市市场监管局 reported monthly
figures on the plan line, then last month's results arrived as an import (some failures), and
now a batch of failed results for last month is imported the way a bureau does it.
"""

import datetime
import io

from django.template.defaultfilters import floatformat
from django.utils import timezone
from openpyxl import Workbook

from qcity.core import audit
from qcity.core.models import Job
from qcity.core.services import create_object
from qcity.indicators import evaluation
from qcity.indicators import services as indicator_services
from qcity.indicators.models import Indicator, Observation
from qcity.indicators.status import StatusBoard, rule_arguments, target_status
from qcity.inspection import services
from qcity.inspection.models import Sample
from qcity.registry.models import Enterprise, ProductCategory

GOAL = 98.5
BASELINE = 95.0
HISTORY = 200  # results of last month already imported
HEADER = [  # the national 食品安全监督抽检 table
    "序号",
    "标称生产企业名称",
    "标称生产企业地址",
    "被抽样单位名称",
    "被抽样单位地址",
    "食品名称",
    "规格型号",
    "商标",
    "生产日期/批号",
    "不合格项目║检验结果║标准值",
    "分类",
    "公告号",
    "公告日期",
    "任务来源/项目名称",
    "检验机构",
]
FAIL_ITEM = "铅(以Pb计)║0.35mg/kg║≤0.2mg/kg"


def table(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["示例市食品安全监督抽检产品信息"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rows(producer, first_seq, count, *, failed, notice_on, shop):
    """``count`` rows sampled from ``shop`` in the 高新区, announced on ``notice_on`` (the
    import's sampling date for a national table); distinct production dates keep them apart."""
    out = []
    for i in range(count):
        made = notice_on - datetime.timedelta(days=40 + first_seq + i)
        out.append(
            [
                first_seq + i,
                producer.name,
                producer.address,
                shop,
                "示例高新技术产业开发区科技大道8号",
                "通用小麦粉",
                "1kg/袋",
                "/",
                made.isoformat(),
                FAIL_ITEM if failed(i) else "",
                "小麦粉",
                f"{notice_on.year}年第{notice_on.month}期",
                notice_on.isoformat(),
                "市级监督抽检",
                "示例市食品药品检验检测中心",
            ]
        )
    return out


def lag_for(value, share, baseline):
    """Points behind 序时进度 for a current value (the evaluation's own formulas)."""
    return (share - evaluation.progress_share(value, baseline, GOAL)) * 100


def test_failed_batch_turns_food_target_yellow_and_drills_down(
    world, client_for, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    year = today.year
    admin = world.user("office_admin")
    market = world.unit("市市场监管局")
    zone = world.zone
    food = Indicator.objects.get(key="food_sampling_pass_rate")
    # loaded from the library with a registered computer: the computed figures are preferred
    assert food.computed_by == "inspection.food_pass_rate" and food.prefer == "computed"

    with audit.acting_as(admin, label="test"):
        from qcity.plans.models import Plan, Target

        plan = create_object(
            Plan,
            {
                "title": f"示例高新区食品安全提升行动方案（{year - 2}—{year + 1}年）",
                "kind": "实施方案",
                "region": zone,
                "period_start": year - 2,
                "period_end": year + 1,
            },
            admin,
        )
        target = create_object(
            Target,
            {
                "plan": plan,
                "indicator_text": "食品抽检合格率",
                "op": ">=",
                "value": GOAL,
                "unit": "%",
                "year": year + 1,
                "kind": "level",
                "direction": "up",
                "region": zone,
            },
            admin,
        )
        indicator_services.confirm_link(target, food, {}, [market], admin)
        start, deadline = datetime.date(year - 2, 1, 1), datetime.date(year + 1, 12, 31)
        # the bureau's monthly reported figures, on the plan line, up to last month
        month = start
        while month <= last_month:
            end = indicator_services.month_bounds(month)[1]
            share = evaluation.elapsed_share(start, deadline, end)
            indicator_services.record_observation(
                indicator=food,
                region=zone,
                period_start=month,
                period_end=end,
                period_kind="month",
                value=round(BASELINE + (GOAL - BASELINE) * share, 2),
                unit=market,
                user=admin,
            )
            month = end + datetime.timedelta(days=1)
        sampling_plan = services.create_plan(
            {
                "name": "高新区食品安全监督抽检计划",
                "unit": market,
                "level": "city",
                "sample_type": "supervision",
                "category": ProductCategory.objects.get(code="F01"),
                "region": zone,
                "period_start": last_month,
                "period_end": datetime.date(year, 12, 31),
            }
        )
    producer = Enterprise.objects.filter(verified=True).order_by("pk").first()
    rules = rule_arguments()  # the thresholds as the office set them
    yellow, red = rules["yellow_lag"], rules["red_lag"]
    share = evaluation.elapsed_share(start, deadline, today)
    baseline = float(Observation.for_series(food, "{}", zone).first().value)
    announced = min(last_month + datetime.timedelta(days=19), today)

    # last month's results: the fewest failures that keep the rate under the goal
    fails_before = next(f for f in range(1, HISTORY) if (HISTORY - f) * 100 / HISTORY < GOAL)
    before_value = (HISTORY - fails_before) * 100 / HISTORY
    assert lag_for(before_value, share, baseline) < yellow
    history = table(
        rows(
            producer,
            1,
            HISTORY,
            failed=lambda i: i < fails_before,
            notice_on=announced,
            shop="示例高新区惠民超市",
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.import_results(sampling_plan, "上月抽检结果.xlsx", history, admin)
    assert report.ok and report.created == HISTORY, report.errors

    before = target_status(target)
    assert before.used_source == "computed" and before.latest_computed is not None
    assert before.latest_computed.period_start == last_month
    assert float(before.evaluation.current) == round(before_value, 2)
    assert before.status_label == "进度正常" and before.light == "green", before.explanation

    # the batch of failed samples: the fewest that put the target behind by the yellow threshold
    batch = next(
        k
        for k in range(1, HISTORY)
        if lag_for((HISTORY - fails_before) * 100 / (HISTORY + k), share, baseline) >= yellow
    )
    after_value = (HISTORY - fails_before) * 100 / (HISTORY + batch)
    assert lag_for(after_value, share, baseline) <= red, "the numbers cannot give a yellow light"
    failed_file = table(
        rows(
            producer,
            HISTORY + 1,
            batch,
            failed=lambda i: True,
            notice_on=announced,
            shop="示例高新区便民食品店",
        )
    )
    jobs_before = Job.objects.filter(kind="indicators.recompute").count()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.import_results(sampling_plan, "不合格批次.xlsx", failed_file, admin)
    assert report.ok and report.created == batch, report.errors
    jobs = Job.objects.filter(kind="indicators.recompute").order_by("pk")[jobs_before:]
    assert [j.status for j in jobs] == ["done"]
    assert [last_month.isoformat(), indicator_services.month_bounds(last_month)[1].isoformat()] in (
        jobs[0].params["periods"]
    )
    batch_numbers = set(
        Sample.objects.filter(import_run=report.run).values_list("number", flat=True)
    )
    assert len(batch_numbers) == batch

    after = StatusBoard().status(target)
    assert after.used_source == "computed"
    assert float(after.evaluation.current) == round(after_value, 2)
    assert after.status_label == "存在风险" and after.light == "yellow", after.explanation
    lag = after.evaluation.lag_points
    assert yellow <= lag <= red
    assert f"落后{round(lag)}个百分点" in after.explanation and "序时进度" in after.explanation
    assert after.filled > 0  # the reported history before last month is still the baseline

    # the computed figure's drill-down lists exactly the samples it counted …
    figure = after.latest_computed
    assert figure.numerator == HISTORY - fails_before and figure.denominator == HISTORY + batch
    office = client_for("office_admin")
    page = office.get(figure.url + "&per_page=1000")
    assert page.status_code == 200
    counted = {row.record.number for row in page.context["table"].page.object_list}
    assert counted == set(
        Sample.objects.filter(plan=sampling_plan).values_list("number", flat=True)
    )
    # … and, narrowed to 不合格 on the same page, exactly the failed ones: the new batch and
    # the failures already known from last month
    page = office.get(figure.url + "&conclusion=fail&per_page=1000")
    failed = {row.record.number for row in page.context["table"].page.object_list}
    earlier_fails = set(
        Sample.objects.filter(plan=sampling_plan, conclusion="fail")
        .exclude(number__in=batch_numbers)
        .values_list("number", flat=True)
    )
    assert len(earlier_fails) == fails_before
    assert failed == batch_numbers | earlier_fails
    text = page.content.decode()
    assert all(number in text for number in batch_numbers)

    # the target page shows both series: the reported figure and the computed one of last month
    page = office.get(f"/indicators/targets/{target.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    reported_last = after.reported[-1]
    assert reported_last.period_start == last_month == figure.period_start
    assert "填报值" in text and "系统计算值" in text and "存在风险" in text
    assert floatformat(reported_last.value, "-2") in text
    assert floatformat(figure.value, "-2") in text
    assert f"{figure.numerator:.0f}/{figure.denominator:.0f}" in text
    assert figure.url.replace("&", "&amp;") in text
