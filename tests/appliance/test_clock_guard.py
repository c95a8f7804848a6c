"""A clock behind the recorded data: detected, and `serve` refuses to open the day on it."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from queue_core.service import audit
from queue_core.ops import backup, clockguard, server
from queue_core.cli.serve import (
    CLOCK_LOOK_SECONDS,
    CLOCK_REFUSED_EXIT,
    ClockRefused,
    prepare_serving,
)
from queue_core.service.center import Center
from queue_core.cli import main
from queue_core.domain.clock import VIETNAM, FakeClock, SystemClock
from queue_core.config import Settings
from queue_core.storage import Store

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)


def test_an_empty_database_trusts_the_clock(store: Store) -> None:
    assert clockguard.check(store, MONDAY).ok


def test_clock_behind_the_last_transition(settings: Settings, store: Store,
                                          clock: FakeClock) -> None:
    center = Center(settings, store, clock=clock)
    clock.set(MONDAY)
    center.issue("A", actor="device:kiosk")
    # Minutes of adjustment are no new day.
    assert clockguard.check(store, MONDAY - timedelta(minutes=4)).ok
    verdict = clockguard.check(store, MONDAY - timedelta(days=2))
    assert verdict.status == clockguard.BEHIND and verdict.code == "clock_behind"
    assert verdict.params() == {"now": "2026-11-21 09:00", "last": "2026-11-23 09:00"}
    assert clockguard.check(store, MONDAY + timedelta(hours=1)).ok


def test_audit_entries_count_as_records(store: Store) -> None:
    audit.record(store, actor="user:lan", action=audit.LOGIN, now=MONDAY)
    assert clockguard.check(store, MONDAY - timedelta(hours=1)).status == clockguard.BEHIND


def test_a_plainly_wrong_date(store: Store) -> None:
    verdict = clockguard.check(store, datetime(1970, 1, 1, 7, 0, tzinfo=VIETNAM))
    assert verdict.status == clockguard.IMPLAUSIBLE and verdict.code == "clock_implausible"


def test_accepting_the_clock_judges_only_newer_records(settings: Settings, store: Store,
                                                       clock: FakeClock) -> None:
    center = Center(settings, store, clock=clock)
    # Once, the clock ran a year ahead and a ticket was issued then.
    clock.set(MONDAY + timedelta(days=365))
    center.issue("A", actor="device:kiosk")
    assert not clockguard.check(store, MONDAY).ok
    clockguard.accept(store, MONDAY, actor="cli:root")
    assert clockguard.check(store, MONDAY).ok
    clock.set(MONDAY + timedelta(hours=1))
    center.issue("A", actor="device:kiosk")
    assert clockguard.check(store, MONDAY + timedelta(hours=2)).ok
    # A clock going wrong again is still caught, against the records made since.
    assert not clockguard.check(store, MONDAY - timedelta(days=1)).ok
    assert audit.entries(store, action=audit.CLOCK_ACCEPTED)[0]["actor"] == "cli:root"


@pytest.fixture
def serve_runs(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """Replace the server itself: these tests are about what happens before it starts."""
    started: list[Settings] = []
    monkeypatch.setattr(server, "run", lambda settings, *args, **kwargs: started.append(settings))
    # Outside systemd a wrong clock is refused at once.
    monkeypatch.delenv("INVOCATION_ID", raising=False)
    return started


def _data_from_tomorrow(settings: Settings) -> None:
    store = Store.in_data_dir(settings.data_path)
    tomorrow = FakeClock(SystemClock().now() + timedelta(days=1))
    tomorrow.set(tomorrow.now().replace(hour=9))
    try:
        Center(settings.replace(center={"opens_at": "00:00", "closes_at": "24:00",
                                        "workdays": (1, 2, 3, 4, 5, 6, 7)}),
               store, clock=tomorrow).issue("A", actor="device:kiosk")
    finally:
        store.close()


def test_serve_refuses_a_clock_behind_the_data(settings: Settings,
                                               serve_runs: list[Settings]) -> None:
    _data_from_tomorrow(settings)
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(settings.data_path)])
    assert result.exit_code == CLOCK_REFUSED_EXIT
    assert "Đồng hồ của máy đang chậm" in result.output
    assert "The clock is behind" in result.output and "--accept-clock" in result.output
    assert serve_runs == []
    assert not backup.is_serving(settings.data_path), "a refused start leaves the data dir free"


def test_serve_starts_once_the_clock_is_accepted(settings: Settings,
                                                 serve_runs: list[Settings]) -> None:
    _data_from_tomorrow(settings)
    result = CliRunner().invoke(main, ["serve", "--accept-clock", "--data-dir",
                                       str(settings.data_path)], input="")
    assert result.exit_code == 0, result.output
    assert len(serve_runs) == 1
    store = Store.in_data_dir(settings.data_path)
    try:
        assert clockguard.check(store, SystemClock().now()).ok
    finally:
        store.close()


def test_serve_refuses_a_second_server_on_the_same_data(settings: Settings,
                                                        serve_runs: list[Settings]) -> None:
    lock: Any = backup.hold_serving_lock(settings.data_path)
    try:
        result = CliRunner().invoke(main, ["serve", "--data-dir", str(settings.data_path)])
    finally:
        os.close(lock)
    assert result.exit_code != 0 and "already using" in result.output
    assert serve_runs == []


def test_under_systemd_the_clock_gets_a_minute_to_come_right(settings: Settings,
                                                           clock: FakeClock) -> None:
    store = Store.in_data_dir(settings.data_path)
    try:
        clock.set(MONDAY)
        Center(settings, store, clock=clock).issue("A", actor="device:kiosk")
    finally:
        store.close()
    # Booted with the time it saved an hour earlier; network time arrives 20 s later.
    clock.set(MONDAY - timedelta(hours=1))
    looks: list[float] = []

    def wait(seconds: float) -> None:
        looks.append(seconds)
        if len(looks) == 4:
            clock.set(MONDAY + timedelta(minutes=1))

    lock = prepare_serving(settings, interactive=False, clock=clock.now, wait=wait, patience=60)
    os.close(lock)
    assert looks == [CLOCK_LOOK_SECONDS] * 4
    # A clock that never comes right is refused once the patience is spent.
    clock.set(MONDAY - timedelta(days=3))
    looks.clear()
    with pytest.raises(ClockRefused):
        prepare_serving(settings, interactive=False, clock=clock.now, wait=looks.append,
                        patience=20)
    assert sum(looks) == 20
    assert not backup.is_serving(settings.data_path)
