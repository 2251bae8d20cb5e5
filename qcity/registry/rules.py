"""Thresholds the registry app reads (REFERENCE.md §2, §6)."""

from qcity.core.rulespec import Confidence, RuleSpec, ValueKind

RULES = [
    RuleSpec(
        "registry.uscc.length",
        "统一社会信用代码位数",
        18,
        ValueKind.NUMBER,
        "GB 32100-2015 法人和其他组织统一社会信用代码编码规则",
        Confidence.VERIFIED,
        "校验位算法由 python-stdnum 的 stdnum.cn.uscc 实现",
    ),
    RuleSpec(
        "registry.publicity.working_days",
        "行政机关产生的企业信息公示期限",
        20,
        ValueKind.WORKING_DAYS,
        "企业信息公示暂行条例第六条",
        Confidence.VERIFIED,
        "自信息形成之日起",
    ),
]
