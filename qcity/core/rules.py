"""Rules the platform itself reads (security and uploads)."""

from .rulespec import Confidence, RuleSpec, ValueKind

RULES = [
    RuleSpec(
        "core.login.max_failures",
        "连续登录失败锁定次数",
        5,
        ValueKind.NUMBER,
        "GB/T 22239-2019 网络安全等级保护基本要求：身份鉴别应具有登录失败处理功能",
        Confidence.LOCAL,
    ),
    RuleSpec(
        "core.login.lock_minutes",
        "登录锁定时长（分钟）",
        15,
        ValueKind.NUMBER,
        "GB/T 22239-2019 网络安全等级保护基本要求（登录失败处理）；时长为本地配置",
        Confidence.LOCAL,
    ),
    RuleSpec(
        "core.password.max_age_days",
        "密码最长使用期限（天）",
        90,
        ValueKind.CALENDAR_DAYS,
        "本地配置（等保测评常见要求：定期更换口令）",
        Confidence.LOCAL,
    ),
    RuleSpec(
        "core.todo.remind_days_before",
        "到期前提醒天数",
        3,
        ValueKind.WORKING_DAYS,
        "本地配置",
        Confidence.LOCAL,
    ),
]
