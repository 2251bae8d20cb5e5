"""Read and change the rule table. Every module asks ``value(key)``; none hard-codes a limit.

Declarations come from each app's ``rules.py`` (``RuleSpec``); ``sync()`` adds missing rows
and never overwrites a value the office has changed.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import importlib
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .choices import ChangeAction
from .rulespec import RuleSpec, ValueKind


def declared_rules() -> list[RuleSpec]:
    specs = []
    for config in apps.get_app_configs():
        if not config.name.startswith("qcity."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.rules")
        except ModuleNotFoundError:
            continue
        specs.extend(getattr(module, "RULES", []))
    return specs


def sync() -> int:
    from .models import Rule

    existing = set(Rule.objects.values_list("key", flat=True))
    created = 0
    for spec in declared_rules():
        if spec.key in existing:
            continue
        Rule.objects.create(
            key=spec.key,
            name=spec.name,
            value=str(spec.value),
            kind=spec.kind,
            source=spec.source,
            confidence=spec.confidence,
            note=spec.note,
            app=spec.key.split(".")[0],
        )
        existing.add(spec.key)
        created += 1
    return created


def _convert(raw: str, kind: str):
    if kind == ValueKind.TEXT:
        return raw
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return raw
    if (
        kind in (ValueKind.CALENDAR_DAYS, ValueKind.WORKING_DAYS, ValueKind.MONTHS)
        or number == number.to_integral()
    ):
        return int(number) if kind != ValueKind.PERCENT else number
    return number


# Inside ``held()`` each rule row is read once (key -> Rule or None): a bulk job such as the
# demo build asks for the same few clocks hundreds of times and changes no rule meanwhile.
_held: contextvars.ContextVar[dict | None] = contextvars.ContextVar("rulebook_held", default=None)


@contextlib.contextmanager
def held():
    """Read each rule once for the duration of the block (``change`` forgets what was read)."""
    token = _held.set({}) if _held.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _held.reset(token)


def _row(key: str):
    from .models import Rule

    memo = _held.get()
    if memo is None:
        return Rule.objects.filter(key=key).first()
    if key not in memo:
        memo[key] = Rule.objects.filter(key=key).first()
    return memo[key]


def kind_of(key: str) -> str:
    """The value kind of a rule: its row's, else its declaration's (calendar days if neither)."""
    rule = _row(key)
    if rule is not None:
        return rule.kind
    for spec in declared_rules():
        if spec.key == key:
            return spec.kind
    return ValueKind.CALENDAR_DAYS


def value(key: str, default=None):
    rule = _row(key)
    if rule is None:
        for spec in declared_rules():
            if spec.key == key:
                return _convert(str(spec.value), spec.kind)
        if default is not None:
            return default
        raise KeyError(f"rule {key!r} is not declared in any rules.py")
    return _convert(rule.value, rule.kind)


def values(keys) -> dict:
    """Several rules in one query (dashboards read many): ``{key: value}`` as ``value(key)``."""
    from .models import Rule

    keys = list(keys)
    found = {r.key: _convert(r.value, r.kind) for r in Rule.objects.filter(key__in=keys)}
    missing = [key for key in keys if key not in found]
    if missing:  # not yet synced to the table: the declared defaults
        declared = {spec.key: spec for spec in declared_rules()}
        for key in missing:
            if key not in declared:
                raise KeyError(f"rule {key!r} is not declared in any rules.py")
            found[key] = _convert(str(declared[key].value), declared[key].kind)
    return found


def change(rule, new_value: str, user, reason: str, effective_from: datetime.date | None = None):
    from .models import RuleHistory

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("修改规则必须说明原因")})
    if rule.kind != ValueKind.TEXT:
        try:
            number = Decimal(str(new_value))
        except InvalidOperation:
            raise ValidationError({"value": _("取值必须是数字")})
        if number < 0:
            raise ValidationError({"value": _("取值不能为负数")})
        if rule.kind == ValueKind.PERCENT and number > 100:
            raise ValidationError({"value": _("百分比不能超过100")})
    memo = _held.get()
    if memo is not None:
        memo.pop(rule.key, None)
    with transaction.atomic():
        before = audit.snapshot(rule)
        RuleHistory.objects.create(
            rule=rule,
            value=rule.value,
            effective_from=rule.effective_from,
            changed_by=user,
            reason=reason,
        )
        rule.value, rule.effective_from = str(new_value), effective_from
        rule.save()
        audit.record(
            rule,
            ChangeAction.UPDATE,
            before=before,
            after=audit.snapshot(rule),
            note=reason,
            actor=user,
        )
    return rule
