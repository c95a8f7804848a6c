"""The business day: which day a moment belongs to, whether the center is open, when it opens.

A day is a working day by its weekday (`workdays`), unless the center's calendar says
otherwise: a public holiday or an extra closed day closes it, a working day listed in the
settings opens it (a working Saturday, a day made up for a bridge holiday).

>>> from datetime import datetime
>>> from types import SimpleNamespace
>>> from queue_core.domain.clock import VIETNAM
>>> hours = SimpleNamespace(opens_at="07:00", closes_at="17:30", workdays=(1, 2, 3, 4, 5))
>>> next_opening(datetime(2026, 12, 5, 18, 0, tzinfo=VIETNAM), hours).isoformat()
'2026-12-07T07:00:00+07:00'
>>> tet = Closures(closed={date(2027, 2, d): "Tết Nguyên Đán" for d in range(4, 11)})
>>> next_opening(datetime(2027, 2, 3, 18, 0, tzinfo=VIETNAM), hours, tet).isoformat()
'2027-02-11T07:00:00+07:00'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol

from queue_core.domain.shapes import OpeningHours

# How far ahead the next opening is looked for (past Tết and any run of holidays).
HORIZON_DAYS = 400


class Calendar(Protocol):
    """The days that do not follow their weekday: closed ones with a reason, open ones."""

    def closed_reason(self, day: date) -> str | None:
        """Return why `day` is closed although its weekday works (a holiday's name), or None."""

    def forced_open(self, day: date) -> bool:
        """Tell whether `day` is open whatever its weekday or holiday says."""


@dataclass(frozen=True)
class Closures:
    """A calendar as plain values: closed days with their reasons, and days forced open."""

    closed: Mapping[date, str] = field(default_factory=dict)
    opened: frozenset[date] = frozenset()

    def closed_reason(self, day: date) -> str | None:
        return self.closed.get(day)

    def forced_open(self, day: date) -> bool:
        return day in self.opened


NO_CLOSURES = Closures()


def day_of(moment: datetime) -> str:
    """Return the ISO date a moment belongs to in its own time zone."""
    return moment.date().isoformat()


def _clock_time(text: str) -> time:
    if text == "24:00":
        return time.max
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def is_workday(moment: datetime, center: OpeningHours) -> bool:
    return moment.isoweekday() in center.workdays


def is_working_day(day: date, center: OpeningHours, calendar: Calendar = NO_CLOSURES) -> bool:
    """Tell whether the center works on `day` at all (its weekday, holidays, forced days)."""
    if calendar.forced_open(day):
        return True
    return day.isoweekday() in center.workdays and calendar.closed_reason(day) is None


def closed_reason(day: date, calendar: Calendar = NO_CLOSURES) -> str | None:
    """Return the holiday that closes `day`, if one does and the day is not forced open."""
    return None if calendar.forced_open(day) else calendar.closed_reason(day)


def is_open(moment: datetime, center: OpeningHours, calendar: Calendar = NO_CLOSURES) -> bool:
    """Tell whether tickets may be issued at `moment`."""
    opens, closes = _clock_time(center.opens_at), _clock_time(center.closes_at)
    return is_working_day(moment.date(), center, calendar) and opens <= moment.time() < closes


def next_opening(moment: datetime, center: OpeningHours,
                 calendar: Calendar = NO_CLOSURES) -> datetime | None:
    """Return when the center next opens after `moment`, or None if it never does (a year on)."""
    opens = _clock_time(center.opens_at)
    for ahead in range(HORIZON_DAYS):
        day = moment.date() + timedelta(days=ahead)
        start = datetime.combine(day, opens, moment.tzinfo)
        if start > moment and is_working_day(day, center, calendar):
            return start
    return None


def closing_time(day: str, center: OpeningHours, moment: datetime) -> datetime:
    """Return the closing moment of `day`, in the time zone of `moment`."""
    return datetime.combine(date.fromisoformat(day), _clock_time(center.closes_at), moment.tzinfo)


def is_past_closing(day: str, moment: datetime, center: OpeningHours) -> bool:
    """Tell whether tickets of `day` that still wait at `moment` have missed their day."""
    return day < day_of(moment) or moment >= closing_time(day, center, moment)
