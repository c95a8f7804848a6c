"""Time as a value the domain is given, never one it reads itself.

>>> clock = FakeClock(datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM))
>>> clock.advance(minutes=5).isoformat()
'2026-11-23T08:05:00+07:00'
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, tzinfo
from typing import Protocol
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
