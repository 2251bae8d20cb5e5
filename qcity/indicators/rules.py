"""Rules read by the indicators app and by target tracking (亮灯, reminders).

Sources: shared/domain/REFERENCE.md §11 ("Red / yellow / green (亮灯) practice"; the Yinchuan
2025 and Sanya 2022 schemes are secondary sources, tagged S). Everything else is our own
configurable default (本地配置, tagged L). The pure modules (evaluation, matching,
decomposition) take each value as a parameter; ``default(key)`` gives the declared value so
they need no database.
"""

from decimal import Decimal

from qcity.core.rulespec import Confidence, RuleSpec, ValueKind

REF_11 = (
    "REFERENCE.md §11 亮灯做法（银川2025：黄灯落后序时进度10–30个百分点，红灯落后超过30个百分点）"
)

RULES = [
    RuleSpec(
        key="tracking.lag_yellow_points",
        name="黄灯：落后序时进度的最小百分点",
        value=Decimal("10"),
        kind=ValueKind.NUMBER,
        source=REF_11,
        confidence=Confidence.SECONDARY,
        note="落后不足该值为绿灯；达到该值（含）至红灯阈值（含）为黄灯。",
    ),
    RuleSpec(
        key="tracking.lag_red_points",
        name="红灯：落后序时进度超过的百分点",
        value=Decimal("30"),
        kind=ValueKind.NUMBER,
        source=REF_11,
        confidence=Confidence.SECONDARY,
        note="落后超过该值为红灯（严重滞后）。三亚2022做法为50，可按本地方案修改。",
    ),
    RuleSpec(
        key="tracking.yellow_unstarted_months",
        name="黄灯：计划开工月份未开工",
        value=1,
        kind=ValueKind.MONTHS,
        source=REF_11,
        confidence=Confidence.SECONDARY,
        note="任务到计划月份仍未开始即亮黄灯（任务跟踪使用）。",
    ),
    RuleSpec(
        key="tracking.red_unstarted_months",
        name="红灯：连续未开工月数",
        value=3,
        kind=ValueKind.MONTHS,
        source=REF_11,
        confidence=Confidence.SECONDARY,
    ),
    RuleSpec(
        key="tracking.escalation_consecutive_yellow",
        name="连续黄灯升级约谈的次数",
        value=2,
        kind=ValueKind.NUMBER,
        source="REFERENCE.md §11 亮灯做法（三亚2022：两次黄灯由副市长约谈）",
        confidence=Confidence.SECONDARY,
    ),
    RuleSpec(
        key="tracking.reminder_days_before_deadline",
        name="到期前提醒天数",
        value=3,
        kind=ValueKind.CALENDAR_DAYS,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="indicators.min_observations",
        name="判断进度所需的最少观测期数",
        value=3,
        kind=ValueKind.NUMBER,
        source="本地配置",
        confidence=Confidence.LOCAL,
        note="少于该期数为数据不足（已达成的目标除外，见 docs/forecast.md）。有日期的基期值计为一期。",
    ),
    RuleSpec(
        key="indicators.current_period_months",
        name="本期观测的时间窗口（月）",
        value=12,
        kind=ValueKind.MONTHS,
        source="本地配置",
        confidence=Confidence.LOCAL,
        note="评估日前该月数内无观测即为数据不足；年报指标可放宽。",
    ),
    RuleSpec(
        key="indicators.forecast_window",
        name="趋势预测使用的最近观测期数",
        value=5,
        kind=ValueKind.NUMBER,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="indicators.forecast_confidence_percent",
        name="预测区间置信水平",
        value=Decimal("95"),
        kind=ValueKind.PERCENT,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="indicators.forecast_downgrade",
        name="趋势预测期末达不到目标时绿灯降为黄灯",
        value=1,
        kind=ValueKind.NUMBER,
        source="本地配置",
        confidence=Confidence.LOCAL,
        note="1为启用，0为停用。灯色与预测不得矛盾（docs/forecast.md），停用须有本地方案依据。",
    ),
    RuleSpec(
        key="indicators.min_sample_size",
        name="据以亮灯的合格率最少样本量（批次）",
        value=30,
        kind=ValueKind.NUMBER,
        source=(
            "本地配置；统计依据：样本量不足30时比率的抽样误差过大（n = 17、合格率94%时"
            "Wilson 95%置信区间约73%–99%），见 qcity/inspection/stats.py"
        ),
        confidence=Confidence.LOCAL,
        note="按分子分母计算的比率，一期样本少于该值为“样本不足”，不据以亮红灯或绿灯。",
    ),
    RuleSpec(
        key="indicators.rate_year_to_date",
        name="合格率类指标按本年累计合并计算",
        value=1,
        kind=ValueKind.NUMBER,
        source=(
            "本地配置；依据：合格率按年度统计（合格批次数/抽检总批次数），进度通报用“1—N月”累计数；"
            "单月样本（区县常为30—60批次）波动大，一个月全部合格即可亮绿灯。见 qcity/indicators/status.py"
        ),
        confidence=Confidence.LOCAL,
        note=(
            "1为启用：按分子分母计算的比率，以本年1月（不早于规划期起点）至当期的样本合并计算"
            "据以判断，年末即为全年合格率；0为逐期判断。"
        ),
    ),
    RuleSpec(
        key="indicators.approx_tolerance_percent",
        name="“左右/约”目标的容差（目标值的百分比）",
        value=Decimal("2"),
        kind=ValueKind.PERCENT,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="indicators.match_threshold",
        name="指标匹配的最低相似度",
        value=Decimal("0.5"),
        kind=ValueKind.NUMBER,
        source="本地配置",
        confidence=Confidence.LOCAL,
        note="低于该值不提出匹配建议，指标留待人工关联。",
    ),
    RuleSpec(
        key="indicators.match_max_proposals",
        name="每个目标最多给出的匹配建议数",
        value=5,
        kind=ValueKind.NUMBER,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
]

_BY_KEY = {r.key: r for r in RULES}


def default(key: str):
    """The declared default of a rule (Decimal values are returned as float or int)."""
    value = _BY_KEY[key].value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
