"""Declarations of statutory and configurable rules (time limits, thresholds).

Each app lists the rules it reads in ``<app>/rules.py`` as ``RULES = [RuleSpec(...), ...]``.
``core`` loads every declaration into the editable ``Rule`` table (the office can change a
value; a change keeps history). Code never hard-codes a statutory number: it asks
``core.services.rules.value(key, on=date)``.

Pure Python on purpose: pure modules (draw, evaluation) can accept a rule value as a
parameter while apps read it from the table.
"""

from dataclasses import dataclass
from decimal import Decimal


class ValueKind:
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"
    PERCENT = "percent"
    NUMBER = "number"
    TEXT = "text"


class Confidence:
    """Tags from shared/domain/REFERENCE.md."""

    VERIFIED = "V"  # read in the full text of the rule
    SECONDARY = "S"  # from a secondary source; check before relying on it
    UNVERIFIED = "U"  # recollection or local practice; configurable default
    LOCAL = "L"  # our own configurable default, not a statutory number


@dataclass(frozen=True)
class RuleSpec:
    key: str  # dotted, app-prefixed: "inspection.food.retest_request_working_days"
    name: str  # Chinese label shown to the office
    value: Decimal | int | str
    kind: str  # one of ValueKind
    source: str  # legal source with article, or "本地配置"
    confidence: str = Confidence.UNVERIFIED
    note: str = ""
