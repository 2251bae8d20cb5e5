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


@dataclass
class Computer:
    key: str
    label: str
    func: Callable[[dict, object, datetime.date, datetime.date], Computed]
    sources: tuple[str, ...] = ()  # "app.model" labels whose changes make this stale


COMPUTERS: dict[str, Computer] = {}


def computer(key: str, label: str, sources: tuple[str, ...] = ()):
    def wrap(func):
        COMPUTERS[key] = Computer(key, label, func, sources)
        return func

    return wrap


def get(key: str) -> Computer:
    return COMPUTERS[key]
