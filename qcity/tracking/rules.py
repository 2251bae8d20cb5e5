"""Rules read by 督查督办 (tracking). The 亮灯 thresholds and the reminder lead time
(``tracking.lag_*``, ``tracking.reminder_days_before_deadline``) are declared in
qcity/indicators/rules.py; the escalation ladder's own numbers are local defaults (本地配置)."""

from qcity.core.rulespec import Confidence, RuleSpec, ValueKind

RULES = [
    RuleSpec(
        key="tracking.urge_after_days",
        name="逾期后发出催办的天数",
        value=0,
        kind=ValueKind.WORKING_DAYS,
        source="本地配置",
        confidence=Confidence.LOCAL,
        note="0表示逾期当日即催办。",
    ),
    RuleSpec(
        key="tracking.supervise_after_days",
        name="催办后仍未办理、升级督办的天数",
        value=3,
        kind=ValueKind.WORKING_DAYS,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="tracking.supervise_answer_days",
        name="督办通知单的答复期限",
        value=5,
        kind=ValueKind.WORKING_DAYS,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="tracking.default_report_day",
        name="月度报送日（每月几日前报送上月进展）",
        value=5,
        kind=ValueKind.NUMBER,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
    RuleSpec(
        key="tracking.supervise_number_prefix",
        name="督办通知单编号前缀",
        value="督办",
        kind=ValueKind.TEXT,
        source="本地配置",
        confidence=Confidence.LOCAL,
    ),
]
