"""The computed-indicator seam (ARCHITECTURE.md): a module registers a function that
computes an indicator variant for a region and period; the indicators app stores the result
as an Observation with source "computed" and the filter a person follows to the records.

    from qcity.indicators.computed import Computed, computer

    @computer("inspection.food_pass_rate", "食品抽检合格率（按抽检结果计算）")
    def food_pass_rate(params, region, start, end) -> Computed:
        ...
        return Computed(value=Decimal("98.7"), numerator=987, denominator=1000,
                        filter={"model": "inspection.sample", "lookups": {...}}, url="/inspection/samples/?...")

``params`` are the indicator variant's parameters (sample type, category …); ``region`` is a
core Region (its subtree counts); ``start``/``end`` are dates, inclusive. A function never
writes: recomputation (after source records change, and nightly) stores what it returns.

A computer must not substitute one statistic for another. It declares what it can honour:
``honours`` maps each parameter it filters by to the values it understands (``None``: any
value, e.g. a category code), and ``refuse(params)`` may give a reason for refusing a
variant outright (食品药品 without drug samples). ``describe(params)`` names the population
counted ("市场监管部门食品监督抽检"). ``check(indicator_computed_by, params)`` is what pages
and the recompute job ask: ``(state, reason)`` with state ``ok``, ``refused`` (a parameter
or value the computer cannot honour: the target uses reported figures) or ``missing`` (the
library names a computer that does not exist: 未接入系统计算).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Computed:
    value: Decimal | None  # None: no records in the period (no observation is stored)
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None
    filter: dict = field(
        default_factory=dict
    )  # {"model": "app.model", "lookups": {...}} for drill-down
    url: str = ""  # a page listing exactly the records counted
    population: str = ""  # what was counted, e.g. "市场监管部门食品监督抽检"


@dataclass
class Computer:
    key: str
    label: str
    func: Callable[[dict, object, datetime.date, datetime.date], Computed]
    sources: tuple[str, ...] = ()  # "app.model" labels whose changes make this stale
    # parameter -> accepted values (None: any value); None here: no declaration (trusted)
    honours: dict[str, frozenset | None] | None = None
    refuse: Callable[[dict], str | None] | None = None
    describe: Callable[[dict], str] | None = None

    def refusal(self, params: dict | None) -> str | None:
        """Why this computer cannot compute the variant honestly, or None."""
        from django.utils.translation import gettext as _

        params = params or {}
        if self.refuse is not None:
            reason = self.refuse(params)
            if reason:
                return reason
        if self.honours is None:
            return None
        for name, value in params.items():
            if name not in self.honours:
                return _("系统计算不区分参数“{name}”，不能按该口径计算").format(name=name)
            accepted = self.honours[name]
            if accepted is None:
                continue
            values = value if isinstance(value, (list, tuple)) else [value]
            bad = [str(v) for v in values if str(v) not in accepted]
            if bad:
                return _("系统计算无法按“{name}”为“{values}”计算（可计算：{accepted}）").format(
                    name=name, values="、".join(bad), accepted="、".join(sorted(accepted)) or "—"
                )
        return None

    def population(self, params: dict | None) -> str:
        return self.describe(params or {}) if self.describe is not None else self.label


COMPUTERS: dict[str, Computer] = {}

NONE, OK, REFUSED, MISSING = "none", "ok", "refused", "missing"


def computer(
    key: str,
    label: str,
    sources: tuple[str, ...] = (),
    *,
    honours: dict | None = None,
    refuse=None,
    describe=None,
):
    def wrap(func):
        accepted = (
            None
            if honours is None
            else {k: (None if v is None else frozenset(v)) for k, v in honours.items()}
        )
        COMPUTERS[key] = Computer(key, label, func, sources, accepted, refuse, describe)
        return func

    return wrap


def get(key: str) -> Computer:
    return COMPUTERS[key]


def check(computed_by: str, params: dict | None) -> tuple[str, str]:
    """(state, reason) of computing an indicator variant: ``ok``, ``refused`` or ``missing``."""
    from django.utils.translation import gettext as _

    if not computed_by:
        return NONE, ""
    found = COMPUTERS.get(computed_by)
    if found is None:
        # the computer's id is for developers (docs/indicators.md), not for the office
        return MISSING, _("未接入系统计算（本系统尚不能按业务数据计算该指标），采用填报值")
    reason = found.refusal(params)
    if reason:
        return REFUSED, reason
    return OK, ""
