"""Time as a value the domain is given, never one it reads itself, and its one text form.

Every time the core stores or sends is `time_text`: ISO 8601 to the millisecond with
its offset, so stored times are short and sort in time order within one zone.

>>> clock = FakeClock(datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM))
>>> clock.advance(minutes=5).isoformat()
'2026-11-23T08:05:00+07:00'
>>> time_text(clock.now())
'2026-11-23T08:05:00.000+07:00'
>>> parse_time(time_text(clock.now())) == clock.now()
True
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, tzinfo
from typing import Protocol, overload
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    """Anything that tells the time, aware of the center's time zone."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time in the center's time zone, to the millisecond."""

    def __init__(self, tz: tzinfo = VIETNAM) -> None:
        self.tz = tz

    def now(self) -> datetime:
        moment = datetime.now(self.tz)
        # Milliseconds are enough, and keep stored times short and comparable.
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class FakeClock:
    """A clock that moves only when told to (tests, simulations)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta's keywords and return the new time."""
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to a moment (also backwards, to test clock trouble)."""
        with self._lock:
            self._now = moment


@overload
def time_text(moment: datetime) -> str: ...


@overload
def time_text(moment: None) -> None: ...


def time_text(moment: datetime | None) -> str | None:
    """Return the text a moment is stored and sent as (None stays None)."""
    return moment.isoformat(timespec="milliseconds") if moment else None


@overload
def parse_time(text: str) -> datetime: ...


@overload
def parse_time(text: None) -> None: ...


def parse_time(text: str | None) -> datetime | None:
    """Return the moment a `time_text` stands for (None or "" gives None)."""
    return datetime.fromisoformat(text) if text else None
