"""A box driven through a business day in process (the real Center on a real SQLite file).

Every kind of step the hub must rebuild happens: issue (some priority), call, recall,
finish, no-show, restore and call again, transfer and serve in the new field, cancel,
priority marked by an officer, ratings (one unsatisfied), and a ticket still waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from queue_core.service.center import Center
from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.config import Settings, load_settings
from queue_core.storage import DATABASE_FILE, Store

# (No public holidays either: the days driven include Tuesday 24 November, Vietnam Cultural Day.)
ALWAYS_OPEN = {"XEPHANG_CENTER_OPENS_AT": "00:00", "XEPHANG_CENTER_CLOSES_AT": "24:00",
               "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
               "XEPHANG_CENTER_PUBLIC_HOLIDAYS": "false"}


@dataclass
class Box:
    settings: Settings
    store: Store
    center: Center
    clock: FakeClock

    @property
    def path(self) -> Path:
        return Path(self.store.path)


def open_box(data_dir: Path, start: datetime, *, name: str = "Trung tâm xã Hòa Bắc") -> Box:
    settings = load_settings(env={**ALWAYS_OPEN, "XEPHANG_DATA_DIR": str(data_dir),
                                  "XEPHANG_CENTER_NAME": name})
    store = Store.open(data_dir / DATABASE_FILE)
    clock = FakeClock(start)
    return Box(settings, store, Center(settings, store, clock=clock), clock)


def drive_day(box: Box, day: datetime, *, variant: int = 0, leave_waiting: bool = True,
              start_hour: int = 8) -> None:
    """Run one day of the box from 8:00 (times from the fake clock)."""
    center, clock = box.center, box.clock
    clock.set(day.replace(hour=start_hour, minute=0, second=0, microsecond=0)
              + timedelta(minutes=variant))
    center.close_day()          # yesterday's leftovers expire (or end with the day)
    kiosk = "kiosk:sanh"
    issued = [center.issue(service, actor=kiosk, priority=priority)
              for service, priority in (("A", None), ("A", "elderly"), ("B", None), ("A", None),
                                        ("F", None), ("B", None), ("A", None), ("C", None))]
    clock.advance(minutes=7 + variant)
    first = center.call_next(1, actor="user:lan", officer="lan")           # the elderly A
    clock.advance(seconds=45)
    center.recall(1, actor="user:lan")
    clock.advance(minutes=6)
    center.finish(1, actor="user:lan")
    clock.advance(minutes=1)
    center.rate(first["id"], "very_satisfied")
    center.call_next(3, actor="user:hoa", officer="hoa")                   # B
    clock.advance(minutes=4)
    center.transfer(3, "F", actor="user:hoa")                              # on to F
    center.call_next(2, actor="device:keypad-2", officer="minh")           # A (keypad)
    clock.advance(minutes=2)
    missed = center.no_show(2, actor="device:keypad-2")
    center.set_priority(issued[6]["id"], "pregnant", actor="user:lan")
    clock.advance(minutes=3)
    center.call_next(5, actor="user:tuan", officer="tuan")                 # F (the transfer?)
    clock.advance(minutes=9)
    done = center.finish(5, actor="user:tuan")
    center.rate(done["id"], "unsatisfied")
    center.restore(missed["id"], actor="user:lan")                         # turned up late
    center.call_next(1, actor="user:lan", officer="lan")
    clock.advance(minutes=5)
    restored = center.finish(1, actor="user:lan")
    center.rate(restored["id"], "satisfied")
    center.cancel(issued[7]["id"], actor="user:lan")                       # C: left
    for counter in (5, 2, 3):
        clock.advance(minutes=2 + variant)
        if center.call_next(counter, actor="user:tuan", officer="tuan") is not None:
            clock.advance(minutes=4)
            center.finish(counter, actor="user:tuan")
    if not leave_waiting:
        for counter in (1, 2, 3, 5, 4):
            while center.call_next(counter, actor="user:lan", officer="lan") is not None:
                clock.advance(minutes=3)
                center.finish(counter, actor="user:lan")


MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM)

__all__ = ["ALWAYS_OPEN", "MONDAY", "Box", "drive_day", "open_box"]
