"""Reporting periods of an assignment and its light (pure functions over dates).

A period is (start, end, due): monthly periods are calendar months, due on the
``report_day`` of the next month; quarterly and half-yearly likewise after the quarter or
half-year ends. The light compares the reported progress with 序时进度 (the share of the
time from 交办 to the deadline that has elapsed).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

MONTHS_PER_CYCLE = {"monthly": 1, "quarterly": 3, "half_yearly": 6}


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    due: datetime.date


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, 1)


def _due(end: datetime.date, report_day: int) -> datetime.date:
    first = end + datetime.timedelta(days=1)
    last_day = calendar.monthrange(first.year, first.month)[1]
    return first.replace(day=max(1, min(report_day, last_day)))


def period_containing(day: datetime.date, cycle: str, report_day: int) -> Period:
    size = MONTHS_PER_CYCLE[cycle]
    month0 = ((day.month - 1) // size) * size
    start = datetime.date(day.year, month0 + 1, 1)
    end = _add_months(start, size) - datetime.timedelta(days=1)
    return Period(start, end, _due(end, report_day))


def periods_between(
    first: datetime.date, last: datetime.date, cycle: str, report_day: int
) -> list[Period]:
    """Every period that overlaps [first, last], in order."""
    out, period = [], period_containing(first, cycle, report_day)
    while period.start <= last:
        out.append(period)
        period = period_containing(period.end + datetime.timedelta(days=1), cycle, report_day)
    return out


def expected_percent(start: datetime.date, deadline: datetime.date, on: datetime.date) -> int:
    """序时进度: the share of the time from start to deadline elapsed on ``on`` (0–100)."""
    if on >= deadline:
        return 100
    if on <= start or deadline <= start:
        return 0
    return round(100 * (on - start).days / (deadline - start).days)


@dataclass(frozen=True)
class LightAnswer:
    light: str
    expected: int
    actual: int
    explanation: str


def judge_light(
    *,
    state: str,
    start: datetime.date | None,
    deadline: datetime.date,
    percent: int,
    on: datetime.date,
    yellow_points,
    red_points,
) -> LightAnswer:
    if state in ("closed", "closed_late"):
        return LightAnswer("green", 100, 100, "已销号")
    if state in ("draft", "terminated", "suspended") or start is None:
        return LightAnswer("grey", 0, percent, "未交办、挂起或中止，不亮灯")
    expected = expected_percent(start, deadline, on)
    lag = expected - percent
    if on > deadline:
        return LightAnswer(
            "red", expected, percent, f"已超过完成时限{(on - deadline).days}天仍未销号"
        )
    if lag > red_points:
        light = "red"
    elif lag >= yellow_points:
        light = "yellow"
    else:
        light = "green"
    if lag > 0:
        text = f"序时进度{expected}%，实际进度{percent}%，落后{lag}个百分点"
    else:
        text = f"序时进度{expected}%，实际进度{percent}%，进度正常"
    return LightAnswer(light, expected, percent, text)
