"""Rules read by 目标责任考核 scoring (qcity/assessment/scoring.py).

Sources: shared/domain/REFERENCE.md §11 — the national 《质量工作考核办法》 (国务院办公厅 2013,
secondary sources, tagged S): 100 points, grades A ≥ 90, B 80–89, C 60–79, D ≤ 59, and any
regional or systemic quality-safety incident gives an automatic D; the Gansu variant (S):
below 60 fails and the bottom three submit a rectification plan within one month. No national
weighting for city schemes was found (§11 "Not found"), so the point values for tasks,
reports, bonuses and deductions are our configurable defaults (本地配置, tagged L).
"""

from decimal import Decimal

from qcity.core.rulespec import Confidence, RuleSpec, ValueKind

REF_NATIONAL = "REFERENCE.md §11 《质量工作考核办法》（国务院办公厅2013）"
REF_GANSU = "REFERENCE.md §11 省级做法（甘肃）"

RULES = [
    RuleSpec(
        key="assessment.total_points",
        name="考核总分",
        value=Decimal("100"),
        kind=ValueKind.NUMBER,
        source=REF_NATIONAL,
        confidence=Confidence.SECONDARY,
        note="指标和分值可逐年调整。",
    ),
    RuleSpec(
        key="assessment.grade_a_min",
        name="A级最低分",
        value=Decimal("90"),
        kind=ValueKind.NUMBER,
        source=REF_NATIONAL,
        confidence=Confidence.SECONDARY,
    ),
    RuleSpec(
        key="assessment.grade_b_min",
        name="B级最低分",
        value=Decimal("80"),
        kind=ValueKind.NUMBER,
        source=REF_NATIONAL,
        confidence=Confidence.SECONDARY,
    ),
    RuleSpec(
        key="assessment.grade_c_min",
        name="C级最低分（低于为D级）",
        value=Decimal("60"),
        kind=ValueKind.NUMBER,
        source=REF_NATIONAL,
        confidence=Confidence.SECONDARY,
    ),
    RuleSpec(
        key="assessment.grade_labels",
        name="等级名称（由高到低，逗号分隔）",
        value="A,B,C,D",
        kind=ValueKind.TEXT,
        source=REF_NATIONAL,
        confidence=Confidence.SECONDARY,
        note="可改为 优秀,良好,合格,不合格 等本地称谓。",
    ),
    RuleSpec(
        key="assessment.veto_grade",
        name="一票否决时的等级",
        value="D",
        kind=ValueKind.TEXT,
        source=REF_NATIONAL + "：发生区域性、系统性质量安全事件的直接定为D级",
        confidence=Confidence.SECONDARY,
    ),
    RuleSpec(
        key="assessment.fail_bottom_count",
        name="须提交书面整改方案的末位数量",
        value=3,
        kind=ValueKind.NUMBER,
        source=REF_GANSU,
        confidence=Confidence.SECONDARY,
    ),
    RuleSpec(
        key="assessment.rectification_months",
        name="整改方案提交期限（月）",
        value=1,
        kind=ValueKind.MONTHS,
        source=REF_GANSU,
        confidence=Confidence.SECONDARY,
    ),
    RuleSpec(
        key="assessment.attainment_floor_percent",
        name="目标完成得分下限（占该项分值百分比）",
        value=Decimal("0"),
        kind=ValueKind.PERCENT,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="assessment.attainment_cap_percent",
        name="目标完成得分上限（占该项分值百分比）",
        value=Decimal("100"),
        kind=ValueKind.PERCENT,
        source="本地配置",
        confidence=Confidence.LOCAL,
        note="大于100表示超额完成可得超额分。",
    ),
    RuleSpec(
        key="assessment.task_overdue_credit_percent",
        name="逾期销号任务的得分比例",
        value=Decimal("50"),
        kind=ValueKind.PERCENT,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="assessment.task_lead_weight",
        name="牵头任务权重",
        value=Decimal("1"),
        kind=ValueKind.NUMBER,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="assessment.task_co_weight",
        name="配合任务权重",
        value=Decimal("0.5"),
        kind=ValueKind.NUMBER,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="assessment.late_report_deduction",
        name="迟报每次扣分",
        value=Decimal("1"),
        kind=ValueKind.NUMBER,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="assessment.missed_report_deduction",
        name="漏报每次扣分",
        value=Decimal("2"),
        kind=ValueKind.NUMBER,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="assessment.bonus_cap",
        name="加分项上限",
        value=Decimal("5"),
        kind=ValueKind.NUMBER,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="assessment.rank_method",
        name="并列名次的排法",
        value="competition",
        kind=ValueKind.TEXT,
        source="本地配置",
        confidence=Confidence.LOCAL,
        note="competition：1、2、2、4；dense：1、2、2、3。",
    ),
]

_BY_KEY = {r.key: r for r in RULES}


def default(key: str):
    """The declared default of a rule (numbers as Decimal, text as str)."""
    return _BY_KEY[key].value


RULES += [
    RuleSpec(
        key="assessment.appeal_window_days",
        name="考核结果公示及申诉期",
        value=5,
        kind=ValueKind.WORKING_DAYS,
        source="本地配置",
        confidence=Confidence.LOCAL,
        note="公示期内被考核单位可对逐项得分提出申诉。",
    ),
]
_BY_KEY = {r.key: r for r in RULES}
