"""The business day: which day a moment belongs to, whether the center is open, when it opens.

>>> from datetime import datetime
>>> from types import SimpleNamespace
>>> from queue_core.domain.clock import VIETNAM
>>> hours = SimpleNamespace(opens_at="07:00", closes_at="17:30", workdays=(1, 2, 3, 4, 5))
>>> next_opening(datetime(2026, 12, 5, 18, 0, tzinfo=VIETNAM), hours).isoformat()
'2026-12-07T07:00:00+07:00'
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from queue_core.domain.shapes import OpeningHours


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


def is_open(moment: datetime, center: OpeningHours) -> bool:
    """Tell whether tickets may be issued at `moment`."""
    opens, closes = _clock_time(center.opens_at), _clock_time(center.closes_at)
    return is_workday(moment, center) and opens <= moment.time() < closes


def next_opening(moment: datetime, center: OpeningHours) -> datetime | None:
    """Return when the center next opens after `moment`, or None if it opens on no weekday."""
    opens = _clock_time(center.opens_at)
    for ahead in range(8):
        day = moment.date() + timedelta(days=ahead)
        start = datetime.combine(day, opens, moment.tzinfo)
        if day.isoweekday() in center.workdays and start > moment:
            return start
    return None


def closing_time(day: str, center: OpeningHours, moment: datetime) -> datetime:
    """Return the closing moment of `day`, in the time zone of `moment`."""
    return datetime.combine(date.fromisoformat(day), _clock_time(center.closes_at), moment.tzinfo)


def is_past_closing(day: str, moment: datetime, center: OpeningHours) -> bool:
    """Tell whether tickets of `day` that still wait at `moment` have missed their day."""
    return day < day_of(moment) or moment >= closing_time(day, center, moment)
