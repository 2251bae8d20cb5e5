"""Thresholds the plans app reads: how tasks and targets are matched across plan versions."""

from decimal import Decimal

from qcity.core.rulespec import Confidence, RuleSpec, ValueKind

RULES = [
    RuleSpec(
        "plans.match.title_similarity",
        "规划修订：任务名称相似度阈值（编号不同时）",
        Decimal("0.75"),
        ValueKind.NUMBER,
        "本地配置",
        Confidence.LOCAL,
        "两版任务编号不同、名称字符二元组Dice相似度达到该值时视为同一任务",
    ),
    RuleSpec(
        "plans.match.same_number_similarity",
        "规划修订：任务名称相似度阈值（编号相同时）",
        Decimal("0.4"),
        ValueKind.NUMBER,
        "本地配置",
        Confidence.LOCAL,
        "两版任务编号相同、名称相似度达到该值时视为同一任务",
    ),
]
