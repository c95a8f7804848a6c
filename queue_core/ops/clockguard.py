"""Refuse to work on a wrong date: a clock behind what the database already recorded.

A Raspberry Pi has no real-time clock. Without internet it boots with the time it last
saved, and a center would then issue tickets dated in the past: numbers restarting on a
day that already had them, statistics on the wrong day. `xephang serve` checks the
clock against the newest recorded change (ticket transitions and audit entries) and
stops with a clear message when the clock is behind it; `xephang doctor` reports the
same. Once someone has checked that the date shown is right (the earlier records came
from a clock that ran ahead), `accept` tells later checks to judge only newer records.

>>> from queue_core.domain.clock import VIETNAM
>>> store = Store.open(":memory:")
>>> check(store, datetime(2026, 11, 23, 8, tzinfo=VIETNAM)).ok
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from queue_core.service import audit
from queue_core.storage import Store

# Clocks are adjusted by small steps; a few minutes behind is no new business day.
TOLERANCE = timedelta(minutes=5)
# No xephang database was written before this: a clock showing an earlier date is wrong.
EARLIEST_PLAUSIBLE = datetime(2025, 1, 1)
ACCEPTED_KEY = "clock_accepted_after"

OK = "ok"
BEHIND = "behind"
IMPLAUSIBLE = "implausible"


@dataclass(frozen=True)
class ClockVerdict:
    """The clock compared with the newest record."""

    status: str
    now: datetime
    last: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def code(self) -> str:
        return {BEHIND: "clock_behind", IMPLAUSIBLE: "clock_implausible"}.get(self.status, "ok")

    def params(self) -> dict[str, str]:
        return {"now": _shown(self.now), "last": _shown(self.last) if self.last else "-"}


def _shown(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _accepted(store: Store) -> dict[str, int]:
    value = store.meta_value(ACCEPTED_KEY)
    if value is None:
        return {}
    try:
        marks = json.loads(value)
    except ValueError:
        return {}
    return {k: int(v) for k, v in marks.items()} if isinstance(marks, dict) else {}


def last_recorded(store: Store) -> datetime | None:
    """Return the newest time written in the database (after any accepted clock change)."""
    return store.newest_record(after=_accepted(store))


def check(store: Store, now: datetime) -> ClockVerdict:
    """Judge the clock `now` against the database."""
    if now.replace(tzinfo=None) < EARLIEST_PLAUSIBLE:
        return ClockVerdict(IMPLAUSIBLE, now)
    with store.read():
        last = last_recorded(store)
    if last is not None and last.tzinfo is not None and now.tzinfo is not None \
            and now < last - TOLERANCE:
        return ClockVerdict(BEHIND, now, last.astimezone(now.tzinfo))
    return ClockVerdict(OK, now, last)


def accept(store: Store, now: datetime, *, actor: str) -> None:
    """Trust the clock from now on: only records written after this are compared."""
    with store.write():
        store.set_meta(ACCEPTED_KEY, json.dumps(store.record_marks()))
        audit.add(store, actor=actor, action=audit.CLOCK_ACCEPTED, now=now,
                  detail=f"clock accepted at {_shown(now)}")
