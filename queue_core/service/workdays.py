"""The center's calendar: Vietnam's public holidays, the extra closed days, the working days.

Public holidays come from the `holidays` package (Tết and Giỗ Tổ Hùng Vương by the lunar
calendar, days off moved by the government), in Vietnamese. The settings add closed days
(`holidays`) and days open in spite of a holiday or the weekday (`working_days`).

>>> from datetime import date
>>> from queue_core.config import load_settings
>>> calendar = calendar_for(load_settings(env={}))
>>> calendar.closed_reason(date(2027, 2, 6))
'Tết Nguyên Đán'
>>> calendar.closed_reason(date(2027, 2, 11)) is None
True
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import holidays

from queue_core.config import Settings
from queue_core.domain import businessday

COUNTRY = "VN"
EXTRA_CLOSED = "Ngày nghỉ của trung tâm"


@functools.cache
def public_holidays(year: int) -> dict[date, str]:
    """Return Vietnam's public holidays of `year` with their Vietnamese names."""
    found = holidays.country_holidays(COUNTRY, years=year, language="vi")
    return {day: name for day, name in sorted(found.items())}


@dataclass(frozen=True)
class CenterCalendar:
    """The closed and forced-open days of one center (a `businessday.Calendar`)."""

    public: bool
    closed: frozenset[date]
    opened: frozenset[date]

    def closed_reason(self, day: date) -> str | None:
        if day in self.closed:
            return EXTRA_CLOSED
        if self.public:
            return public_holidays(day.year).get(day)
        return None

    def forced_open(self, day: date) -> bool:
        return day in self.opened

    def closed_days(self, year: int) -> list[dict[str, Any]]:
        """Return the days of `year` the center is closed although their weekday works."""
        days: dict[date, dict[str, Any]] = {}
        if self.public:
            for day, name in public_holidays(year).items():
                days[day] = {"date": day.isoformat(), "name": name, "source": "public"}
        for day in self.closed:
            if day.year == year:
                days[day] = {"date": day.isoformat(), "name": EXTRA_CLOSED, "source": "settings"}
        for day in self.opened:
            if day in days:
                days[day]["open"] = True
        return [days[day] for day in sorted(days)]


@functools.lru_cache(maxsize=16)
def _calendar(public: bool, closed: tuple[str, ...], opened: tuple[str, ...]) -> CenterCalendar:
    return CenterCalendar(public, frozenset(date.fromisoformat(d) for d in closed),
                          frozenset(date.fromisoformat(d) for d in opened))


def calendar_for(settings: Settings) -> CenterCalendar:
    """Return the calendar the settings describe (the same object for the same settings)."""
    return _calendar(settings.center.public_holidays, settings.holidays, settings.working_days)


def is_open(settings: Settings, moment: datetime) -> bool:
    """Tell whether tickets may be issued at `moment`: the demo switch, else hours and days."""
    if settings.center.demo:
        return True
    return businessday.is_open(moment, settings.center, calendar_for(settings))


def next_opening(settings: Settings, moment: datetime) -> datetime | None:
    """Return when the center opens next after `moment` (None in demo mode: it is open)."""
    if settings.center.demo:
        return None
    return businessday.next_opening(moment, settings.center, calendar_for(settings))


def closed_today(settings: Settings, moment: datetime) -> str | None:
    """Return the holiday that closes the center on `moment`'s day, if one does."""
    return businessday.closed_reason(moment.date(), calendar_for(settings))


__all__ = ["CenterCalendar", "calendar_for", "closed_today", "is_open", "next_opening",
           "public_holidays"]
