"""The business day: which day a moment belongs to, and whether the center is open."""

from __future__ import annotations

from datetime import date, datetime, time

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


def closing_time(day: str, center: OpeningHours, moment: datetime) -> datetime:
    """Return the closing moment of `day`, in the time zone of `moment`."""
    return datetime.combine(date.fromisoformat(day), _clock_time(center.closes_at), moment.tzinfo)


def is_past_closing(day: str, moment: datetime, center: OpeningHours) -> bool:
    """Tell whether tickets of `day` that still wait at `moment` have missed their day."""
    return day < day_of(moment) or moment >= closing_time(day, center, moment)
