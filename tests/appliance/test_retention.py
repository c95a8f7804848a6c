"""Retention: tickets older than N months go, with everything recorded about them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from queue_core.service import audit
from queue_core.ops import retention
from queue_core.service.center import Center
from queue_core.cli import main
from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.config import Settings
from queue_core.storage import Store


@pytest.mark.parametrize(("today", "months", "expected"), [
    (date(2026, 11, 23), 6, date(2026, 5, 23)),
    (date(2026, 3, 31), 1, date(2026, 2, 28)),
    (date(2026, 1, 15), 1, date(2025, 12, 15)),
    (date(2028, 3, 31), 1, date(2028, 2, 29)),
    (date(2026, 11, 23), 24, date(2024, 11, 23)),
])
def test_cutoff_day(today: date, months: int, expected: date) -> None:
    assert retention.cutoff_day(today, months) == expected


def serve_a_day(center: Center, clock: FakeClock, day: datetime, count: int) -> list[str]:
    """Issue, call, finish and rate `count` tickets on `day`; return their ids."""
    clock.set(day)
    ids = []
    for _ in range(count):
        ticket = center.issue("A", actor="device:kiosk")
        center.call_next(1, actor="user:lan", officer="lan")
        clock.advance(minutes=3)
        center.finish(1, actor="user:lan")
        center.rate(ticket["id"], "satisfied")
        ids.append(ticket["id"])
    with center.store.write():
        center.store.conn.execute(
            "INSERT INTO ticket_prints (ticket_id, printed, code, at) VALUES (?, 1, 'printed', ?)",
            [ids[0], day.isoformat()])
    audit.record(center.store, actor="user:lan", action=audit.LOGIN, now=day)
    return ids


def counts(store: Store) -> dict[str, int]:
    tables = ("tickets", "transitions", "ratings", "ticket_prints", "audit_log")
    return {t: store.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


@pytest.mark.parametrize("batch", [retention.BATCH, 2])
def test_purge_removes_old_days_and_their_history(settings: Settings, store: Store,
                                                  clock: FakeClock, batch: int) -> None:
    center = Center(settings, store, clock=clock)
    old = serve_a_day(center, clock, datetime(2026, 1, 12, 9, 0, tzinfo=VIETNAM), 3)
    recent = serve_a_day(center, clock, datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM), 2)
    before = counts(store)
    purged = retention.purge(store, before=date(2026, 6, 1), batch=batch)
    assert purged.tickets == 3
    assert purged.rows == {"transitions": 9, "ratings": 3, "ticket_prints": 1, "audit_log": 1}
    after = counts(store)
    assert after == {t: before[t] - purged.rows.get(t, 0) for t in before if t != "tickets"} | {
        "tickets": before["tickets"] - 3}
    assert {t.id for t in store.tickets()} == set(recent)
    assert not {t.ticket_id for t in store.transitions()} & set(old)
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # A second purge finds nothing more.
    assert retention.purge(store, before=date(2026, 6, 1)).tickets == 0


def test_retention_is_off_by_default(settings: Settings, store: Store) -> None:
    assert settings.backup.retention_months == 0
    assert retention.purge_expired(store, months=0, now=datetime(2026, 11, 23, tzinfo=VIETNAM)) is None


def test_nightly_retention_in_the_core(settings: Settings, clock: FakeClock) -> None:
    from queue_core.web.app import create_app
    from queue_core.ops.upkeep import apply_retention

    kept = settings.replace(backup={"retention_months": 6})
    app = create_app(kept, clock=clock, test_config={"TESTING": True})
    xephang = app.extensions["xephang"]
    try:
        serve_a_day(xephang.center, clock, datetime(2026, 1, 12, 9, 0, tzinfo=VIETNAM), 2)
        clock.set(datetime(2026, 11, 23, 23, 0, tzinfo=VIETNAM))
        purged = apply_retention(xephang.settings, xephang.center)
        assert purged is not None and purged.tickets == 2
        entries = audit.entries(xephang.store, action=audit.TICKETS_PURGED, everything=True)
        assert entries[0]["actor"] == "system:retention" and "2 tickets" in entries[0]["detail"]
    finally:
        xephang.store.close()


def test_purge_command(settings: Settings, clock: FakeClock, tmp_path: Path) -> None:
    store = Store.in_data_dir(settings.data_path)
    try:
        serve_a_day(Center(settings, store, clock=clock), clock,
                    datetime(2020, 3, 2, 9, 0, tzinfo=VIETNAM), 2)
    finally:
        store.close()
    runner = CliRunner()
    data = ["--data-dir", str(settings.data_path)]
    off = runner.invoke(main, ["purge", *data])
    assert off.exit_code == 0 and "retention is off" in off.output
    asked = runner.invoke(main, ["purge", "--months", "12", *data])
    assert asked.exit_code != 0 and "--yes" in asked.output
    done = runner.invoke(main, ["purge", "--months", "12", "--yes", *data])
    assert done.exit_code == 0, done.output
    assert "Đã xóa 2 vé" in done.output
    store = Store.in_data_dir(settings.data_path)
    try:
        assert store.tickets() == []
        entry: dict[str, Any] = audit.entries(store, action=audit.TICKETS_PURGED)[0]
        assert entry["actor"].startswith("cli")
    finally:
        store.close()
