"""Working-day calendar with holidays and 调休 make-up days (REFERENCE.md preamble: 工作日
includes 调休 make-up days).

The ``Holiday`` table is the source of truth, editable in the UI and seeded from the
``chinese_calendar`` package (which carries each year's 国务院办公厅 notice on the holiday
arrangements once it is published, usually in November of the year before). A date in a year
the table has no rows for is computed as Monday–Friday only and flagged as an estimate, never
an exception; pages show such deadlines as estimates (``is_estimated`` and the ``deadline``
template filter) until the office enters or imports that year's notice, and the office's home
page warns from November on when next year's arrangements are still missing
(``missing_years``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from dataclasses import dataclass

from .choices import DayKind


@dataclass(frozen=True)
class DayAnswer:
    date: datetime.date
    is_workday: bool
    estimated: bool


class Calendar:
    """Loads the holiday table once; cheap to query many dates."""

    def __init__(self):
        from .models import Holiday

        self.days = dict(Holiday.objects.values_list("date", "kind"))
        self.years = {d.year for d in self.days}

    def is_workday(self, day: datetime.date) -> DayAnswer:
        kind = self.days.get(day)
        if kind == DayKind.HOLIDAY:
            return DayAnswer(day, False, False)
        if kind == DayKind.WORKDAY:
            return DayAnswer(day, True, False)
        return DayAnswer(day, day.weekday() < 5, day.year not in self.years)

    def add_workdays(self, start: datetime.date, count: int) -> tuple[datetime.date, bool]:
        """The date ``count`` working days after ``start`` (start itself not counted)."""
        day, estimated, step = start, False, 1 if count >= 0 else -1
        remaining = abs(count)
        while remaining:
            day += datetime.timedelta(days=step)
            answer = self.is_workday(day)
            estimated = estimated or answer.estimated
            if answer.is_workday:
                remaining -= 1
        return day, estimated

    def workdays_between(self, start: datetime.date, end: datetime.date) -> tuple[int, bool]:
        """Working days after ``start`` up to and including ``end``."""
        count, estimated, day = 0, False, start
        while day < end:
            day += datetime.timedelta(days=1)
            answer = self.is_workday(day)
            estimated = estimated or answer.estimated
            count += answer.is_workday
        return count, estimated


def covered_years() -> frozenset[int]:
    """Years the holiday table has the State Council arrangements for (cached per request
    cycle by the caller; cheap: one DISTINCT over a few hundred rows)."""
    from .models import Holiday

    return frozenset(d.year for d in Holiday.objects.dates("date", "year"))


def is_estimated(day: datetime.date | None, years: frozenset[int] | None = None) -> bool:
    """A working-day deadline on ``day`` is an estimate when its year has no holiday data."""
    if day is None:
        return False
    return day.year not in (covered_years() if years is None else years)


def is_deadline_field(name: str) -> bool:
    """Field names that hold a deadline (by the project's naming: due, *_due, *deadline)."""
    return name == "due" or name.endswith("_due") or name.endswith("deadline")


# From this month on, next year's arrangements are due (the notice usually appears in Nov.).
WARN_FROM_MONTH = 11


def missing_years(today: datetime.date, years: frozenset[int] | None = None) -> list[int]:
    """This year, and from November next year, when their holiday arrangements are missing."""
    years = covered_years() if years is None else years
    wanted = [today.year] + ([today.year + 1] if today.month >= WARN_FROM_MONTH else [])
    return [y for y in wanted if y not in years]


# Inside ``held()`` the holiday table is loaded once: a bulk job such as the demo build computes
# hundreds of deadlines and changes no holiday meanwhile.
_held: contextvars.ContextVar[list | None] = contextvars.ContextVar("calendar_held", default=None)


@contextlib.contextmanager
def held():
    """Load the holiday table once for the duration of the block (for ``deadline``)."""
    token = _held.set([]) if _held.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _held.reset(token)


def _calendar() -> Calendar:
    memo = _held.get()
    if memo is None:
        return Calendar()
    if not memo:
        memo.append(Calendar())
    return memo[0]


def deadline(start: datetime.date, amount: int, kind: str) -> tuple[datetime.date, bool]:
    """A deadline from a rule value: working days through the calendar, else calendar days."""
    from .rulespec import ValueKind

    if kind == ValueKind.WORKING_DAYS:
        return _calendar().add_workdays(start, amount)
    return start + datetime.timedelta(days=amount), False


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name(raw) -> str:
    text = str(getattr(raw, "value", raw))
    return "、".join(HOLIDAY_NAMES.get(part.strip(), part.strip()) for part in text.split(","))


def library_years() -> list[int]:
    """The years for which the installed chinese_calendar carries the State Council notice."""
    import chinese_calendar

    return sorted({day.year for day in chinese_calendar.constants.holidays})


def seed_from_library(years) -> int:
    """Copy holidays and 调休 days for ``years`` from chinese_calendar into the table."""
    import chinese_calendar

    from .models import Holiday

    # one read of the table and one insert (the demo seeds some 770 days), in the order the
    # days were once created one by one
    taken = set(Holiday.objects.values_list("date", flat=True))
    new = []
    for year in years:
        for day, name in chinese_calendar.constants.holidays.items():
            if day.year == year and day not in taken:
                new.append(Holiday(date=day, kind=DayKind.HOLIDAY, name=_holiday_name(name)))
                taken.add(day)
        for day, name in chinese_calendar.constants.workdays.items():
            if day.year == year and day.weekday() >= 5 and day not in taken:
                new.append(Holiday(date=day, kind=DayKind.WORKDAY, name=_holiday_name(name)))
                taken.add(day)
    Holiday.objects.bulk_create(new, batch_size=500)
    return len(new)
