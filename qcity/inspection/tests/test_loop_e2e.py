"""The core loop end to end (ARCHITECTURE.md) on the demo plan's own target: importing a batch
of failed food samples moves the demo city plan's 食品抽检合格率 ≥ 98.5% (its last year,
示例市) from 进度正常 to 存在风险, and the computed figure's drill-down lists those samples.

Why this holds on any run date: the demo plan always runs from two years before the build
year to the year after it (plans.demo), and

- the indicators demo's reported figures run from the plan's first January to the last
  complete month before today on the plan's line (the "on track" trend, ±6% of the gap as
  noise), so the target as built is within the yellow threshold of 序时进度 whatever the day;
- the food indicator prefers computed figures, and the test world stores none until an import
  queues the recompute: the imports below put last month's computed figure in place of the
  reported one, so the light is decided by the samples counted for last month;
- the demo's own food samples of last month (a handful, some still pending) would make that
  rate jump by several points per sample, so the test reads their count first and imports
  last month's results from the bureau's monthly table (``HISTORY`` rows, the fewest failures
  that keep the rate under the goal), then calibrates the failed batch from the rule table's
  thresholds.
  Nothing about the outcome is hard-coded; the sizes are derived from the day's 序时进度.
"""

import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

from django.template.defaultfilters import floatformat
from django.utils import timezone
from openpyxl import Workbook

from qcity.core import audit
from qcity.core.models import Job
from qcity.indicators import demo as indicators_demo
from qcity.indicators import evaluation
from qcity.indicators import services as indicator_services
from qcity.indicators.models import Indicator
from qcity.indicators.status import StatusBoard, rule_arguments, target_status
from qcity.inspection import services
from qcity.inspection.computers import food_pass_rate
from qcity.inspection.models import Sample
from qcity.plans.demo import city_plan, plan_years
from qcity.plans.models import Target
from qcity.registry.models import Enterprise, ProductCategory

HISTORY = 600  # last month's results in the bureau's table: one sample moves the rate ~0.16
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
    """``count`` rows sampled from ``shop``, announced on ``notice_on`` (the import's sampling
    date for a national table); distinct production dates keep them apart."""
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


def rate(qualified, tested) -> float:
    """The pass rate as the computer stores it (two decimals, half up)."""
    value = Decimal(qualified) * 100 / Decimal(tested)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_failed_batch_turns_demo_food_target_yellow_and_drills_down(
    world, client_for, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    last_month = indicators_demo.last_month(today)
    month_end = indicator_services.month_bounds(last_month)[1]
    admin = world.user("office_admin")
    market = world.unit("市市场监管局")
    food = Indicator.objects.get(key="food_sampling_pass_rate")
    # loaded from the library with a registered computer: the computed figures are preferred
    assert food.computed_by == "inspection.food_pass_rate" and food.prefer == "computed"
    plan = city_plan()
    target = Target.objects.get(plan=plan, is_void=False, link__indicator=food, region=world.city)
    assert (target.indicator_text, target.op, target.value, target.year) == (
        "食品抽检合格率",
        ">=",
        Decimal("98.5"),
        plan_years(today)[1],
    )
    goal = float(target.value)
    rules = rule_arguments()  # the thresholds as the office set them
    yellow, red = rules["yellow_lag"], rules["red_lag"]

    # the demo as built: reported figures only, up to last month, within the yellow threshold
    built = StatusBoard().status(target)
    assert built.used_source == "reported" and not built.computed
    assert built.latest_reported.period_start == last_month
    assert built.evaluation.lag_points < yellow, built.explanation
    share = built.evaluation.elapsed_share
    first = built.series[0]
    assert first.period_end > built.spec.start  # so the evaluation's baseline is this figure
    baseline = float(first.value)

    def lag_for(value):
        """Points behind 序时进度 for a current value (the evaluation's own formulas)."""
        return (share - evaluation.progress_share(value, baseline, goal)) * 100

    # the demo's own food samples counted for the city last month (most of them, some pending)
    demo = food_pass_rate({}, world.city, last_month, month_end)
    q0, t0 = demo.numerator, demo.denominator

    with audit.acting_as(admin, label="test"):
        sampling_plan = services.create_plan(
            {
                "name": "市级食品安全监督抽检（月度公告）",
                "unit": market,
                "level": "city",
                "sample_type": "supervision",
                "category": ProductCategory.objects.get(code="F01"),
                "region": world.city,
                "period_start": last_month,
                "period_end": datetime.date(today.year, 12, 31),
            }
        )
    producer = Enterprise.objects.filter(verified=True).order_by("pk").first()
    announced = last_month + datetime.timedelta(days=19)  # always before today

    # last month's results: the fewest failures that keep the city's rate under the goal
    fails_before = next(f for f in range(HISTORY) if rate(q0 + HISTORY - f, t0 + HISTORY) < goal)
    before_value = rate(q0 + HISTORY - fails_before, t0 + HISTORY)
    assert lag_for(before_value) < yellow
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
    assert float(before.evaluation.current) == before_value
    assert abs(before.evaluation.lag_points - lag_for(before_value)) < 1e-6
    assert before.status_label == "进度正常" and before.light == "green", before.explanation

    # the batch of failed samples: the fewest that put the target behind by the yellow threshold
    qualified = q0 + HISTORY - fails_before
    batch = next(
        k for k in range(1, HISTORY) if lag_for(rate(qualified, t0 + HISTORY + k)) >= yellow
    )
    after_value = rate(qualified, t0 + HISTORY + batch)
    assert lag_for(after_value) <= red, "the numbers cannot give a yellow light"
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
    assert [last_month.isoformat(), month_end.isoformat()] in jobs[0].params["periods"]
    batch_numbers = set(
        Sample.objects.filter(import_run=report.run).values_list("number", flat=True)
    )
    assert len(batch_numbers) == batch

    after = StatusBoard().status(target)
    assert after.used_source == "computed"
    assert float(after.evaluation.current) == after_value
    assert after.status_label == "存在风险" and after.light == "yellow", after.explanation
    lag = after.evaluation.lag_points
    assert yellow <= lag <= red
    assert f"落后{round(lag)}个百分点" in after.explanation and "序时进度" in after.explanation
    assert after.filled > 0  # the reported history before last month is still the baseline

    # the computed figure's drill-down lists exactly the samples it counted: the demo's, last
    # month's table and the failed batch …
    figure = after.latest_computed
    assert figure.numerator == qualified and figure.denominator == t0 + HISTORY + batch
    imported = set(Sample.objects.filter(plan=sampling_plan).values_list("number", flat=True))
    assert len(imported) == HISTORY + batch
    office = client_for("office_admin")
    page = office.get(figure.url + "&per_page=2000")
    assert page.status_code == 200
    counted = {row.record.number for row in page.context["table"].page.object_list}
    assert len(counted) == figure.denominator and imported <= counted
    # … and, narrowed to 不合格 on the same page, the failed ones: the new batch among them
    page = office.get(figure.url + "&conclusion=fail&per_page=2000")
    failed = {row.record.number for row in page.context["table"].page.object_list}
    assert len(failed) == figure.denominator - figure.numerator
    assert batch_numbers <= failed <= counted
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
